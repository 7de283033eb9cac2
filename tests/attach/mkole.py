#!/usr/bin/python3
"""mkole.py [--vba | --loop | --xls [--xlm N] [--mini] [--filepass]] OUT
- writes a minimal OLE2 compound file ([MS-CFB] version 3, 512-byte
sectors) for the attachment tests:

  default  Root Entry + a "WordDocument" stream (a macro-free .doc shape)
  --vba    adds the storages "Macros" and "VBA" and the stream
           "_VBA_PROJECT", as Word keeps a VBA project
  --loop   like --vba, but the directory chain points back at itself
           before reaching the VBA entries (a hostile FAT loop)
  --xls    a "Workbook" stream instead: BIFF8 globals (BOF, WINDOW1,
           BOUNDSHEET records for two worksheets, EOF) and the sheets'
           substreams ([MS-XLS] 2.4.21 BOF, 2.4.28 BoundSheet8)
  --xlm N  adds a BOUNDSHEET of type 1 (Excel 4.0 macro sheet) in state N
           (0 visible, 1 hidden, 2 very hidden) after the worksheets
  --mini   the Workbook stream is under 4096 bytes and lives in the mini
           stream (64-byte mini sectors in the root entry's chain)
  --filepass  a FILEPASS record follows the BOF (an encrypted workbook)

Streams are otherwise 4096 bytes so they live in regular sectors.
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


def rec(kind, body):
    return struct.pack("<HH", kind, len(body)) + body


def boundsheet(name, state, dt):
    raw = name.encode("latin-1")
    return rec(0x0085, struct.pack("<IBBBB", 0, state, dt, len(raw), 0) +
               raw)


def workbook(xlm, filepass, size):
    bof = rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB,
                                  0x07CC, 0, 0x0006))
    glob = bof
    if filepass:
        glob += rec(0x002F, bytes(54))
    glob += rec(0x003D, bytes(18))              # WINDOW1
    glob += boundsheet("Sheet1", 0, 0) + boundsheet("Sheet2", 0, 0)
    if xlm is not None:
        glob += boundsheet("Macro1", xlm, 1)
    glob += rec(0x000A, b"")
    sheet = rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB,
                                    0x07CC, 0, 0x0006)) + rec(0x000A, b"")
    out = glob + sheet + sheet
    if xlm is not None:
        out += rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0040, 0x0DBB,
                                       0x07CC, 0, 0x0006)) + rec(0x000A, b"")
    assert len(out) <= size
    return out + bytes(size - len(out))


def build_mini(stream):
    """Root Entry + Workbook in the mini stream: sector 0 FAT, 1 directory,
    2 mini FAT, 3.. the mini stream."""
    nmini = (len(stream) + 63) // 64
    mini = stream + bytes(nmini * 64 - len(stream))
    msect = (len(mini) + SECTOR - 1) // SECTOR
    fat = [FREE] * (SECTOR // 4)
    fat[0] = FATSECT
    fat[1] = END
    fat[2] = END
    for k in range(msect):
        fat[3 + k] = 4 + k if k < msect - 1 else END
    minifat = [FREE] * (SECTOR // 4)
    for k in range(nmini):
        minifat[k] = k + 1 if k < nmini - 1 else END
    ents = [entry("Root Entry", 5, child=1, start=3, size=len(mini)),
            entry("Workbook", 2, start=0, size=len(stream))]
    while len(ents) < 4:
        ents.append(entry("", 0))
    hdr = bytearray(SECTOR)
    hdr[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", hdr, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", hdr, 0x28, 0, 1, 1, 0, STREAM,
                     2, 1, END, 0)
    struct.pack_into("<109I", hdr, 0x4C, *([0] + [FREE] * 108))
    out = bytes(hdr) + struct.pack("<128I", *fat) + b"".join(ents)
    out += struct.pack("<128I", *minifat)
    return out + mini + bytes(msect * SECTOR - len(mini))


def build(vba, loop, stream=None):
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
            entry("Workbook" if stream else "WordDocument", 2, right=2,
                  start=starts[0], size=STREAM),
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
        out += stream if stream and s == 0 else bytes([0x41 + s]) * STREAM
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    vba = "--vba" in args or "--loop" in args
    loop = "--loop" in args
    xlm = int(args[args.index("--xlm") + 1]) if "--xlm" in args else None
    if "--xls" in args and "--mini" in args:
        data = build_mini(workbook(xlm, "--filepass" in args, 600))
    elif "--xls" in args:
        data = build(vba, loop, workbook(xlm, "--filepass" in args, STREAM))
    else:
        data = build(vba, loop)
    with open(args[-1], "wb") as f:
        f.write(data)
