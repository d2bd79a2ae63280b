package io.pekkokq.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * Test helper: the little of a shared library's header and symbol table the cross-build
 * checks need, read in Java so they run anywhere (binutils' nm does not read Mach-O, and
 * llvm-nm may be absent). 64-bit little-endian ELF (.dynsym), thin Mach-O (LC_SYMTAB) and
 * PE32+ (the export and import directories) only: the only formats libpekkokq is built in.
 */
final class NativeBinary {
  enum Format { ELF, MACH_O, PE }

  /** ELF e_machine values (elf.h). */
  static final int EM_X86_64 = 62;
  static final int EM_AARCH64 = 183;
  /** Mach-O cputype values (mach/machine.h): CPU_ARCH_ABI64 | CPU_TYPE_X86 / _ARM. */
  static final int CPU_TYPE_X86_64 = 0x01000007;
  static final int CPU_TYPE_ARM64 = 0x0100000c;
  /** PE COFF Machine value (winnt.h): IMAGE_FILE_MACHINE_AMD64. */
  static final int IMAGE_FILE_MACHINE_AMD64 = 0x8664;

  final Format format;
  /** e_machine (ELF), cputype (Mach-O) or the COFF Machine (PE). */
  final int machine;
  /** True for a shared library: ELF ET_DYN, Mach-O MH_DYLIB, PE IMAGE_FILE_DLL. */
  final boolean sharedLibrary;
  /** Defined symbols other libraries can bind to (Mach-O names keep their leading '_'). */
  final Set<String> exported = new TreeSet<>();
  /** Symbols the library needs from others (libc, libSystem; PE: imported functions). */
  final Set<String> undefined = new TreeSet<>();
  /** PE only: the DLLs it imports from, as named in the import directory. */
  final Set<String> importedLibraries = new TreeSet<>();

  private final byte[] bytes;

  private NativeBinary(byte[] bytes, Format format, int machine, boolean sharedLibrary) {
    this.bytes = bytes;
    this.format = format;
    this.machine = machine;
    this.sharedLibrary = sharedLibrary;
  }

