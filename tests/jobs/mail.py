"""Where a real worker's emails land: files (Django's filemail backend) or a local SMTP sink."""

from __future__ import annotations

import contextlib
import email
import socket
import socketserver
import threading
from email.message import Message
from pathlib import Path

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def read_mail_dir(folder: Path) -> list[Message]:
    """Every message Django's file backend wrote into `folder`, in no particular order."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def text_body(message: Message) -> str:
    """The plain-text part of `message`, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP on 127.0.0.1 to accept Django's messages, and to stall one on demand.

    After `hold_after` messages have been accepted, the next DATA command gets no answer
    until `release()`: the sending worker hangs in the middle of its batch (holding that
    reminder's lock), ready to be raced or killed. Once released, the message is taken as
    usual if its sender is still alive.

    Bad days on demand: while `rcpt_reply` is set (e.g. "451 4.7.1 try again later") every
    RCPT gets that answer instead of 250; while `silent` is set a new connection is
    accepted and never greeted, as by a server that hung. `connections` counts them all.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[Message] = []
        self.hold_after: int | None = None
        self.rcpt_reply: str | None = None
        self.silent = False
        self.connections = 0
        self.stalled = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"smtp://{host}:{port}"

    def should_stall(self) -> bool:
        with self._lock:
            return self.hold_after is not None and len(self.messages) >= self.hold_after

    def wait_for_release(self) -> None:
        self.stalled.set()
        self._released.wait()

    def release(self) -> None:
        self.hold_after = None
        self._released.set()

    def accept(self, raw: bytes) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(raw))

    def close(self) -> None:
        self.release()
        self.shutdown()
        self.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    server: SMTPSink

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the sender was killed mid-conversation
            self.converse()

    def converse(self) -> None:
        self.server.connections += 1
        if self.server.silent:
            while self.rfile.readline():  # until the sender gives up and hangs up
                pass
            return
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"QUIT":
                self.reply("221 bye")
                return
            if command == b"RCPT" and (refusal := self.server.rcpt_reply):
                self.reply(refusal)
                continue
            if command == b"DATA":
                if self.server.should_stall():
                    self.server.wait_for_release()
                self.reply("354 end with <CRLF>.<CRLF>")
                raw = self.read_data()
                if raw is None:
                    return
                self.server.accept(raw)
            self.reply("250 ok")

    def read_data(self) -> bytes | None:
        """The message up to the lone "." line; None when the sender went away first."""
        lines = []
        while (line := self.rfile.readline()) != b".\r\n":
            if not line:
                return None
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SilentSMTP:
    """A mail server that accepts connections and never says a word: the sender waits for
    a greeting that never comes, as with a server that hung."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"smtp://{host}:{port}"

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while not self._closed.is_set():
                conn, _ = self._socket.accept()
                self.connections.append(conn)

    def close(self) -> None:
        self._closed.set()
        for conn in self.connections:
            conn.close()
        self._socket.close()


def dead_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
