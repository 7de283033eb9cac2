#!/usr/bin/python3
"""mkmsg.py FILES OUT - wraps the corpus files made by mkcorpus into test
messages OUT/<name>.eml: benign ones (b-*), risky ones (r-*) and
malformed ones (m-*).  Every filename encoding the attachment policy must
decode is here: plain, RFC 2231 (charset, continuations), RFC 2047 words
inside quotes (B and Q), raw UTF-8, trailing dots and blanks, case, a
right-to-left override, a zero-width space.  Base64 is computed here from
the generated files; nothing is a stored blob."""
import base64
import os
import sys

FILES, OUT = sys.argv[1], sys.argv[2]
CRLF = "\r\n"


def read(name):
    with open(os.path.join(FILES, name), "rb") as f:
        return f.read()


def b64(data):
    s = base64.b64encode(data).decode()
    return CRLF.join(s[i:i + 76] for i in range(0, len(s), 76))


def part(body, ctype="text/plain; charset=utf-8", disp=None, enc=None,
         extra=()):
    h = ["Content-Type: " + ctype]
    if disp:
        h.append("Content-Disposition: " + disp)
    if enc:
        h.append("Content-Transfer-Encoding: " + enc)
    h.extend(extra)
    return CRLF.join(h) + CRLF + CRLF + body


def att(name, disp, ctype="application/octet-stream", data=None):
    """An attachment of file `name` with raw parameter text `disp`."""
    return part(b64(read(name) if data is None else data), ctype,
                disp, "base64")


def multipart(parts, sub="mixed", boundary="=_b1", close=True):
    s = "Content-Type: multipart/%s; boundary=\"%s\"" % (sub, boundary)
    s += CRLF + CRLF + "This is a multi-part message." + CRLF
    for p in parts:
        s += "--" + boundary + CRLF + p + CRLF
    if close:
        s += "--" + boundary + "--" + CRLF
    return s


def message(name, body, subject="test"):
    head = CRLF.join([
        "Received: from mx.example.net (mx.example.net [192.0.2.1])",
        "\tby mx.example.org; Mon, 1 Jan 2024 10:00:00 +0000",
        "From: Anna <anna@example.net>",
        "To: Bob <bob@example.org>",
        "Subject: " + subject,
        "Date: Mon, 1 Jan 2024 10:00:00 +0000",
        "Message-ID: <%s@example.net>" % name,
        "MIME-Version: 1.0"])
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write((head + CRLF + body).encode("utf-8"))


TEXT = part("Hello,\r\nplease find the file attached.\r\n")


def simple(name, *atts, sub="mixed"):
    message(name, multipart([TEXT] + list(atts), sub))


# --- benign ----------------------------------------------------------
message("b-text", part("Just text, no attachment.\r\n"))
simple("b-pdf", att("doc.pdf", 'attachment; filename="report.pdf"',
                    "application/pdf"))
simple("b-png", att("image.png", 'inline; filename="logo.png"',
                    "image/png", ))
simple("b-zip", att("plain.zip", 'attachment; filename="docs.zip"',
                    "application/zip"))
simple("b-7z", att("plain.7z", 'attachment; filename="notes.7z"',
                   "application/x-7z-compressed"))
simple("b-targz", att("plain.tar.gz", 'attachment; filename="docs.tar.gz"',
                      "application/gzip"))
simple("b-docx", att("report.docx", 'attachment; filename="report.docx"',
                     "application/vnd.openxmlformats-officedocument."
                     "wordprocessingml.document"))
simple("b-odt", att("plain.odt", 'attachment; filename="minutes.odt"',
                    "application/vnd.oasis.opendocument.text"))
simple("b-doc", att("clean.doc", 'attachment; filename="minutes.doc"',
                    "application/msword"))
XLS, XLSX = ("application/vnd.ms-excel", "application/vnd.openxmlformats-"
             "officedocument.spreadsheetml.sheet")
simple("b-xls", att("clean.xls", 'attachment; filename="q3.xls"', XLS))
simple("b-xls-mini", att("clean-mini.xls", 'attachment; filename="q3.xls"',
                         XLS))
simple("b-xlsx", att("clean.xlsx", 'attachment; filename="q3.xlsx"', XLSX))
simple("r-xls-xlm", att("xlm.xls", 'attachment; filename="q3.xls"', XLS))
simple("r-xls-xlm-mini", att("xlm-mini.xls", 'attachment; filename="q3.xls"',
                             XLS))
simple("r-xls-enc", att("enc.xls", 'attachment; filename="q3.xls"', XLS))
simple("r-xlsm-xlm", att("xlm.xlsm", 'attachment; filename="q3.xlsm"'))
simple("r-xlsx-xlm-renamed", att("xlm-renamed.xlsx",
                                 'attachment; filename="q3.xlsx"', XLSX))
simple("b-html", att("newsletter.html",
                     'attachment; filename="newsletter.html"', "text/html"))
simple("b-names",
       att("doc.pdf", 'attachment; filename="=?utf-8?B?%s?="' %
           base64.b64encode("Bericht März.pdf".encode()).decode(),
           "application/pdf"),
       att("doc.pdf", 'attachment; filename="Übersicht.pdf"',
           "application/pdf"),
       att("notes.txt", "attachment; filename*0*=utf-8''Notes%20for;"
           " filename*1=\" the meeting.txt\"", "text/plain"))
message("b-uu", part("Here it is:\r\n\r\n" +
                     read("notes.uu").decode().replace("\n", CRLF)))
message("b-alternative", multipart([
    part("Plain version\r\n"),
    part("<html><body><p>HTML version</p></body></html>\r\n",
         "text/html; charset=utf-8")], "alternative"))
