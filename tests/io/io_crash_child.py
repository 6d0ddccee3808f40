"""A grasp-writing session that the crash tests SIGKILL at chosen or random moments.

Run as a fresh interpreter (``python io_crash_child.py PATH N STALL``) or called in a forked
process (:func:`run_session`). It writes ``N`` deterministic grasps (``io_helpers.make_grasp``)
and reports ``start <id>`` / ``done <id>`` / ``closing`` / ``closed`` lines on a file descriptor.

``STALL`` is ``none`` or ``<point>@<when>``: at the first call of ``<point>`` once ``<when>``
grasps are done (or, with ``close``, during consolidation) the child reports ``stall <point>``
and sleeps until killed. Points: ``write_grasp`` (the temporary HDF5 file is open, written but
neither flushed nor closed), ``fsync_file`` (a finished temporary file, not yet renamed),
``fsync_dir`` (just after the atomic rename). ``linger`` stalls nowhere but keeps the process
alive after ``closed``, so a kill at a random moment is always a kill (never a finished child).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from io_helpers import make_grasp

from tactile.io import GraspWriter, _files, store


class _Session:
    def __init__(self, fd: int, stall: str) -> None:
        self.fd = fd
        self.done = 0
        self.closing = False
        self.point, _, self.when = stall.partition("@")

    def say(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def armed(self) -> bool:
        if self.when == "close":
            return self.closing
        return not self.closing and self.when.isdigit() and self.done == int(self.when)

    def wrap(self, module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def stalling(*args: Any, **kwargs: Any) -> Any:
            if name == "write_grasp":  # half-write first: the file is open and incomplete
                result = original(*args, **kwargs)
                if self.armed():
                    self.say(f"stall {name}")
                    time.sleep(120)
                return result
            if self.armed():
                self.say(f"stall {name}")
                time.sleep(120)
            return original(*args, **kwargs)

        setattr(module, name, stalling)


def run_session(path: str, n: int, stall: str, fd: int) -> None:
    session = _Session(fd, stall)
    if session.point == "write_grasp":
        session.wrap(store, "write_grasp")
    elif session.point in ("fsync_file", "fsync_dir"):
        session.wrap(_files, session.point)
    with GraspWriter(path) as writer:
        for i in range(n):
            grasp = make_grasp(i)
            session.say(f"start {grasp.grasp_id}")
            writer.append(grasp)
            session.done += 1
            session.say(f"done {grasp.grasp_id}")
        session.closing = True
        session.say("closing")
    session.say("closed")
    if stall == "linger":
        time.sleep(120)


if __name__ == "__main__":
    run_session(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.stdout.fileno())
