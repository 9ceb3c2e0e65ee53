"""A TCP forwarder on 127.0.0.1 to put between the app and a database server, to cut the line
the way a database restart or a network failure does."""

from __future__ import annotations

import socket
import threading


class TcpForwarder:
    """Forwards 127.0.0.1:port to target. cut() closes every connection and stops listening
    (new connections are refused); restore() listens again on the same port. cut_on(marker)
    cuts when a client sends those bytes (they are not forwarded): a connection lost in the
    middle of a transaction."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._marker: bytes | None = None
        self.cuts = 0

    def __enter__(self) -> TcpForwarder:
        self.restore()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
            self._marker = None
        if listener is not None:
            self.cuts += 1
            _close(listener)
        for sock in sockets:
            _close(sock)

    def cut_on(self, marker: bytes) -> None:
        with self._lock:
            self._marker = marker

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener is closed
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _close(client)
                    _close(server)
                    return
                self._sockets |= {client, server}
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                _close(source)
                _close(sink)
                return
            marker = self._marker
            if from_client and marker is not None and marker in data:
                self.cut()
                return
            try:
                sink.sendall(data)
            except OSError:
                _close(source)
                _close(sink)
                return


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
