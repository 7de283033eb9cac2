#!/usr/bin/python3
# e2etool.py - the end-to-end tests' helpers that are easier in Python than
# in shell.  Standard library only, except python3-dkim (dkimpy) for the
# Ed25519 signer and the control verifier: an implementation independent of
# relaywarden (which uses libopendkim).
#
#   free-port [udp]                  print a free loopback port
#   send PORT HELO ADDR NAME -- FROM TO FILE [FROM TO FILE ...]
#                                    one SMTP session to 127.0.0.1:PORT; when
#                                    ADDR is not "-", XCLIENT ADDR NAME HELO
#                                    first; then each message in turn; prints
#                                    "FILE CODE TEXT" per message.  FROM "<>"
#                                    is the null sender.
#   ar FILE AUTHSERV-ID              our Authentication-Results, one line per
#                                    result: "method=result ptype.prop=value.."
#   ar-ids FILE                      the authserv-id of every A-R header
#   summary-ar FILE AUTHSERV-ID      the results reduced to the lines that
#   summary-json JSONFILE            relaywarden-check --json gives, so the
#                                    two can be compared verbatim
#   sign-ed25519 FILE DOMAIN SELECTOR SEED_B64
#                                    prints FILE signed (relaxed/relaxed)
#   verify FILE ZONEFILE             checks every DKIM-Signature in FILE with
#                                    keys from the zone file: "d s a result"
#   header FILE NAME                 every value of header NAME, unfolded
#   ar-json JSONFILE                 like ar, for the authentication_results
#                                    value of relaywarden-check --json
#   queue-id FILE                    the queue id in the newest Received
#   mkatt OUT FROM TO SUBJECT MSGID FILE NAME CTYPE
#                                    a multipart message with FILE attached
#                                    as NAME (base64), LF line ends
#   mkdocm OUT VBAPROJECT            a Word .docm (OOXML zip) holding the
#                                    given vbaProject.bin (tests/attach/
#                                    mkole.py --vba makes one)
#   cmdstats BEFORE AFTER            two `INFO commandstats` outputs: "cmd
#                                    calls" for each command whose count
#                                    grew, sorted
#   monitor FILE                     a `redis-cli MONITOR` capture: the
#                                    commands clients sent themselves (not
#                                    those a script ran), as "cmd count"
#                                    lines, then "connections N"; clients
#                                    that sent only INFO are left out
#   verdict-json JSONFILE            from relaywarden-check --json: "action
#                                    score rule,rule" then the verdict
#                                    header (unfolded), then "sender" when
#                                    the report has a sender section
#   verdict-header FILE              the X-Relaywarden value as "action
#                                    score rule,rule" (its reasons= list)
#
# Messages on disk use LF line ends; SMTP and the DKIM code get CRLF.
import json
import re
import smtplib
import socket
import sys


def die(msg):
    sys.stderr.write("e2etool: %s\n" % msg)
    sys.exit(2)


def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_free_port(args):
    kind = socket.SOCK_DGRAM if args and args[0] == "udp" else \
        socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_send(args):
    if len(args) < 5 or args[4] != "--" or (len(args) - 5) % 3 != 0 or \
            len(args) == 5:
        die("usage: send PORT HELO ADDR NAME -- FROM TO FILE ...")
    port, helo, addr, name = int(args[0]), args[1], args[2], args[3]
    msgs = [args[i:i + 3] for i in range(5, len(args), 3)]
    s = smtplib.SMTP("127.0.0.1", port, local_hostname=helo, timeout=30)
    s.ehlo(helo)
    if addr != "-":
        # XCLIENT resets the session and greets again; the EHLO that
        # follows sets the HELO name the milter sees.
        code, text = s.docmd("XCLIENT", "ADDR=%s NAME=%s HELO=%s" %
                             (addr, name, helo))
        if code != 220:
            die("XCLIENT refused: %d %s" % (code, text.decode()))
        s.ehlo_resp = None
        s.does_esmtp = False
        s.ehlo(helo)
    for sender, rcpt, path in msgs:
        if sender == "<>":
            sender = ""
        code, text = s.mail(sender)
        if code == 250:
            code, text = s.rcpt(rcpt)
        if code in (250, 251):
            code, text = s.data(crlf(read_bytes(path)))
        else:
            s.rset()
        print("%s %d %s" % (path, code,
                            text.decode(errors="replace").replace("\n", " ")))
    s.quit()


def raw_headers(data):
    """List of (name, unfolded value) of a message's header."""
    data = data.replace(b"\r\n", b"\n")
    head = data.split(b"\n\n", 1)[0].decode("latin-1")
    out = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1][1] += " " + line.strip()
        elif ":" in line:
            n, v = line.split(":", 1)
            out.append([n.strip(), v.strip()])
    return out


def strip_comments(s):
    """Removes RFC 5322 comments, keeping quoted strings intact."""
    out, depth, quoted, i = [], 0, False, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and (quoted or depth) and i + 1 < len(s):
            if not depth:
                out.append(s[i:i + 2])
            i += 2
            continue
        if quoted:
            out.append(c)
            if c == '"':
                quoted = False
        elif c == "(":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
        elif depth:
            pass
        else:
            out.append(c)
            if c == '"':
                quoted = True
        i += 1
    return " ".join("".join(out).split())


