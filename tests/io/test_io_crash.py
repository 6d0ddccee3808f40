"""SIGKILL a real writer process mid-session: every completed grasp must survive, bit-identical."""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from io_crash_child import run_session
from io_helpers import assert_same, make_grasp

from tactile.io import GraspReader, GraspWriter

N_GRASPS = 4
CHILD = Path(__file__).with_name("io_crash_child.py")


def _read_until(fd: int, stop: str, timeout_s: float = 120.0) -> list[str]:
    """Read progress lines from ``fd`` until one equals/starts with ``stop`` (or EOF)."""
    buf = b""
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
        *complete, buf = buf.split(b"\n")
        lines += [c.decode() for c in complete]
        if any(line.startswith(stop) for line in lines):
            return lines
    raise AssertionError(f"child never reported {stop!r}; got {lines}")


def _drain(fd: int) -> list[str]:
    out = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
    return [line for line in out.decode().split("\n") if line]


def check_after_kill(
    path: Path, lines: list[str], before: frozenset[str] = frozenset()
) -> set[str]:
    """The dataset opens; grasps done before the kill are all there and identical; nothing
    else but the one in progress; the next writer cleans up and can append."""
    done = before | {ln.split()[1] for ln in lines if ln.startswith("done ")}
    started = before | {ln.split()[1] for ln in lines if ln.startswith("start ")}
    with GraspReader(path) as reader:
        ids = set(reader.ids())
        assert done <= ids <= started, (done, ids, started)
        for gid in ids:
            assert_same(reader.read(gid), make_grasp(int(gid[1:])))
    with GraspWriter(path) as writer:  # recovery: cleans temporaries, consolidates pending
        writer.append(make_grasp(99))
    leftovers = [p for p in path.parent.rglob(".*") if ".tmp-" in p.name or "lock" in p.name]
    assert leftovers == []
    if path.suffix == ".h5":
        assert not path.with_name(f".{path.name}.pending").exists()
    with GraspReader(path) as reader:
        assert set(reader.ids()) == ids | {"g099"}
        assert reader.pending_ids == []
        for gid in reader.ids():
            assert_same(reader.read(gid), make_grasp(int(gid[1:])))
    return ids


def _kill_forked(path: Path, stall: str, stop: str, delay_s: float = 0.0) -> list[str]:
    r, w = os.pipe()
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=run_session, args=(str(path), N_GRASPS, stall, w), daemon=True)
    proc.start()
    os.close(w)
    try:
        lines = _read_until(r, stop)
        time.sleep(delay_s)
        proc.kill()  # SIGKILL
        proc.join(10)
        lines += _drain(r)
    finally:
        os.close(r)
    assert proc.exitcode == -signal.SIGKILL, "the child finished before it was killed"
    return lines


def _temps(path: Path) -> list[Path]:
    return [p for p in path.parent.rglob(".*") if ".tmp-" in p.name]


@pytest.fixture(params=["file", "dir"])
def dataset(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / ("session.h5" if request.param == "file" else "session")


@pytest.mark.parametrize("point", ["write_grasp", "fsync_file", "fsync_dir"])
def test_kill_while_a_grasp_is_written(dataset: Path, point: str) -> None:
    lines = _kill_forked(dataset, f"{point}@2", "stall")
    assert "done g001" in lines and "done g002" not in lines
    if point != "fsync_dir":  # killed before the rename: a temporary file is really there
        assert _temps(dataset), "the kill should have left a half-written temporary file"
    ids = check_after_kill(dataset, lines)
    # renamed = published: only then is the grasp part of the dataset
    assert ids == ({"g000", "g001", "g002"} if point == "fsync_dir" else {"g000", "g001"})


@pytest.mark.parametrize("point", ["fsync_file", "fsync_dir"])
def test_kill_while_consolidating_the_single_file(tmp_path: Path, point: str) -> None:
    path = tmp_path / "session.h5"
    with GraspWriter(path) as writer:  # an earlier, finished session in the file already
        writer.append(make_grasp(50))
    lines = _kill_forked(path, f"{point}@close", "stall")
    assert "closing" in lines
    if point == "fsync_file":
        assert _temps(path), "the consolidation temp file should exist at the kill"
    ids = check_after_kill(path, lines, before=frozenset({"g050"}))
    assert ids == {"g050"} | {f"g{i:03d}" for i in range(N_GRASPS)}


@pytest.mark.parametrize("delay_s", [0.0, 0.004, 0.012])
def test_kill_at_random_moments(dataset: Path, delay_s: float) -> None:
    lines = _kill_forked(dataset, "linger", "start g002", delay_s)
    check_after_kill(dataset, lines)


def test_kill_at_seeded_random_times_over_a_whole_session(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    t0 = time.monotonic()
    with GraspWriter(tmp_path / "timing.h5") as writer:
        for i in range(N_GRASPS):
            writer.append(make_grasp(i))
    session_s = time.monotonic() - t0
    survivors = []  # check_after_kill asserts the guarantees after each kill
    for k, delay_s in enumerate(rng.uniform(0.0, 0.8 * session_s, 6)):
        path = tmp_path / f"random_{k}.h5"
        lines = _kill_forked(path, "linger", "start g000", float(delay_s))
        survivors.append(len(check_after_kill(path, lines)))
    assert len(survivors) == 6 and max(survivors) <= N_GRASPS


def test_kill_a_fresh_interpreter_between_and_during_grasps(tmp_path: Path) -> None:
    path = tmp_path / "fresh.h5"
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), str(N_GRASPS), "write_grasp@1"],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.stdout is not None
    try:
        lines = _read_until(proc.stdout.fileno(), "stall", timeout_s=180)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert check_after_kill(path, lines) == {"g000"}
    assert np.all(GraspReader(path).read("g000").frames == make_grasp(0).frames)


def test_readers_never_fail_while_a_writer_appends_and_consolidates(tmp_path: Path) -> None:
    path = tmp_path / "busy.h5"
    with GraspWriter(path) as writer:
        writer.append(make_grasp(40))
    ctx = multiprocessing.get_context("fork")
    r, w = os.pipe()
    proc = ctx.Process(target=run_session, args=(str(path), 6, "none", w), daemon=True)
    proc.start()
    os.close(w)
    seen: list[int] = []
    try:
        while proc.is_alive() or not seen:
            with GraspReader(path) as reader:  # every snapshot opens and reads completely
                for gid in reader.ids():
                    assert_same(reader.read(gid), make_grasp(int(gid[1:])))
                seen.append(len(reader))
    finally:
        proc.join(30)
        os.close(r)
    assert proc.exitcode == 0
    assert seen == sorted(seen) and GraspReader(path).ids()[-1] == "g005"
    assert len(GraspReader(path)) == 7
