"""JetStream stream sizes over the NATS client protocol (no nats CLI on this machine)."""

import json
import socket


def _request(sock, buf, subject, inbox):
    sock.sendall(("PUB %s %s 0\r\n\r\n" % (subject, inbox)).encode())
    while True:
        while b"\r\n" not in buf[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("NATS closed the connection")
            buf[0] += chunk
        line, rest = buf[0].split(b"\r\n", 1)
        buf[0] = rest
        if line.startswith(b"PING"):
            sock.sendall(b"PONG\r\n")
            continue
        if not line.startswith(b"MSG "):
            continue
        size = int(line.split()[-1])
        while len(buf[0]) < size + 2:
            buf[0] += sock.recv(65536)
        payload, buf[0] = buf[0][:size], buf[0][size + 2:]
        return json.loads(payload)


def stream_sizes(port):
    """{stream name: (messages, bytes, first_seq, last_seq)} of every JetStream stream."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        buf = [b""]
        sock.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.bench 1\r\n')
        names = _request(sock, buf, "$JS.API.STREAM.NAMES", "_INBOX.bench").get("streams") or []
        out = {}
        for name in names:
            state = _request(sock, buf, "$JS.API.STREAM.INFO." + name, "_INBOX.bench").get("state", {})
            out[name] = (state.get("messages", 0), state.get("bytes", 0),
                         state.get("first_seq", 0), state.get("last_seq", 0))
        return out
