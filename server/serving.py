"""What `healthflags serve` runs: gunicorn's threaded workers, where a client that
sends slowly holds one thread of a bounded pool for a bounded time.

gunicorn's sync workers read each request on their only thread, so two sockets
sending a body at a byte every 5 s kept both workers busy and `/v1/health` timed
out (issue 12). Here each worker has `threads` threads; gunicorn waits for a new
connection's first bytes without a thread; and every request must arrive whole
(request line, headers and body) within `read_timeout` seconds of its first byte,
or the connection is closed. The reads share one deadline rather than a timeout
per read, which a byte every few seconds would never trip.
"""

from __future__ import annotations

import errno
import socket
import time

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

READ_TIMEOUT = 15.0  # seconds to send a whole request: 1 MB at 70 KB/s
WRITE_TIMEOUT = 30.0  # seconds a client may take to take in each write of an answer


class TooSlow(ConnectionResetError):
    """The request did not arrive in time. A connection reset to gunicorn (which
    closes it quietly) and to werkzeug (a body that stops: ClientDisconnected)."""

    def __init__(self) -> None:
        super().__init__(errno.ECONNRESET, "the request was not sent in time")


class DeadlineSocket(socket.socket):
    """A client socket whose reads for one request share a deadline."""

    read_timeout = READ_TIMEOUT
    started: float | None = None  # when this request's first read began

    def _arm(self) -> None:
        if self.gettimeout() == 0.0:
            return  # non-blocking: the worker's poller, not a request read
        now = time.monotonic()
        if self.started is None:
            self.started = now
        remaining = self.started + self.read_timeout - now
        if remaining <= 0:
            raise TooSlow()
        self.settimeout(remaining)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._arm()
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:
            raise TooSlow() from None

    def recv_into(self, buffer, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        try:
            return super().recv_into(buffer, nbytes, flags)
        except TimeoutError:
            raise TooSlow() from None

    def sendall(self, data, flags: int = 0) -> None:
        if self.gettimeout() != 0.0:
            self.settimeout(WRITE_TIMEOUT)
        super().sendall(data, flags)


class _Listener:
    """A listening socket whose accepted sockets are DeadlineSockets."""

    def __init__(self, sock: socket.socket, read_timeout: float):
        self.sock = sock
        self.read_timeout = read_timeout

    def accept(self) -> tuple[DeadlineSocket, object]:
        client, address = self.sock.accept()
        wrapped = DeadlineSocket(client.family, client.type, client.proto, fileno=client.detach())
        wrapped.read_timeout = self.read_timeout
        return wrapped, address

    def getsockname(self):
        return self.sock.getsockname()


class Worker(ThreadWorker):
    """gunicorn's gthread worker, with a deadline on reading each request."""

    read_timeout = READ_TIMEOUT

    def accept(self, listener) -> None:
        super().accept(_Listener(listener, self.read_timeout))

    def handle(self, conn):
        try:
            return super().handle(conn)
        finally:
            if isinstance(conn.sock, DeadlineSocket):
                conn.sock.started = None  # the next request on this connection starts afresh


def worker_class(read_timeout: float) -> type[Worker]:
    return type("Worker", (Worker,), {"read_timeout": read_timeout})


class Server(BaseApplication):
    """gunicorn with the settings `healthflags serve` promises (README: serve)."""

    def __init__(self, make_app, *, bind: str, workers: int, threads: int, read_timeout: float):
        self.make_app = make_app
        self.settings = {
            "bind": bind,
            "workers": workers,
            "worker_class": worker_class(read_timeout),
            "threads": threads,
            # A worker whose main loop stops answering for this long is restarted.
            "timeout": 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            # No access log: request lines carry no page text, but we keep none anyway.
            "accesslog": None,
            "errorlog": "-",
            # No control socket in the user's home: nothing to manage the server through
            # but its signals, and several servers on one machine do not share one.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        return self.make_app()
