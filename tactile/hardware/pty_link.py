"""Serve an emulated device on a pseudo-terminal, so drivers open a real serial device path.

``PtyLink(on_bytes=emulator.feed)`` answers whatever the master writes (request/reply devices
such as the Robotiq gripper); ``PtyLink(produce=source.next_line, period_s=0.01)`` streams
output on its own (line devices such as a load-cell board); ``is_dead`` (e.g.
``lambda: emulator.disconnected``) makes the link hang up like a pulled cable.
``link.port`` is the path to give ``serial.Serial``. POSIX only (``os.openpty``).
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Callable
from types import TracebackType
from typing import Self


class PtyLink:
    """A thread that pumps bytes between an emulator and the master side of a pty."""

    def __init__(
        self,
        on_bytes: Callable[[bytes], bytes] | None = None,
        produce: Callable[[], bytes | None] | None = None,
        period_s: float = 0.01,
        is_dead: Callable[[], bool] | None = None,
    ) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._on_bytes = on_bytes
        self._produce = produce
        self._period_s = period_s
        self._is_dead = is_dead
        self._stop = threading.Event()
        self.paused = threading.Event()  # set to stop producing (a silent device)
        self._thread = threading.Thread(target=self._run, name=f"pty {self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._is_dead is not None and self._is_dead():
                self.hang_up()
                return
            ready, _, _ = select.select([self._master], [], [], self._period_s)
            if ready:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    data = b""
                if data and self._on_bytes is not None:
                    self._send(self._on_bytes(data))
            if self._produce is not None and not self.paused.is_set():
                chunk = self._produce()
                if chunk:
                    self._send(chunk)

    def _send(self, data: bytes) -> None:
        if data and not self.paused.is_set():
            try:
                os.write(self._master, data)
            except OSError:
                self._stop.set()

    def hang_up(self) -> None:
        """Close the master side, as if the cable were pulled: the slave's reads fail (EIO)."""
        self._stop.set()
        with contextlib.suppress(OSError):
            os.close(self._master)
        self._master = -1

    def close(self) -> None:
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=1.0)
        for fd in (self._master, self._slave):
            if fd < 0:
                continue
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
