"""Serve an emulated device on a pseudo-terminal, so drivers open a real serial device path.

``PtyLink(on_bytes=emulator.feed)`` answers whatever the master writes (request/reply devices
such as the Robotiq gripper); ``PtyLink(produce=source.next_line, period_s=0.01)`` streams
output on its own (line devices such as a load-cell board). ``link.port`` is the path to give
``serial.Serial``. POSIX only (``os.openpty``).
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
    ) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._on_bytes = on_bytes
        self._produce = produce
        self._period_s = period_s
        self._stop = threading.Event()
        self.paused = threading.Event()  # set to stop producing (a silent device)
        self._thread = threading.Thread(target=self._run, name=f"pty {self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
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

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)
        for fd in (self._master, self._slave):
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
