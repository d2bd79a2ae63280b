#!/usr/bin/env bash
# cross/check-libs.sh - checks the Linux libraries a jar will carry, with readelf (it
# reads every architecture, where Debian's objdump -T reads x86 only), and the Windows
# DLL with objdump:
#
#   cross/check-libs.sh <native-dir> [<debug-dir>] [--require <platform>,<platform>...]
#     <native-dir>  the META-INF/native tree: <native-dir>/<platform>/libpekkokq.{so,dylib}
#                   or pekkokq.dll
#     <debug-dir>   the matching tree of <name>.debug files (cross/split-debug.sh)
#     --require     these platforms must be present (the release / CI list)
#
# For each linux-* library:
#   - ELF shared object for the CPU its directory names;
#   - glibc builds (linux-x86_64, linux-aarch64): no symbol version above GLIBC_2.17 is
#     required, and only glibc's own libraries are NEEDED: it loads on glibc 2.17+
#     (RHEL/CentOS 7, Debian 8, Ubuntu 14.04, Amazon Linux 2 and later);
#   - musl builds (linux-*-musl): NEEDED is libc.so alone (musl's dynamic linker answers
#     that name with itself, so the library loads on any musl system, Alpine included),
#     no GLIBC_ version and no ELF interpreter: nothing of glibc is asked for;
#   - linux-x86_64-musl on an x86_64 machine with musl's dynamic linker (Debian package
#     musl: /lib/ld-musl-x86_64.so.1): that linker loads it in ldd mode (--list), which
#     resolves every symbol and fails on any the library needs but musl lacks. Skipped
#     with a note without it, unless KQ_MUSL_LOAD=required (CI);
#   - stripped: no DWARF (.debug_info) in the library, a .gnu_debuglink instead, and with
#     <debug-dir> the linked file exists and its CRC-32 is the one the link records.
# For each windows-* library (PE, read with the host's objdump, Debian binutils):
#   - a PE32+ x86-64 DLL exporting JNI_OnLoad alone;
#   - importing only DLLs every Windows has (KERNEL32, WS2_32, ntdll, msvcrt): nothing of
#     a compiler's runtime (libgcc, libwinpthread) that would fail to load elsewhere;
#   - without DWARF, its debug information being the .pdb beside it in <debug-dir>.
# Run by cross/build.sh after a cross-build (mvn -Pcross) and by .ci/run on the jar.
# Prints one line per library; exits 1 after listing every problem found.
set -uo pipefail

usage() {
  echo "usage: $0 <native-dir> [<debug-dir>] [--require <platform>,...]" >&2
  exit 2
}
native_dir= debug_dir= required=
while (($#)); do
  case $1 in
    --require) (($# >= 2)) || usage; required=$2; shift 2 ;;
    *) if [ -z "$native_dir" ]; then native_dir=$1; elif [ -z "$debug_dir" ]; then debug_dir=$1; else usage; fi; shift ;;
  esac
done
[ -n "$native_dir" ] || usage
[ -d "$native_dir" ] || { echo "check-libs: $native_dir is not a directory" >&2; exit 1; }
command -v readelf >/dev/null 2>&1 || { echo "check-libs: readelf not found (Debian: binutils)" >&2; exit 1; }

GLIBC_MAX=2.17
problems=0
problem() {
  echo "check-libs: FAILED $*" >&2
  problems=$((problems + 1))
}

# The CRC-32 gnu_debuglink records is zlib's, the one in gzip's trailer.
crc32_hex() { gzip -c <"$1" | tail -c 8 | head -c 4 | od -An -tx1 | tr -d ' \n'; }

MUSL_LDSO=/lib/ld-musl-x86_64.so.1
try_musl_load() {
  local lib=$1 out
  if [ "$(uname -m)" = x86_64 ] && [ -x "$MUSL_LDSO" ]; then
    out=$("$MUSL_LDSO" --list "$lib" 2>&1) ||
      problem "$lib: musl's dynamic linker $MUSL_LDSO cannot load it: $out"
    loaded=", loads with $MUSL_LDSO"
  elif [ "${KQ_MUSL_LOAD:-}" = required ]; then
    problem "$lib: not loaded, $MUSL_LDSO missing (Debian: apt-get install musl) and KQ_MUSL_LOAD=required"
  else
    loaded=", load not tried (no $MUSL_LDSO: Debian package musl)"
  fi
}

check_linux() {
  local platform=$1 lib=$2 machine needed interp glibc max debuglink loaded=''
  case $platform in
    linux-x86_64*) machine='Advanced Micro Devices X86-64' ;;
    linux-aarch64*) machine=AArch64 ;;
    *) problem "$lib: unknown Linux platform $platform"; return ;;
  esac
  readelf -hW "$lib" 2>/dev/null | grep -q "Machine: *$machine\$" ||
    problem "$lib: not an ELF file for $machine"
  readelf -hW "$lib" | grep -q 'Type: *DYN' || problem "$lib: not a shared object"
  needed=$(readelf -dW "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  interp=$(readelf -lW "$lib" | grep -c 'INTERP')
  glibc=$(readelf -VW "$lib" | grep -o 'Name: GLIBC_[0-9.]*' | sed 's/Name: GLIBC_//' | sort -uV)
  max=$(echo "$glibc" | tail -n 1)
  case $platform in
    *-musl)
      [ "$needed" = "libc.so " ] || problem "$lib: NEEDED is '$needed', a musl build needs libc.so only"
      [ -z "$glibc" ] || problem "$lib: asks for glibc symbol versions ($(echo $glibc))"
      [ "$interp" = 0 ] || problem "$lib: has an ELF interpreter"
      [ "$platform" = linux-x86_64-musl ] && try_musl_load "$lib"
      ;;
    *)
      [ -n "$max" ] || problem "$lib: no GLIBC_ symbol version at all: not a glibc build?"
      if [ -n "$max" ] && [ "$(printf '%s\n' "$GLIBC_MAX" "$max" | sort -V | tail -n 1)" != "$GLIBC_MAX" ]; then
        problem "$lib: needs GLIBC_$max, above GLIBC_$GLIBC_MAX: $(readelf -VW "$lib" |
          grep -o "Name: GLIBC_[0-9.]*" | sed 's/Name: //' | sort -uV | tr '\n' ' ')" \
          "(built by the host's gcc, not by zig -target *-linux-gnu.$GLIBC_MAX?)"
      fi
      for n in $needed; do
        case $n in
          libc.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | libm.so.6) ;;
          *) problem "$lib: NEEDED $n, not a glibc library" ;;
        esac
      done
      ;;
  esac
  # Stripped, with its debug information beside it.
  readelf -SW "$lib" | grep -q ' \.debug_info ' && problem "$lib: carries DWARF (.debug_info): not stripped"
  debuglink=$(readelf -x .gnu_debuglink "$lib" 2>/dev/null | sed -n 's/^  0x[0-9a-f]* \(\([0-9a-f]\{8\} \?\)\{1,4\}\).*/\1/p' | tr -d ' \n')
  if [ -z "$debuglink" ]; then
    problem "$lib: no .gnu_debuglink (not split by cross/split-debug.sh)"
  elif [ -n "$debug_dir" ]; then
    local debug=$debug_dir/$platform/$(basename "$lib").debug
    if [ ! -f "$debug" ]; then
      problem "$lib: its debug file $debug is missing"
    elif [ "${debuglink: -8}" != "$(crc32_hex "$debug")" ]; then
      problem "$lib: $debug is not the file its .gnu_debuglink names (CRC-32 differs)"
    fi
  fi
  echo "check-libs: $platform: NEEDED ${needed% }${max:+, max GLIBC_$max}${debuglink:+, debuglink}$loaded"
}

