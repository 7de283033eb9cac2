#!/usr/bin/python3
"""mkpdf.py FILES OUT - PDF attachments for the corpus (issue 12): PDFs
written here object by object (with a correct xref), then some passed
through qpdf, the real tool, which rewrites them into compressed object
streams or adds an attachment.  Risky: JavaScript in an OpenAction, a
/Launch action, an embedded file, names spelled with #xx escapes, the
JavaScript inside a FlateDecode object stream, a /Launch PDF inside a zip.
Benign: a form without actions, a signed-looking PDF (/Sig, ByteRange),
a PDF whose image data happens to hold "/JS" bytes.  Messages go to
OUT/<name>.eml like mkmsg.py's."""
import base64
import os
import subprocess
import sys
import zipfile
import zlib

FILES, OUT = sys.argv[1], sys.argv[2]
CRLF = "\r\n"


def pdf(objs, root=1):
    """A PDF of the objects (bytes bodies, numbered from 1)."""
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" \
        % (len(objs) + 1, root, x)
    return out


def stream(dict_, data):
    return b"<< " + dict_ + b" /Length %d >>\nstream\n" % len(data) + \
        data + b"\nendstream"


PAGES = [b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
         b"/Contents 4 0 R >>",
         stream(b"", b"BT /F1 12 Tf 72 712 Td (Invoice) Tj ET")]


def write(name, data):
    with open(os.path.join(FILES, name), "wb") as f:
        f.write(data)


def catalog(extra):
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


JS = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hi'\\);) >>"
write("js.pdf", pdf([catalog(b"/OpenAction 5 0 R")] + PAGES + [JS]))
write("launch.pdf", pdf([catalog(b"/OpenAction 5 0 R")] + PAGES + [
    b"<< /Type /Action /S /Launch /F (cmd.exe) "
    b"/Win << /F (cmd.exe) /P (/c calc) >> >>"]))
# the escaped names a hand-made exploit kit writes
write("escaped.pdf", pdf([catalog(b"/OpenAction 5 0 R")] + PAGES + [
    b"<< /Type /Action /S /J#61va#53cript /J#53 (app.alert\\(1\\);) >>"]))
write("embedded.pdf", pdf([catalog(
    b"/Names << /EmbeddedFiles << /Names [(notes.txt) 5 0 R] >> >>")] +
    PAGES + [b"<< /Type /Filespec /F (notes.txt) /UF (notes.txt) "
             b"/EF << /F 6 0 R >> >>",
             stream(b"/Type /EmbeddedFile", b"Quarterly figures.\n")]))
# benign: an AcroForm with a text field, no actions at all
write("form.pdf", pdf([catalog(b"/AcroForm << /Fields [5 0 R] >>")] +
    PAGES + [b"<< /FT /Tx /T (name) /V (Anna) /Rect [72 600 300 620] "
             b"/Type /Annot /Subtype /Widget /P 3 0 R >>"]))
# benign: a signature field and value as a signing tool writes them
write("signed.pdf", pdf([catalog(
    b"/AcroForm << /Fields [5 0 R] /SigFlags 3 >>")] + PAGES + [
    b"<< /FT /Sig /T (Signature1) /V 6 0 R /Type /Annot /Subtype /Widget "
    b"/Rect [0 0 0 0] /P 3 0 R >>",
    b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter "
    b"/adbe.pkcs7.detached /ByteRange [0 100 200 300] /Contents <3082" +
    b"00" * 64 + b"> /M (D:20240101100000Z) /Name (Anna) >>"]))
# benign: image data (not Flate) and a Flate content stream; the image's
# bytes hold "/JS " and "/Launch " by chance
image = bytes(range(256)) + b"/JS /Launch /EF " + bytes(range(255, -1, -1))
write("image.pdf", pdf([catalog(b"")] + [
    PAGES[0], b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
    b"/Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
    stream(b"/Filter /FlateDecode",
           zlib.compress(b"q 100 0 0 100 72 600 cm /Im1 Do Q")),
    stream(b"/Type /XObject /Subtype /Image /Width 16 /Height 33 "
           b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
           image)]))


