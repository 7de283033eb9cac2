#!/usr/bin/python3
"""mktnef.py [--eml] OUT ITEM... - writes a TNEF stream (winmail.dat,
[MS-OXTNEF] 2.1.3) to OUT, or with --eml a message carrying it as
application/ms-tnef.  Debian packages no TNEF writer, so this is one:
signature 0x223E9F78, key, then attributes (level, id, length, data,
checksum).  ITEMs, in order:
  rtf=TEXT            message MAPI props with PR_RTF_COMPRESSED (the
                      rich-text body Outlook sends)
  att=TITLE=FILE      an attachment: attAttachRenddata, attAttachTitle,
                      attAttachData with FILE's bytes
  long=NAME           the last attachment's PR_ATTACH_LONG_FILENAME
  obj=TITLE=FILE      an attachment whose bytes are PR_ATTACH_DATA_OBJ
                      (PT_OBJECT: a 16-byte interface id, then FILE)
  data=FILE           one more attAttachData on the last attachment
  many=N=FILE         N attachments part-I.txt of FILE's bytes
  cut=N               drop the last N bytes of the stream
  badsum              spoil the last attribute's checksum"""
import base64
import struct
import sys

SIG = 0x223E9F78
LVL_MSG, LVL_ATT = 1, 2
ATT_VERSION = 0x00089006
ATT_CLASS = 0x00078008
ATT_MAPI_MSG = 0x00069003
ATT_RENDDATA = 0x00069002
ATT_TITLE = 0x00018010
ATT_DATA = 0x0006800F
ATT_MAPI_ATT = 0x00069005
PT_LONG, PT_OBJECT, PT_STRING8, PT_BINARY = 0x0003, 0x000D, 0x001E, 0x0102


def attr(level, aid, data):
    return (struct.pack("<BII", level, aid, len(data)) + data +
            struct.pack("<H", sum(data) & 0xffff))


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def prop(ptype, pid, value):
    tag = struct.pack("<I", pid << 16 | ptype)
    if ptype == PT_LONG:
        return tag + struct.pack("<I", value)
    return tag + struct.pack("<II", 1, len(value)) + pad4(value)


def mapi(props):
    return struct.pack("<I", len(props)) + b"".join(props)


def rtf_compressed(text):
    raw = text.encode()
    # Uncompressed form ("MELA"): COMPSIZE, RAWSIZE, COMPTYPE, CRC.
    return struct.pack("<IIII", len(raw) + 12, len(raw), 0x414C454D,
                       0) + raw


def renddata():
    return struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def build(items):
    out = [struct.pack("<IH", SIG, 0x1234),
           attr(LVL_MSG, ATT_VERSION, struct.pack("<I", 0x00010000)),
           attr(LVL_MSG, ATT_CLASS, b"IPM.Microsoft Mail.Note\0")]
    cut, badsum = 0, False
    for it in items:
        key, _, rest = it.partition("=")
        if key == "rtf":
            out.append(attr(LVL_MSG, ATT_MAPI_MSG, mapi(
                [prop(PT_BINARY, 0x1009, rtf_compressed(rest))])))
        elif key in ("att", "obj"):
            title, _, path = rest.partition("=")
            out.append(attr(LVL_ATT, ATT_RENDDATA, renddata()))
            out.append(attr(LVL_ATT, ATT_TITLE, title.encode() + b"\0"))
            if key == "att":
                out.append(attr(LVL_ATT, ATT_DATA, read(path)))
            else:
                out.append(attr(LVL_ATT, ATT_MAPI_ATT, mapi([
                    prop(PT_LONG, 0x3705, 6),
                    prop(PT_OBJECT, 0x3701, b"\x0b" * 16 + read(path))])))
        elif key == "long":
            out.append(attr(LVL_ATT, ATT_MAPI_ATT, mapi(
                [prop(PT_STRING8, 0x3707, rest.encode() + b"\0")])))
        elif key == "data":
            out.append(attr(LVL_ATT, ATT_DATA, read(rest)))
        elif key == "many":
            n, _, path = rest.partition("=")
            for i in range(int(n)):
                out.append(attr(LVL_ATT, ATT_RENDDATA, renddata()))
                out.append(attr(LVL_ATT, ATT_TITLE,
                                b"part-%d.txt\0" % i))
                out.append(attr(LVL_ATT, ATT_DATA, read(path)))
        elif key == "cut":
            cut = int(rest)
        elif key == "badsum":
            badsum = True
        else:
            sys.exit("mktnef: unknown item " + it)
    if badsum:
        last = bytearray(out[-1])
        last[-1] ^= 0xff
        out[-1] = bytes(last)
    s = b"".join(out)
    return s[:len(s) - cut] if cut else s


def eml(tnef):
    b64 = base64.encodebytes(tnef).decode().replace("\n", "\r\n")
    return ("From: a@partner.example\r\nTo: b@dest.example\r\n"
            "Subject: RE: the files\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "Please see the attached.\r\n\r\n"
            "--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\""
            "\r\nContent-Disposition: attachment; filename=\"winmail.dat\""
            "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64 +
            "\r\n--b--\r\n").encode()


def main(argv):
    as_eml = argv[:1] == ["--eml"]
    if as_eml:
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    data = build(argv[1:])
    with open(argv[0], "wb") as f:
        f.write(eml(data) if as_eml else data)


if __name__ == "__main__":
    main(sys.argv[1:])
