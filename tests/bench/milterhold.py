#!/usr/bin/python3
"""milterhold.py - holds milter connections open, as a hostile local peer
would: for tests of relaywarden's connection cap, its bound on the header
bytes one message may hold, its milter timeout, and for measuring the
memory such connections pin.

  milterhold.py SOCKET N HEADER_BYTES [--eom] [--idle SECONDS] [--stall]

Opens N connections to SOCKET (unix:PATH or inet:PORT@ADDR); on each:
option negotiation (protocol v6, no "no reply" steps, so every step is
answered), CONNECT, HELO, MAIL, RCPT, then HEADER_BYTES of header fields
in 60,000-byte X-Fill fields (libmilter's packet limit is 64 KiB).
Prints "conn I connect=R" (R: the milter's reply letter, or eof) and, with
--eom, ends the message (EOH, a small body, EOB) and prints
"conn I result=R" (the final reply: a accept, c continue, t tempfail,
r reject, d discard, y reply code).  With --idle, waits SECONDS after
HELO, then sends MAIL and prints "conn I after_idle=R" (eof: the milter
closed the connection).  With --stall, sends half of a MAIL command after
HELO and prints "conn I stall=R after=S" when the milter gives up on it
(R: eof) or after 30 s (R: open).  Then prints "ready" and holds every
connection until its stdin closes.
"""
import socket
import struct
import sys
import time

FINAL = b"acrtdy"


def open_sock(spec):
    if spec.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(spec[5:])
    else:
        port, addr = spec[5:].split("@")
        s = socket.create_connection((addr, int(port)))
    return s


def send(s, cmd, data=b""):
    s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def reply(s):
    """The next reply letter, skipping progress; "eof" when closed."""
    try:
        while True:
            (n,) = struct.unpack(">I", recv_exact(s, 4))
            pkt = recv_exact(s, n)
            if pkt[:1] != b"p":
                return pkt[:1].decode()
    except (EOFError, ConnectionError):
        return "eof"


def final(s):
    while True:
        r = reply(s)
        if r == "eof" or r.encode() in FINAL:
            return r


def main():
    args = sys.argv[1:]
    eom = "--eom" in args
    idle = 0.0
    if "--idle" in args:
        idle = float(args[args.index("--idle") + 1])
        del args[args.index("--idle"):args.index("--idle") + 2]
    stall = "--stall" in args
    args = [a for a in args if a not in ("--eom", "--stall")]
    spec, n, hbytes = args[0], int(args[1]), int(args[2])
    conns = []
    for i in range(n):
        s = open_sock(spec)
        conns.append(s)
        send(s, b"O", struct.pack(">III", 6, 0x1ff, 0))
        r = reply(s)
        if r != "O":
            print("conn %d negotiate=%s" % (i, r), flush=True)
            continue
        send(s, b"C", b"client.example\0" + b"4" + struct.pack(">H", 25)
             + b"192.0.2.1\0")
        r = reply(s)
        print("conn %d connect=%s" % (i, r), flush=True)
        if r != "c":
            continue		# refused: the MTA would say 4xx and stop
        send(s, b"H", b"client.example\0")
        reply(s)
        if stall:
            t0 = time.monotonic()
            s.sendall(struct.pack(">I", 100) + b"M<a@sender")
            s.settimeout(30)
            try:
                r = "eof" if s.recv(1) == b"" else "data"
            except socket.timeout:
                r = "open"
            except ConnectionError:
                r = "eof"
            print("conn %d stall=%s after=%.1f"
                  % (i, r, time.monotonic() - t0), flush=True)
            continue
        if idle:
            time.sleep(idle)
        send(s, b"M", b"<a@sender.example>\0")
        r = reply(s)
        if idle:
            print("conn %d after_idle=%s" % (i, r), flush=True)
            continue
        send(s, b"R", b"<b@rcpt.example>\0")
        reply(s)
        left = hbytes
        while left > 0:
            v = b"x" * min(60000, left)
            left -= len(v)
            send(s, b"L", b"X-Fill\0 " + v + b"\0")
            if reply(s) == "eof":
                break
        if eom:
            send(s, b"L", b"From\0 a@sender.example\0")
            reply(s)
            send(s, b"N")
            reply(s)
            send(s, b"B", b"hello\r\n")
            reply(s)
            send(s, b"E")
            print("conn %d result=%s" % (i, final(s)), flush=True)
    print("ready", flush=True)
    sys.stdin.read()
    for s in conns:
        try:
            send(s, b"Q")
        except OSError:
            pass
        s.close()


if __name__ == "__main__":
    main()
