"""Loopback endpoints tests start and stop themselves: the moto server on a free port,
and a port that refuses every connection. Nothing beyond 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def moto_server() -> Iterator[str]:
    """The moto server on a free loopback port, for as long as the context lasts: its
    URL. Every server of one process shares the emulator's state."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def refused_port() -> Iterator[str]:
    """A loopback port that is bound (so nothing else takes it) but not listening: every
    connection to it is refused at once. Its URL."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"
