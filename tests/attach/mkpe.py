#!/usr/bin/python3
"""mkpe.py OUT - writes a tiny but well-formed PE32 executable (one .text
section whose code is a single RET) for the attachment tests.  libmagic
calls it "PE32 executable (GUI) Intel 80386, for MS Windows"."""
import struct
import sys

FILE_ALIGN = 0x200
SECT_ALIGN = 0x1000


def pe():
    dos = bytearray(0x40)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)          # e_lfanew
    coff = struct.pack("<HHIIIHH", 0x014C, 1, 0, 0, 0, 0xE0, 0x0102)
    opt = struct.pack(
        "<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
        0x10B, 14, 0,                  # magic PE32, linker version
        FILE_ALIGN, 0, 0,              # code, data, bss sizes
        SECT_ALIGN, SECT_ALIGN, SECT_ALIGN,   # entry, code base, data base
        0x400000, SECT_ALIGN, FILE_ALIGN,     # image base, alignments
        6, 0, 0, 0, 6, 0,              # OS, image, subsystem versions
        0,                             # Win32VersionValue
        2 * SECT_ALIGN, FILE_ALIGN,    # SizeOfImage, SizeOfHeaders
        0, 2, 0,                       # checksum, subsystem GUI, dll flags
        0x100000, 0x1000, 0x100000, 0x1000,   # stack and heap
        0, 16)                         # loader flags, data directories
    opt += bytes(16 * 8)
    sect = struct.pack("<8sIIIIIIHHI", b".text", 0x1000, SECT_ALIGN,
                       FILE_ALIGN, FILE_ALIGN, 0, 0, 0, 0, 0x60000020)
    head = bytes(dos) + b"PE\0\0" + coff + opt + sect
    head += bytes(FILE_ALIGN - len(head))
    code = b"\xC3" + bytes(FILE_ALIGN - 1)
    return head + code


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        f.write(pe())
