"""A tiny NATS core-protocol client for the end-to-end tests (standard library only).

It speaks just enough of https://docs.nats.io/reference/reference-protocols/nats-protocol to
watch events: INFO, CONNECT, SUB, UNSUB, PING/PONG, MSG and HMSG (messages with headers: what
JetStream-published messages carrying a Nats-Msg-Id header arrive as on a core subscription).

    with NatsClient.connect() as nats:
        nats.subscribe("todo.user.>")      # returns once the server has registered it
        msg = nats.next_message(deadline)  # a Message, or None when the deadline passes
"""

import json
import os
import socket
import time

NATS_HOST = os.environ.get("TODO_NATS_HOST", "127.0.0.1")
NATS_PORT = int(os.environ.get("TODO_NATS_PORT", "54222"))


class NatsError(Exception):
    pass


class Message:
    """One delivered message: subject, sid, reply subject, headers and payload bytes."""

    def __init__(self, subject, sid, reply, headers, data, status=None):
        self.subject = subject
        self.sid = sid
        self.reply = reply
        self.headers = headers  # list of (name, value) in arrival order
        self.data = data
        self.status = status  # the status line of a header block, e.g. "503" (rarely set)

    def header(self, name, default=None):
        """The first value of a header, compared case-insensitively."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    def json(self):
        return json.loads(self.data.decode("utf-8"))

    def __repr__(self):
        return f"<Message {self.subject} headers={self.headers} data={self.data[:300]!r}>"


def parse_headers(block):
    """Parses a NATS header block: 'NATS/1.0[ status [description]]\\r\\nName: value\\r\\n...'."""
    text = block.decode("utf-8", errors="replace")
    lines = text.split("\r\n")
    if not lines or not lines[0].startswith("NATS/1.0"):
        raise NatsError(f"malformed header block: {text!r}")
    status = lines[0][len("NATS/1.0"):].strip() or None
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise NatsError(f"malformed header line: {line!r}")
        headers.append((name.strip(), value.strip()))
    return headers, status


class NatsClient:
    """A blocking, single-threaded client; use one per test."""

    def __init__(self, sock):
        self._sock = sock
        self._buffer = b""
        self._next_sid = 1
        self._pending = []  # messages read while waiting for something else (e.g. a PONG)
        self.info = None

    @classmethod
    def connect(cls, host=NATS_HOST, port=NATS_PORT, timeout=5.0, name="todo-e2e"):
        sock = socket.create_connection((host, port), timeout=timeout)
        client = cls(sock)
        try:
            deadline = time.monotonic() + timeout
            line = client._read_line(deadline)
            if line is None or not line.startswith(b"INFO "):
                raise NatsError(f"expected INFO from the server, got {line!r}")
            client.info = json.loads(line[5:].decode("utf-8"))
            options = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True,
                       "protocol": 1, "lang": "python-e2e", "version": "0.1", "name": name}
            client._send(b"CONNECT " + json.dumps(options).encode("utf-8") + b"\r\n")
            client.flush(deadline - time.monotonic())
        except BaseException:
            sock.close()
            raise
        return client

    def close(self):
        try:
            self._sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def subscribe(self, subject, queue=None, timeout=5.0):
        """Subscribes and returns the sid once the server has confirmed it (PING/PONG)."""
        sid = str(self._next_sid)
        self._next_sid += 1
        parts = [b"SUB", subject.encode("utf-8")]
        if queue:
            parts.append(queue.encode("utf-8"))
        parts.append(sid.encode("ascii"))
        self._send(b" ".join(parts) + b"\r\n")
        self.flush(timeout)
        return sid

    def unsubscribe(self, sid):
        self._send(b"UNSUB " + sid.encode("ascii") + b"\r\n")

    def publish(self, subject, data=b"", headers=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        subject = subject.encode("utf-8")
        if headers:
            block = b"NATS/1.0\r\n" + b"".join(
                f"{k}: {v}\r\n".encode("utf-8") for k, v in headers.items()) + b"\r\n"
            self._send(b"HPUB %s %d %d\r\n%s%s\r\n" % (subject, len(block), len(block) + len(data),
                                                       block, data))
        else:
            self._send(b"PUB %s %d\r\n%s\r\n" % (subject, len(data), data))

    def flush(self, timeout=5.0):
        """Sends PING and waits for the PONG: everything sent before has been processed."""
        self._send(b"PING\r\n")
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            frame = self._read_frame(deadline)
            if frame is None:
                raise NatsError("no PONG from the NATS server before the deadline")
            if frame == "PONG":
                return
            if isinstance(frame, Message):
                self._pending.append(frame)

    def next_message(self, deadline):
        """The next message, or None once time.monotonic() passes deadline."""
        if self._pending:
            return self._pending.pop(0)
        while True:
            frame = self._read_frame(deadline)
            if frame is None:
                return None
            if isinstance(frame, Message):
                return frame

    def wait_for(self, predicate, timeout=5.0):
        """Reads messages until predicate(message) is true; returns that message, or None when
        the time runs out. Messages that do not match are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.next_message(deadline)
            if msg is None or predicate(msg):
                return msg

    # -- wire -----------------------------------------------------------------------------------

    def _send(self, data):
        self._sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self._sock.settimeout(min(remaining, 1.0))
        try:
            chunk = self._sock.recv(65536)
        except socket.timeout:
            return True  # nothing yet; the caller checks the deadline again
        if not chunk:
            raise NatsError("the NATS server closed the connection")
        self._buffer += chunk
        return True

    def _read_line(self, deadline):
        while b"\r\n" not in self._buffer:
            if not self._fill(deadline):
                return None
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line

    def _read_exact(self, size, deadline):
        while len(self._buffer) < size:
            if not self._fill(deadline):
                return None
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _read_frame(self, deadline):
        """One protocol frame: "PONG", a Message, or None on timeout. Answers PINGs itself."""
        while True:
            line = self._read_line(deadline)
            if line is None:
                return None
            op, _, rest = line.partition(b" ")
            op = op.upper()
            if op == b"PING":
                self._send(b"PONG\r\n")
            elif op == b"PONG":
                return "PONG"
            elif op in (b"+OK", b"INFO"):
                continue
            elif op == b"-ERR":
                raise NatsError(f"server error: {rest.decode('utf-8', errors='replace')}")
            elif op == b"MSG":
                args = rest.decode("utf-8").split()
                if len(args) not in (3, 4):
                    raise NatsError(f"malformed MSG: {line!r}")
                subject, sid = args[0], args[1]
                reply = args[2] if len(args) == 4 else None
                payload = self._read_exact(int(args[-1]) + 2, deadline + 5)
                if payload is None:
                    raise NatsError("truncated MSG payload")
                return Message(subject, sid, reply, [], payload[:-2])
            elif op == b"HMSG":
                args = rest.decode("utf-8").split()
                if len(args) not in (4, 5):
                    raise NatsError(f"malformed HMSG: {line!r}")
                subject, sid = args[0], args[1]
                reply = args[2] if len(args) == 5 else None
                header_size, total_size = int(args[-2]), int(args[-1])
                body = self._read_exact(total_size + 2, deadline + 5)
                if body is None:
                    raise NatsError("truncated HMSG payload")
                headers, status = parse_headers(body[:header_size])
                return Message(subject, sid, reply, headers, body[header_size:total_size], status)
            else:
                raise NatsError(f"unexpected protocol line: {line!r}")
