#!/usr/bin/env bash
# cross/split-debug.sh - copies a freshly linked libpekkokq into the jar's tree without
# its debug information, and keeps that information beside it for debuggers:
#
#   cross/split-debug.sh <objcopy> <lib> <jar-dir> <debug-dir>
#     <lib>                      libpekkokq.so or .dylib as the linker wrote it (-g)
#     -> <jar-dir>/<name>        stripped of DWARF; ELF gets a .gnu_debuglink to:
#     -> <debug-dir>/<name>.debug  the DWARF (objcopy --only-keep-debug), ELF only
#
# <objcopy> is an objcopy that reads the library's architecture: the host's binutils
# for the host build, `zig objcopy` for the cross-built ones (Debian's objcopy reads x86
# only). The symbol table stays in the stripped library (a few KB), so a JVM crash log
# (hs_err) still names the C function; gdb/lldb find the DWARF through the debuglink when
# <name>.debug lies next to the library (e.g. both jars unpacked into one directory).
#
# Mach-O (macOS) is not split: cross/build.sh links it with -Wl,-S, which leaves out the
# debug map (a list of build-machine object files: DWARF on macOS stays in the .o files,
# and dsymutil, which would gather it into a .dSYM, does not exist on Linux). It is
# copied as it is, and so is a Windows DLL (zig writes its debug information into a .pdb
# apart, which cross/build.sh puts in the debug tree). A host without objcopy (a Mac
# building its own dylib) also just copies.
set -euo pipefail

if (($# != 4)); then
  echo "usage: $0 <objcopy> <lib> <jar-dir> <debug-dir>" >&2
  exit 2
fi
objcopy=$1 lib=$2 jar_dir=$3 debug_dir=$4
name=$(basename "$lib")
lib=$(cd "$(dirname "$lib")" && pwd)/$name
mkdir -p "$jar_dir" "$debug_dir" # the debug jar's tree exists even when nothing is split
jar_dir=$(cd "$jar_dir" && pwd)

magic=$(head -c 4 "$lib" | od -An -tx1 | tr -d ' \n')
if [ "$magic" != 7f454c46 ]; then # not ELF: Mach-O (no debug map) or a DLL (its .pdb apart)
  cp "$lib" "$jar_dir/$name"
  exit 0
fi
read -r -a objcopy_cmd <<<"$objcopy" # "zig objcopy" is two words
if ! command -v "${objcopy_cmd[0]}" >/dev/null 2>&1; then
  echo "split-debug: '$objcopy' not found, $name packaged with its debug information" >&2
  cp "$lib" "$jar_dir/$name"
  exit 0
fi

# The debuglink records the debug file's base name and CRC-32; objcopy resolves the
# name relative to the current directory, so run it where the .debug file is.
debug=$(cd "$debug_dir" && pwd)/$name.debug
"${objcopy_cmd[@]}" --only-keep-debug "$lib" "$debug"
tmp=$(mktemp "$jar_dir/.$name.XXXXXX")
(cd "$(dirname "$debug")" && "${objcopy_cmd[@]}" --strip-debug \
  --add-gnu-debuglink="$name.debug" "$lib" "$tmp")
chmod 0755 "$tmp"
mv -f "$tmp" "$jar_dir/$name"
