"""A TCP relay that counts round trips between a client and PostgreSQL.

A round trip is a turn of the conversation: the client sends (one or more packets),
then waits for the server's answer. The relay counts the client's turns on every
connection it carries: the number the check's latency is made of, whatever the
driver does inside (pipelines, prepared statements), measured on the wire.
"""

from __future__ import annotations

import selectors
import socket
import threading
from types import TracebackType
from typing import Any


class RoundTripRelay:
    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self._target = (host, target_port)
        self._listener = socket.create_server((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._lock = threading.Lock()
        self._turns: dict[int, int] = {}  # per client connection, by its number
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def turns(self) -> dict[int, int]:
        """The client's turns so far, per connection (background loops of the app use
        connections of their own: a check's trips are one connection's)."""
        with self._lock:
            return dict(self._turns)

    def __enter__(self) -> RoundTripRelay:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._selector.close()

    def _serve(self) -> None:
        # Per client socket: its server socket, and whether the client spoke last.
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                if key.data is None:
                    self._accept()
                else:
                    self._relay(key.fileobj, key.data)  # type: ignore[arg-type]

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        server = socket.create_connection(self._target)
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state = {"client_spoke_last": False, "id": len(self._turns)}
        with self._lock:
            self._turns[len(self._turns)] = 0
        self._selector.register(client, selectors.EVENT_READ, (server, True, state))
        self._selector.register(server, selectors.EVENT_READ, (client, False, state))

    def _relay(
        self, source: socket.socket, data: tuple[socket.socket, bool, dict[str, Any]]
    ) -> None:
        peer, from_client, state = data  # state: {"client_spoke_last": bool, "id": int}
        chunk = source.recv(65536)
        if not chunk:
            for s in (source, peer):
                self._selector.unregister(s)
                s.close()
            return
        if from_client and not state["client_spoke_last"]:
            with self._lock:
                self._turns[int(state["id"])] += 1
        state["client_spoke_last"] = from_client
        peer.sendall(chunk)
