"""An emulated load-cell board: prints one reading per line, over a pty or a TCP socket.

``GaugeEmulator(source)`` turns a force function (newtons) into raw lines the way an HX711 board
would (``raw = offset + force / scale``), optionally with glitches every n-th line (the
reference rig's -70 N spikes) and a silence switch. Serve it with
:class:`~tactile.hardware.pty_link.PtyLink` (``produce=emu.next_line``) or :class:`LineServer`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self


class GaugeEmulator:
    """Produces reading lines at ``rate_hz`` from ``force_n()``."""

    def __init__(
        self,
        force_n: Callable[[], float],
        *,
        rate_hz: float = 200.0,
        scale: float = 1.0,
        offset: float = 0.0,
        glitch_every: int = 0,
        glitch_n: float = -70.0,
        banner: bytes = b"HX711 load cell ready\n",
    ) -> None:
        self.force_n = force_n
        self.period_s = 1.0 / rate_hz
        self.scale, self.offset = scale, offset
        self.glitch_every, self.glitch_n = glitch_every, glitch_n
        self.silent = threading.Event()
        self.n_lines = 0
        self._pending = banner
        self._next_s = time.monotonic()

    def next_line(self) -> bytes | None:
        """The next line when it is due, else None (call it often)."""
        now = time.monotonic()
        if self.silent.is_set() or now < self._next_s:
            return None
        self._next_s = max(self._next_s + self.period_s, now)
        self.n_lines += 1
        force = self.force_n()
        if self.glitch_every and self.n_lines % self.glitch_every == 0:
            force = self.glitch_n
        out, self._pending = (
            self._pending + f"{self.offset + force / self.scale:.4f}\n".encode(),
            b"",
        )
        return out


class LineServer:
    """A TCP server on 127.0.0.1 that streams an emulator's lines to each client it accepts."""

    def __init__(self, emulator: GaugeEmulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self._sock = socket.create_server((host, port))
        self._sock.settimeout(0.05)
        self.host, self.port = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gauge server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                self._stream(conn)

    def _stream(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            line = self.emulator.next_line()
            if line:
                try:
                    conn.sendall(line)
                except OSError:
                    return
            else:
                time.sleep(self.emulator.period_s / 4)

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._thread.join(timeout=1.0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
