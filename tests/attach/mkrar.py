#!/usr/bin/python3
# mkrar.py - minimal writer of *stored* (uncompressed) RAR archives, and
# a wrapper putting any file into a message, for the RAR tests (issue 12).
#
# No free RAR writer is packaged, and compressed RAR cannot be written
# freely; stored members are enough to name an executable, carry MZ
# bytes, nest a zip or walk a path out of the extraction directory.
# Written from the published format descriptions: RAR 5.0 (rarlab.com
# "RAR 5.0 archive format": vint fields, CRC32 over each header from its
# size field, file header with compression method 0 = store, extra
# record 1 = file encryption) and RAR 2.9/3.x (technote.txt: 7-byte
# marker, 0x73 archive header, 0x74 file header with METHOD 0x30 =
# store, HEAD_CRC = low 16 bits of the CRC32 from HEAD_TYPE on, flag
# 0x04 = encrypted, 0x7b end of archive).
#
# Usage:
#   mkrar.py 4|5 OUT.rar [-e] NAME=SRC ...   SRC: a file path, or
#       :mz (a small MZ/PE header), :text (a line of text), :zip (a zip
#       holding invoice.pdf.exe with MZ bytes); -e encrypts (marks) the
#       next member: its bytes are random, as real encrypted data is.
#   mkrar.py eml IN OUT.eml FILENAME         a message carrying IN as
#       the attachment FILENAME (application/x-rar-compressed, base64).
import base64
import io
import os
import struct
import sys
import zipfile
import zlib

MZ = (b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) +
      b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 18)


def content(src):
    if src == ":mz":
        return MZ
    if src == ":text":
        return b"quarterly figures, nothing to see\n"
    if src == ":zip":
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
            z.writestr("invoice.pdf.exe", MZ)
        return b.getvalue()
    with open(src, "rb") as f:
        return f.read()


def crc(b):
    return zlib.crc32(b) & 0xffffffff


def vint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def rar5_block(htype, hflags, fields, extra=b"", data=b""):
    if extra:
        hflags |= 0x0001
    if data:
        hflags |= 0x0002
    body = vint(htype) + vint(hflags)
    if extra:
        body += vint(len(extra))
    if data:
        body += vint(len(data))
    body += fields + extra
    hdr = vint(len(body)) + body
    return struct.pack("<I", crc(hdr)) + hdr + data


def rar5(members):
    out = b"Rar!\x1a\x07\x01\x00"
    out += rar5_block(1, 0, vint(0))            # main header, no flags
    for name, data, enc in members:
        n = name.encode("utf-8")
        extra = b""
        if enc:
            # version 0, no flags, KDF count 15, salt, IV
            rec = vint(1) + vint(0) + vint(0) + bytes([15]) + \
                os.urandom(32)
            extra = vint(len(rec)) + rec
            data = os.urandom((len(data) + 15) // 16 * 16)
            size = len(data)
        else:
            size = len(data)
        fields = (vint(0x0004) + vint(size) + vint(0x20) +
                  struct.pack("<I", crc(data)) + vint(0) + vint(0) +
                  vint(len(n)) + n)
        out += rar5_block(2, 0, fields, extra, data)
    out += rar5_block(5, 0, vint(0))            # end of archive
    return out


def rar4_block(htype, flags, rest):
    body = bytes([htype]) + struct.pack("<HH", flags, 7 + len(rest)) + rest
    return struct.pack("<H", crc(body) & 0xffff) + body


def rar4(members):
    out = b"Rar!\x1a\x07\x00"
    out += rar4_block(0x73, 0, b"\x00" * 6)     # archive header
    for name, data, enc in members:
        n = name.encode("utf-8")
        flags = 0x8000 | 0x0200 * any(c > 127 for c in n)
        fcrc, unp = crc(data), len(data)
        if enc:
            flags |= 0x0004
            data = os.urandom((len(data) + 15) // 16 * 16)
        rest = struct.pack("<IIBIIBBHI", len(data), unp, 2, fcrc, 0x5a210000, 29, 0x30,
                           len(n), 0x20) + n
        out += rar4_block(0x74, flags, rest) + data
    out += rar4_block(0x7b, 0x4000, b"")
    return out


def eml(src, dst, fname):
    data = base64.encodebytes(open(src, "rb").read()).decode()
    msg = ("From: Anna <anna@example.net>\n"
           "To: Bob <bob@example.org>\n"
           "Subject: the files\n"
           "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
           "Message-ID: <rar-%s@example.net>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"=_r1\"\n\n"
           "--=_r1\n"
           "Content-Type: text/plain; charset=utf-8\n\n"
           "please find the files attached.\n\n"
           "--=_r1\n"
           "Content-Type: application/x-rar-compressed\n"
           "Content-Disposition: attachment; filename=\"%s\"\n"
           "Content-Transfer-Encoding: base64\n\n%s\n--=_r1--\n"
           % (os.path.basename(dst), fname, data))
    open(dst, "w").write(msg)


def main(argv):
    if len(argv) == 5 and argv[1] == "eml":
        eml(argv[2], argv[3], argv[4])
        return 0
    if len(argv) < 4 or argv[1] not in ("4", "5"):
        sys.stderr.write(__doc__ or "usage: see the header\n")
        return 2
    members, enc = [], False
    for a in argv[3:]:
        if a == "-e":
            enc = True
            continue
        name, _, src = a.partition("=")
        members.append((name, content(src), enc))
        enc = False
    out = (rar4 if argv[1] == "4" else rar5)(members)
    open(argv[2], "wb").write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
