"""Running the reference server: in a background thread, or blocking for the CLI."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
import time
from types import FrameType, TracebackType

import uvicorn

from .app import create_app
from .asgi import ASGIApp
from .store import DEFAULT_MAX_OBJECTS, Store

logger = logging.getLogger(__name__)

START_TIMEOUT = 5.0
STOP_TIMEOUT = 5.0


class ReferenceServer:
    """A uvicorn server for the reference app, running in a daemon thread.

    Use :meth:`start` / :meth:`stop` or a ``with`` block.  ``app`` replaces
    the default ``create_app(store)``, e.g. to wrap it in ASGI middleware.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        store: Store | None = None,
        app: ASGIApp | None = None,
    ) -> None:
        """Configure the server; nothing runs until :meth:`start`."""
        self.host = host
        self.port = port
        self._requested_port = port
        if app is None:
            store = store if store is not None else Store()
            app = create_app(store)
        self.store = store
        self.app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        """Return the base URL, such as ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Tell whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ReferenceServer:
        """Start serving and return once the server answers connections."""
        if self.running:
            return self
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self._requested_port,
            log_level="warning",
            # uvicorn's own logging config goes through dictConfig, which closes every handler
            # already installed (pytest's --log-file among them); its loggers propagate instead.
            log_config=None,
            access_log=False,
            lifespan="off",
            http=http_protocol(),
            # Nothing reads the client address, so uvicorn need not parse X-Forwarded-* on every request.
            proxy_headers=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        listener = self._bind()
        self.port = listener.getsockname()[1]
        thread = threading.Thread(target=_run, args=(server, listener), name="reference-server", daemon=True)
        self._server, self._thread, self._listener = server, thread, listener
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"reference server failed to start on {self.host}:{self.port}")
            time.sleep(0.005)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self._wait_until_answering(deadline)
        return self

    def _bind(self) -> socket.socket:
        """Bind the listening socket here, so that a busy port raises ``OSError`` to the caller."""
        family, kind, proto, _, address = socket.getaddrinfo(
            self.host or None, self._requested_port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
        except OSError:
            listener.close()
            raise
        return listener

    def _wait_until_answering(self, deadline: float) -> None:
        """Block until a TCP connection to the server succeeds."""
        while True:
            try:
                with socket.create_connection((self._connect_host(), self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"reference server at {self.url} does not answer") from None
                time.sleep(0.005)

    def _connect_host(self) -> str:
        """Return an address to reach the server, mapping wildcard hosts to loopback."""
        return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None and thread.is_alive():
            thread.join(STOP_TIMEOUT)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(STOP_TIMEOUT)
        if self._listener is not None:
            self._listener.close()
        self._server = self._thread = self._listener = None

    def __enter__(self) -> ReferenceServer:
        """Start the server for a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server at the end of a ``with`` block."""
        self.stop()


def http_protocol() -> type[asyncio.Protocol] | str:
    """Return the httptools protocol answering whole requests directly (uvicorn's own choice without httptools)."""
    try:
        from .direct import DirectHttpToolsProtocol
    except ImportError:  # httptools missing: uvicorn falls back to h11
        return "auto"
    return DirectHttpToolsProtocol


def _run(server: uvicorn.Server, listener: socket.socket) -> None:
    """Run uvicorn on ``listener`` in the current thread; a startup failure just ends the thread."""
    try:
        server.run(sockets=[listener])
    except SystemExit as exit_:
        logger.warning("reference server stopped during startup (exit status %s)", exit_.code)


def serve(
    host: str = "127.0.0.1", port: int = 12111, app: ASGIApp | None = None, *, max_objects: int = DEFAULT_MAX_OBJECTS
) -> None:
    """Run the reference server until Ctrl-C (or SIGTERM), printing its URL first.

    ``app`` replaces the default app (e.g. the reference app wrapped to log requests); without it the
    app serves a store holding at most ``max_objects`` live objects.
    Raises ``OSError`` when the address cannot be bound (e.g. the port is busy).
    """
    store = None if app is not None else Store(max_objects=max_objects)
    server = ReferenceServer(host=host, port=port, store=store, app=app).start()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM)
    if in_main_thread:
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        # Printed inside the try: whoever reads the URL may interrupt at once, and must get a clean stop.
        print(f"Stripe reference server listening on {server.url} (Ctrl-C to stop)", flush=True)
        while server.running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("Stopping the reference server.", flush=True)
    finally:
        server.stop()
        if in_main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into a KeyboardInterrupt so that :func:`serve` stops cleanly."""
    raise KeyboardInterrupt