check_windows() {
  local platform=$1 lib=$2 chars exports imports
  command -v objdump >/dev/null 2>&1 || { problem "$lib: objdump not found (Debian: binutils)"; return; }
  [ "$platform" = windows-x86_64 ] || { problem "$lib: unknown Windows platform $platform"; return; }
  objdump -f "$lib" 2>/dev/null | grep -q 'file format pei-x86-64' ||
    problem "$lib: not a PE32+ x86-64 file"
  chars=$(objdump -p "$lib" | sed -n 's/^Characteristics[[:space:]]*0x\([0-9a-f]*\).*/\1/p')
  (( (0x${chars:-0} & 0x2000) != 0 )) || problem "$lib: not a DLL (Characteristics 0x$chars)"
  exports=$(objdump -p "$lib" | sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/s/^[[:space:]]*\[ *[0-9]*\] //p' | tr '\n' ' ')
  [ "$exports" = "JNI_OnLoad " ] || problem "$lib: exports '$exports', expected JNI_OnLoad alone"
  imports=$(objdump -p "$lib" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')
  for n in $imports; do
    case ${n,,} in
      kernel32.dll | ws2_32.dll | ntdll.dll | msvcrt.dll) ;;
      *) problem "$lib: imports $n, not a DLL every Windows has" ;;
    esac
  done
  objdump -h "$lib" | grep -q ' \.debug_info ' && problem "$lib: carries DWARF (.debug_info): not stripped"
  if [ -n "$debug_dir" ] && [ ! -f "$debug_dir/$platform/pekkokq.pdb" ]; then
    problem "$lib: its debug information $debug_dir/$platform/pekkokq.pdb is missing"
  fi
  echo "check-libs: $platform: PE32+ DLL, exports JNI_OnLoad, imports ${imports% }"
}

found=()
for dir in "$native_dir"/*/; do
  platform=$(basename "$dir")
  for lib in "$dir"libpekkokq.* "$dir"pekkokq.dll; do
    [ -f "$lib" ] || continue
    case $lib in *.debug) continue ;; esac
    found+=("$platform")
    case $platform in
      linux-*) check_linux "$platform" "$lib" ;;
      windows-*) check_windows "$platform" "$lib" ;;
      *) echo "check-libs: $platform: $(basename "$lib") (not ELF, not checked here)" ;;
    esac
  done
done

if [ -n "$required" ]; then
  IFS=, read -r -a want <<<"$required"
  for p in "${want[@]}"; do
    [[ " ${found[*]} " == *" $p "* ]] || problem "$native_dir/$p/: no libpekkokq for required platform $p"
  done
fi
if ((problems)); then
  echo "check-libs: $problems problem(s) in $native_dir" >&2
  exit 1
fi
echo "check-libs: ${#found[@]} libraries OK in $native_dir"