def qpdf(*args):
    subprocess.run(["qpdf"] + list(args), check=True)


f = lambda n: os.path.join(FILES, n)
# the JavaScript only inside a compressed object stream
qpdf("--object-streams=generate", "--compress-streams=y", f("js.pdf"),
     f("objstm.pdf"))
with open(f("objstm.pdf"), "rb") as fp:
    assert b"/JavaScript" not in fp.read(), "qpdf left the JS in clear"
# an attachment added by qpdf, in object streams too
qpdf("--object-streams=generate", f("form.pdf"), "--add-attachment",
     f("image.pdf"), "--", f("qembedded.pdf"))
# a benign form rewritten by qpdf: compressed, still nothing
qpdf("--object-streams=generate", "--compress-streams=y", f("form.pdf"),
     f("qform.pdf"))
# a program as the attachment qpdf adds (Flate-compressed), and one
# stored as it is
qpdf("--object-streams=generate", f("form.pdf"), "--add-attachment",
     f("pe.bin"), "--filename=update.exe", "--", f("qexe.pdf"))
with open(f("pe.bin"), "rb") as fp:
    write("exe.pdf", pdf([catalog(
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>")] +
        PAGES + [b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                 stream(b"/Type /EmbeddedFile", fp.read())]))
with zipfile.ZipFile(f("launch.zip"), "w") as z:
    z.write(f("launch.pdf"), "statement.pdf")


def read(name):
    with open(os.path.join(FILES, name), "rb") as fp:
        return fp.read()


def att(file, name, ctype="application/pdf"):
    s = base64.b64encode(read(file)).decode()
    return CRLF.join(["Content-Type: " + ctype,
                      'Content-Disposition: attachment; filename="%s"' % name,
                      "Content-Transfer-Encoding: base64", "",
                      CRLF.join(s[i:i + 76] for i in range(0, len(s), 76))])


def message(name, *parts):
    body = CRLF.join(["From: Anna <anna@example.net>",
                      "To: Bob <bob@example.org>", "Subject: test",
                      "Date: Mon, 1 Jan 2024 10:00:00 +0000",
                      "Message-ID: <%s@example.net>" % name,
                      "MIME-Version: 1.0",
                      'Content-Type: multipart/mixed; boundary="=_p"', "",
                      "--=_p", "Content-Type: text/plain", "",
                      "Please find the file attached."])
    for p in parts:
        body += CRLF + "--=_p" + CRLF + p
    body += CRLF + "--=_p--" + CRLF
    with open(os.path.join(OUT, name + ".eml"), "wb") as fp:
        fp.write(body.encode())


message("r-pdf-js", att("js.pdf", "invoice.pdf"))
message("r-pdf-launch", att("launch.pdf", "invoice.pdf"))
message("r-pdf-escaped", att("escaped.pdf", "invoice.pdf"))
message("r-pdf-embedded", att("embedded.pdf", "invoice.pdf"))
message("r-pdf-objstm", att("objstm.pdf", "invoice.pdf"))
message("r-pdf-qembedded", att("qembedded.pdf", "form.pdf"))
message("r-pdf-zip", att("launch.zip", "statements.zip", "application/zip"))
message("r-pdf-noname", att("js.pdf", "scan.dat", "application/octet-stream"))
message("r-pdf-qexe", att("qexe.pdf", "form.pdf"))
message("r-pdf-exe", att("exe.pdf", "invoice.pdf"))
message("b-pdf-form", att("form.pdf", "form.pdf"))
message("b-pdf-qform", att("qform.pdf", "form.pdf"))
message("b-pdf-signed", att("signed.pdf", "contract.pdf"))
message("b-pdf-image", att("image.pdf", "scan.pdf"))