inner = ("From: Carol <carol@example.net>\r\nTo: anna@example.net\r\n"
         "Subject: original\r\nMIME-Version: 1.0\r\n" +
         multipart([TEXT, att("doc.pdf", 'attachment; filename="a.pdf"',
                              "application/pdf")], boundary="=_inner"))
simple("b-rfc822", part(inner, "message/rfc822",
                        'attachment; filename="fwd.eml"'))

# --- risky -----------------------------------------------------------
EXE = "pe.bin"
simple("r-exe", att(EXE, 'attachment; filename="invoice.exe"'))
simple("r-exe-as-pdf", att(EXE, 'attachment; filename="invoice.pdf"',
                           "application/pdf"))
simple("r-double", att(EXE, 'attachment; filename="invoice.pdf.exe"'))
simple("r-rlo", att(EXE, "attachment; filename*=utf-8''"
                    "invoice%E2%80%AEfdp.exe"))
simple("r-zwsp", att(EXE, "attachment; filename*=utf-8''invoice.e%E2%80%8Bxe"))
simple("r-2231-cont", att(EXE, "attachment; filename*0*=utf-8''ev;"
                          " filename*1*=il%2Eexe"))
simple("r-2047-b", att(EXE, 'attachment; filename="=?utf-8?B?%s?="' %
                       base64.b64encode(b"rechnung.exe").decode()))
simple("r-2047-q", att(EXE, 'attachment; filename="=?iso-8859-1?Q?'
                       'r=E9sum=E9.scr?="'))
simple("r-2231-latin1", att(EXE, "attachment; filename*=iso-8859-1''"
                            "r%E9sum%E9.scr"))
simple("r-trailing", att(EXE, 'attachment; filename="evil.exe. . ."'))
simple("r-case", att(EXE, 'attachment; filename="EVIL.EXE"'))
simple("r-ctname", part(b64(b'WScript.Echo("hi");\r\n'),
                        'application/octet-stream; name="run.js"',
                        None, "base64"))
simple("r-namediff", att(EXE, 'attachment; filename="report.pdf"',
                         'application/pdf; name="report.exe"'))
message("r-uu", part("See below.\r\n\r\n" +
                     read("setup.uu").decode().replace("\n", CRLF)))
inner = ("From: Carol <carol@example.net>\r\nTo: anna@example.net\r\n"
         "Subject: original\r\nMIME-Version: 1.0\r\n" +
         multipart([TEXT, att(EXE, 'attachment; filename="invoice.exe"')],
                   boundary="=_inner"))
simple("r-rfc822", part(inner, "message/rfc822",
                        'attachment; filename="fwd.eml"'))
for name, file, fn in [
        ("r-zip", "evil.zip", "invoice.zip"),
        ("r-nested", "outer.zip", "outer.zip"),
        ("r-enc-zip", "enc.zip", "notes.zip"),
        ("r-enc-exe-zip", "enc-exe.zip", "invoice.zip"),
        ("r-enc-7z", "enc.7z", "notes.7z"),
        ("r-enchdr-7z", "enchdr.7z", "notes.7z"),
        ("r-damaged-7z", "damaged.7z", "notes.7z"),
        ("r-damaged-data-zip", "damaged-data.zip", "notes.zip"),
        ("r-damaged-hdr-zip", "damaged-hdr.zip", "notes.zip"),
        ("r-cut-zip", "cut.zip", "notes.zip"),
        ("r-crc-zip", "crc.zip", "notes.zip"),
        ("r-crc-benign-zip", "crc-benign.zip", "notes.zip"),
        ("r-iso", "disk.iso", "disk.iso"),
        ("r-targz", "scripts.tar.gz", "scripts.tar.gz"),
        ("r-gz", "evil.exe.gz", "evil.exe.gz"),
        ("r-cab", "setup.cab", "setup.cab"),
        ("r-docm", "report.docm", "report.docm"),
        ("r-renamed-docx", "renamed.docx", "report.docx"),
        ("r-doc-macro", "macro.doc", "minutes.doc"),
        ("r-zip-docm", "bundle.zip", "bundle.zip"),
        ("r-odt-macro", "macro.odt", "minutes.odt"),
        ("r-smuggle", "smuggle.html", "document.html"),
        ("r-eicar-com", "eicar.bin", "eicar.com"),
        ("r-bomb-zip", "bomb.zip", "archive.zip"),
        ("r-bomb-targz", "bomb.tar.gz", "archive.tar.gz"),
        ("r-many", "many.zip", "many.zip"),
        ("r-slow-zip", "slow.zip", "documents.zip"),
        ("m-loop-ole", "loop.doc", "minutes.doc")]:
    simple(name, att(file, 'attachment; filename="%s"' % fn))
simple("r-eicar-txt", att("eicar.bin", 'attachment; filename="eicar.txt"',
                          "text/plain"))

# --- malformed -------------------------------------------------------
message("m-noend", multipart([TEXT, att(EXE, 'attachment; filename='
                                        '"invoice.exe"')], close=False))
deep, tail = "", ""
for i in range(200):
    deep += ("Content-Type: multipart/mixed; boundary=\"d%d\"\r\n\r\n"
             "--d%d\r\n" % (i, i))
    tail = "\r\n--d%d--\r\n" % i + tail
message("m-deep", deep + "Content-Type: text/plain\r\n\r\nbottom" + tail)
message("m-longhdr", multipart([TEXT, part(
    "x\r\n", extra=["X-Long: " + "a" * 70000])]))
bad = b64(read("doc.pdf"))
bad = bad[:40] + "!!**%%" + bad[40:]
simple("m-badb64", part(bad, "application/pdf",
                        'attachment; filename="report.pdf"', "base64"))
message("m-parts", multipart([part("p%d\r\n" % i) for i in range(600)]))
message("m-longline", part("x" * 100000 + "\r\n"))
