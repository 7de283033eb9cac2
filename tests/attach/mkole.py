#!/usr/bin/python3
"""mkole.py [--vba | --loop] OUT - writes a minimal OLE2 compound file
([MS-CFB] version 3, 512-byte sectors) for the attachment tests:

  default  Root Entry + a "WordDocument" stream (a macro-free .doc shape)
  --vba    adds the storages "Macros" and "VBA" and the stream
           "_VBA_PROJECT", as Word keeps a VBA project
  --loop   like --vba, but the directory chain points back at itself
           before reaching the VBA entries (a hostile FAT loop)

Streams are 4096 bytes so they live in regular sectors (no mini stream).
"""
import struct
import sys

SECTOR = 512
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STREAM = 4096


def entry(name, kind, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM,
          start=END, size=0):
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    e = struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind,
                    1 if kind else 0, left, right, child, bytes(16), 0, 0, 0,
                    start, size)
    assert len(e) == 128
    return e


def build(vba, loop):
    nstreams = 2 if vba else 1
    per_stream = STREAM // SECTOR
    # sectors: 0 FAT, 1-2 directory, then the streams
    dir_sectors = [1, 2]
    first_data = 3
    fat = [FREE] * (SECTOR // 4)
    fat[0] = FATSECT
    fat[1] = 1 if loop else 2       # --loop: sector 1 is its own successor
    fat[2] = END
    starts = []
    for s in range(nstreams):
        first = first_data + s * per_stream
        starts.append(first)
        for k in range(per_stream):
            fat[first + k] = first + k + 1 if k < per_stream - 1 else END
    # The VBA entries sit in the second directory sector, so that a
    # directory chain that never leaves the first one cannot see them.
    ents = [entry("Root Entry", 5, child=1),
            entry("WordDocument", 2, right=2, start=starts[0], size=STREAM),
            entry("\x01CompObj", 2, right=3),
            entry("\x05SummaryInformation", 2,
                  right=4 if vba else NOSTREAM)]
    if vba:
        ents += [entry("Macros", 1, child=5),
                 entry("VBA", 1, child=6),
                 entry("_VBA_PROJECT", 2, start=starts[1], size=STREAM)]
    while len(ents) < 8:
        ents.append(entry("", 0))
    hdr = bytearray(SECTOR)
    hdr[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", hdr, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", hdr, 0x28, 0, 1, dir_sectors[0], 0, STREAM,
                     END, 0, END, 0)
    difat = [0] + [FREE] * 108
    struct.pack_into("<109I", hdr, 0x4C, *difat)
    out = bytes(hdr) + struct.pack("<128I", *fat) + b"".join(ents)
    for s in range(nstreams):
        out += bytes([0x41 + s]) * STREAM
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    vba = "--vba" in args or "--loop" in args
    loop = "--loop" in args
    with open(args[-1], "wb") as f:
        f.write(build(vba, loop))