  static NativeBinary parse(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length >= 64 && b.getInt(0) == 0x464c457f) return parseElf(bytes, b);
    if (bytes.length >= 32 && b.getInt(0) == 0xfeedfacf) return parseMachO(bytes, b);
    if (bytes.length >= 0x40 && b.getShort(0) == 0x5a4d /* "MZ" */) return parsePe(bytes, b);
    throw new IllegalArgumentException(
        "neither a 64-bit little-endian ELF, a thin 64-bit Mach-O nor a PE file");
  }

  /** True when the file holds {@code text} as a NUL-terminated C string. */
  boolean containsCString(String text) {
    byte[] needle = (text + "\0").getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + needle.length <= bytes.length; i++) {
      if (i > 0 && bytes[i - 1] != 0 && isPrintable(bytes[i - 1])) {
        // Only whole strings: "epoll" must not match inside "xepoll".
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (bytes[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  private static boolean isPrintable(byte c) {
    return c >= 0x20 && c < 0x7f;
  }

  // ---- ELF (elf(5)) --------------------------------------------------------------------

  private static NativeBinary parseElf(byte[] bytes, ByteBuffer b) {
    if (bytes[4] != 2 || bytes[5] != 1) {
      throw new IllegalArgumentException("ELF but not ELFCLASS64/ELFDATA2LSB");
    }
    int type = Short.toUnsignedInt(b.getShort(16));
    int machine = Short.toUnsignedInt(b.getShort(18));
    NativeBinary bin = new NativeBinary(bytes, Format.ELF, machine, type == 3 /* ET_DYN */);
    long shoff = b.getLong(0x28);
    int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    for (int i = 0; i < shnum; i++) {
      int sh = (int) (shoff + (long) i * shentsize);
      if (b.getInt(sh + 4) != 11 /* SHT_DYNSYM */) continue;
      int symOff = (int) b.getLong(sh + 24);
      int symSize = (int) b.getLong(sh + 32);
      int entSize = (int) b.getLong(sh + 56);
      int strSh = (int) (shoff + (long) b.getInt(sh + 40) * shentsize); // sh_link
      int strOff = (int) b.getLong(strSh + 24);
      for (int s = symOff + entSize; s < symOff + symSize; s += entSize) { // 0 is null
        String name = cString(bytes, strOff + b.getInt(s));
        int bind = (bytes[s + 4] & 0xff) >> 4;
        int visibility = bytes[s + 5] & 3;
        int shndx = Short.toUnsignedInt(b.getShort(s + 6));
        if (name.isEmpty()) continue;
        if (shndx == 0) bin.undefined.add(name);
        else if ((bind == 1 || bind == 2) && (visibility == 0 || visibility == 3)) {
          bin.exported.add(name); // GLOBAL/WEAK, DEFAULT/PROTECTED
        }
      }
    }
    return bin;
  }

  // ---- Mach-O (mach-o/loader.h, mach-o/nlist.h) ---------------------------------------

  private static NativeBinary parseMachO(byte[] bytes, ByteBuffer b) {
    int cputype = b.getInt(4);
    int filetype = b.getInt(12);
    int ncmds = b.getInt(16);
    NativeBinary bin = new NativeBinary(bytes, Format.MACH_O, cputype, filetype == 6 /* MH_DYLIB */);
    int cmd = 32; // sizeof(struct mach_header_64)
    for (int i = 0; i < ncmds; i++) {
      int kind = b.getInt(cmd);
      if (kind == 0x2 /* LC_SYMTAB */) {
        int symoff = b.getInt(cmd + 8);
        int nsyms = b.getInt(cmd + 12);
        int stroff = b.getInt(cmd + 16);
        for (int s = 0; s < nsyms; s++) {
          int n = symoff + s * 16; // sizeof(struct nlist_64)
          int type = bytes[n + 4] & 0xff;
          if ((type & 0xe0) != 0) continue; // N_STAB: debugging entries
          String name = cString(bytes, stroff + b.getInt(n));
          boolean external = (type & 0x01) != 0; // N_EXT
          boolean privateExternal = (type & 0x10) != 0; // N_PEXT: hidden visibility
          int kindBits = type & 0x0e;
          if (external && kindBits == 0x0 /* N_UNDF */) bin.undefined.add(name);
          else if (external && !privateExternal && kindBits == 0xe /* N_SECT */) {
            bin.exported.add(name);
          }
        }
      }
      cmd += b.getInt(cmd + 4); // cmdsize
    }
    return bin;
  }

  // ---- PE32+ (the PE format: COFF header, optional header, export/import directories) --

  private static NativeBinary parsePe(byte[] bytes, ByteBuffer b) {
    int pe = b.getInt(0x3c); // e_lfanew
    if (b.getInt(pe) != 0x00004550 /* "PE\0\0" */) {
      throw new IllegalArgumentException("MZ file without a PE signature");
    }
    int machine = b.getShort(pe + 4) & 0xffff;
    int sections = b.getShort(pe + 6) & 0xffff;
    int optionalSize = b.getShort(pe + 20) & 0xffff;
    int characteristics = b.getShort(pe + 22) & 0xffff;
    int optional = pe + 24;
    if ((b.getShort(optional) & 0xffff) != 0x20b) {
      throw new IllegalArgumentException("not PE32+ (a 32-bit image?)");
    }
    NativeBinary bin =
        new NativeBinary(bytes, Format.PE, machine, (characteristics & 0x2000) != 0 /* DLL */);
    int[][] sectionTable = new int[sections][];
    for (int i = 0; i < sections; i++) {
      int s = optional + optionalSize + i * 40;
      // VirtualAddress, max(VirtualSize, SizeOfRawData), PointerToRawData
      sectionTable[i] =
          new int[] {b.getInt(s + 12), Math.max(b.getInt(s + 8), b.getInt(s + 16)), b.getInt(s + 20)};
    }
    int directories = optional + 112; // PE32+: the data directories follow 112 bytes
    int exportRva = b.getInt(directories);
    if (exportRva != 0) {
      int dir = fileOffset(sectionTable, exportRva);
      int names = b.getInt(dir + 24);
      int nameTable = fileOffset(sectionTable, b.getInt(dir + 32));
      for (int i = 0; i < names; i++) {
        bin.exported.add(cString(bytes, fileOffset(sectionTable, b.getInt(nameTable + 4 * i))));
      }
    }
    int importRva = b.getInt(directories + 8);
    if (importRva != 0) {
      for (int d = fileOffset(sectionTable, importRva); b.getInt(d + 12) != 0; d += 20) {
        bin.importedLibraries.add(cString(bytes, fileOffset(sectionTable, b.getInt(d + 12))));
        int thunkRva = b.getInt(d) != 0 ? b.getInt(d) : b.getInt(d + 16); // by name, else IAT
        for (int t = fileOffset(sectionTable, thunkRva); b.getLong(t) != 0; t += 8) {
          long thunk = b.getLong(t);
          if (thunk < 0) continue; // imported by ordinal: no name
          bin.undefined.add(cString(bytes, fileOffset(sectionTable, (int) thunk) + 2)); // after Hint
        }
      }
    }
    return bin;
  }

  private static int fileOffset(int[][] sections, int rva) {
    for (int[] s : sections) {
      if (rva >= s[0] && rva < s[0] + s[1]) return rva - s[0] + s[2];
    }
    throw new IllegalArgumentException("RVA 0x" + Integer.toHexString(rva) + " is in no section");
  }

  private static String cString(byte[] bytes, int at) {
    int end = at;
    while (end < bytes.length && bytes[end] != 0) end++;
    return new String(bytes, at, end - at, StandardCharsets.US_ASCII);
  }
}