def split_semis(s):
    parts, cur, quoted = [], [], False
    for c in s:
        if c == '"':
            quoted = not quoted
        if c == ";" and not quoted:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur).strip())
    return parts


TOKEN = re.compile(r'([^\s=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)')


def parse_ar(value):
    """Returns (authserv-id, [[(name, value), ...], ...])."""
    parts = split_semis(strip_comments(value))
    ident = parts[0].split()[0].lower() if parts[0] else ""
    results = []
    for p in parts[1:]:
        if not p or p.lower() == "none":
            continue
        toks = [(k.lower(), v.strip('"')) for k, v in TOKEN.findall(p)]
        if toks:
            results.append(toks)
    return ident, results


def our_results(path, ident):
    res = []
    for n, v in raw_headers(read_bytes(path)):
        if n.lower() != "authentication-results":
            continue
        i, r = parse_ar(v)
        if i == ident.lower():
            res.extend(r)
    return res


def cmd_ar(args):
    for r in our_results(args[0], args[1]):
        print(" ".join("%s=%s" % (k, v) for k, v in r))


def cmd_ar_json(args):
    """The results of the "authentication_results" value in a
    relaywarden-check --json report, as cmd_ar prints them."""
    with open(args[0]) as f:
        v = json.load(f).get("authentication_results") or ""
    for r in parse_ar(v)[1]:
        print(" ".join("%s=%s" % (k, x) for k, x in r))


def cmd_queue_id(args):
    """The queue id in the newest Received header (Postfix's own)."""
    for n, v in raw_headers(read_bytes(args[0])):
        if n.lower() == "received":
            m = re.search(r"\bid ([0-9A-Za-z]+)", v)
            print(m.group(1) if m else "-")
            return


def cmd_ar_ids(args):
    for n, v in raw_headers(read_bytes(args[0])):
        if n.lower() == "authentication-results":
            print(parse_ar(v)[0])


def cmd_header(args):
    for n, v in raw_headers(read_bytes(args[0])):
        if n.lower() == args[1].lower():
            print(v)


def summary_lines(spf, helo, dkims, dmarc):
    # "dkim=none" without a domain is the header's way to say what an
    # empty list says in JSON.
    dkims = [t for t in dkims if t[0] != "none" or t[1] != "-"]
    out = ["spf=%s" % spf, "helo_spf=%s" % helo]
    out += sorted("dkim=%s d=%s s=%s" % t for t in dkims)
    out.append("dmarc=%s from=%s" % dmarc)
    return out


def cmd_summary_ar(args):
    spf, helo, dkims, dmarc = "-", "-", [], ("-", "-")
    for r in our_results(args[0], args[1]):
        method, result = r[0][0].split("/")[0], r[0][1].lower()
        props = dict(r[1:])
        if method == "spf" and "smtp.mailfrom" in props:
            spf = result
        elif method == "spf" and "smtp.helo" in props:
            helo = result
        elif method == "dkim":
            dkims.append((result, props.get("header.d", "-").lower(),
                          props.get("header.s", "-")))
        elif method == "dmarc":
            dmarc = (result, props.get("header.from", "-").lower())
    print("\n".join(summary_lines(spf, helo, dkims, dmarc)))


def result_of(v):
    if isinstance(v, dict):
        return str(v.get("result", "-")).lower()
    return "-" if v is None else str(v).lower()


def cmd_summary_json(args):
    with open(args[0]) as f:
        j = json.load(f)
    dkims = [(result_of(d), str(d.get("domain", "-")).lower(),
              str(d.get("selector", "-"))) for d in j.get("dkim") or []]
    dm = j.get("dmarc") or {}
    print("\n".join(summary_lines(
        result_of(j.get("spf")), result_of(j.get("helo_spf")), dkims,
        (result_of(dm), str(dm.get("from_domain", "-")).lower()))))


def cmd_sign_ed25519(args):
    import dkim
    path, domain, selector, seed = args
    msg = crlf(read_bytes(path))
    sig = dkim.sign(msg, selector.encode(), domain.encode(), seed.encode(),
                    canonicalize=(b"relaxed", b"relaxed"),
                    signature_algorithm=b"ed25519-sha256",
                    include_headers=[b"from", b"to", b"subject", b"date",
                                     b"message-id"])
    out = (sig + msg).replace(b"\r\n", b"\n")
    sys.stdout.buffer.write(out)


def zone_txt(zonefile):
    """TXT records of a zone file in our format: name TTL IN TXT "a" "b"."""
    txt = {}
    with open(zonefile) as f:
        for line in f:
            m = re.match(r'\s*(\S+)\s+\d+\s+IN\s+TXT\s+(.*)$', line)
            if m:
                name = m.group(1).rstrip(".").lower()
                val = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
                txt.setdefault(name, []).append(val)
    return txt


def cmd_verify(args):
    import dkim
    txt = zone_txt(args[1])

    def dnsfunc(name, timeout=5):
        n = name.decode().rstrip(".").lower()
        v = txt.get(n)
        return v[0].encode() if v else None

    msg = crlf(read_bytes(args[0]))
    d = dkim.DKIM(msg, minkey=1024)
    sigs = [v for n, v in raw_headers(msg) if n.lower() == "dkim-signature"]
    for idx, v in enumerate(sigs):
        tags = dict((k.strip(), x.strip()) for k, x in
                    (t.split("=", 1) for t in v.split(";") if "=" in t))
        try:
            ok = d.verify(idx=idx, dnsfunc=dnsfunc)
        except Exception as e:  # a broken signature is a result here
            sys.stderr.write("verify: %s\n" % e)
            ok = False
        print("%s %s %s %s" % (tags.get("d"), tags.get("s"), tags.get("a"),
                               "pass" if ok else "fail"))


def cmd_mkatt(args):
    import base64
    out, frm, to, subject, msgid, path, name, ctype = args
    b = base64.b64encode(read_bytes(path)).decode()
    b = "\n".join(b[i:i + 76] for i in range(0, len(b), 76))
    msg = "\n".join([
        "From: %s" % frm, "To: %s" % to, "Subject: %s" % subject,
        "Date: Thu, 01 Jan 2026 10:00:00 +0000",
        "Message-ID: <%s>" % msgid, "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"', "",
        "--b1", "Content-Type: text/plain", "",
        "Please see the attached document.", "",
        "--b1", 'Content-Type: %s; name="%s"' % (ctype, name),
        'Content-Disposition: attachment; filename="%s"' % name,
        "Content-Transfer-Encoding: base64", "", b, "--b1--", ""])
    with open(out, "w", newline="") as f:
        f.write(msg)


def cmd_mkdocm(args):
    import zipfile
    out, vba = args
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="'
          'application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Default Extension="bin" ContentType="application/'
          'vnd.ms-office.vbaProject"/><Override PartName="/word/'
          'document.xml" ContentType="application/vnd.ms-word.document.'
          'macroEnabled.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="'
            'http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Invoice'
           '</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", doc)
        z.writestr("word/vbaProject.bin", read_bytes(vba))


def commandstats(path):
    calls = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line.strip())
            if m:
                calls[m.group(1)] = int(m.group(2))
    return calls


def cmd_cmdstats(args):
    a, b = commandstats(args[0]), commandstats(args[1])
    for c in sorted(b):
        if b[c] > a.get(c, 0):
            print("%s %d" % (c, b[c] - a.get(c, 0)))


MONITOR = re.compile(r'^[0-9.]+ \[\d+ ([^\]]+)\] "([^"]*)"(?: "([^"]*)")?')


def cmd_monitor(args):
    per = {}
    with open(args[0], errors="replace") as f:
        for line in f:
            m = MONITOR.match(line)
            if not m or m.group(1) == "lua":
                continue
            cmd = m.group(2).lower()
            if cmd in ("script", "client", "config") and m.group(3):
                cmd += "|" + m.group(3).lower()
            per.setdefault(m.group(1), []).append(cmd)
    clients = {k: v for k, v in per.items() if set(v) != {"info"}}
    counts = {}
    for v in clients.values():
        for c in v:
            counts[c] = counts.get(c, 0) + 1
    for c in sorted(counts):
        print("%s %d" % (c, counts[c]))
    print("connections %d" % len(clients))


def cmd_verdict_json(args):
    with open(args[0]) as f:
        j = json.load(f)
    v = j.get("verdict") or {}
    rules = [r.get("rule", "?") for r in v.get("reasons") or []
             if not r.get("whatif")]
    print("%s %s %s" % (v.get("action"), v.get("score"), ",".join(rules)))
    print(re.sub(r"\r?\n[ \t]+", " ", j.get("verdict_header") or ""))
    if isinstance(j.get("sender"), dict):
        print("sender")


def cmd_verdict_header(args):
    for n, v in raw_headers(read_bytes(args[0])):
        if n.lower() != "x-relaywarden":
            continue
        f = dict((k.strip(), x.strip()) for k, x in
                 (t.split("=", 1) for t in v.split(";") if "=" in t))
        print("%s %s %s" % (f.get("action"), f.get("score"),
                            re.sub(r"\([^)]*\)", "", f.get("reasons", ""))
                            .replace(" ", "")))
        return


COMMANDS = {
    "free-port": cmd_free_port, "send": cmd_send, "ar": cmd_ar,
    "ar-ids": cmd_ar_ids, "ar-json": cmd_ar_json, "header": cmd_header,
    "queue-id": cmd_queue_id, "mkatt": cmd_mkatt, "mkdocm": cmd_mkdocm,
    "cmdstats": cmd_cmdstats, "monitor": cmd_monitor,
    "verdict-json": cmd_verdict_json, "verdict-header": cmd_verdict_header,
    "summary-ar": cmd_summary_ar, "summary-json": cmd_summary_json,
    "sign-ed25519": cmd_sign_ed25519, "verify": cmd_verify,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die("usage: e2etool.py %s ..." % "|".join(sorted(COMMANDS)))
    COMMANDS[sys.argv[1]](sys.argv[2:])
