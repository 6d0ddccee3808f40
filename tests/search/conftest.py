"""Fixtures for the search tests: a tiny simulated grasp file, a prepared dataset, and a real
PostgreSQL server started from the distribution's binaries for the test session."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sim_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 simulated objects x 2 grasps (spheres and cylinders, 20 kPa .. 5 GPa)."""
    path = tmp_path_factory.mktemp("search") / "sim.h5"
    moduli = (2e4, 6e4, 2e5, 7e5, 3e6, 2e7, 3e8, 5e9)
    with GraspWriter(path, overwrite=True) as writer:
        for i, modulus_pa in enumerate(moduli):
            shape = "sphere" if i % 2 == 0 else "cylinder"
            obj = SimObject(shape=shape, radius_mm=18.0 + i, modulus_pa=modulus_pa, name=f"o{i}")
            for k in range(2):
                writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=100 * i + k))
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bindir() -> Path | None:
    for name in ("initdb",):
        found = shutil.which(name)
        if found:
            return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return Path(dirs[-1]) if dirs else None


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it: .ci/run installs postgresql and psycopg2)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server on loopback for this test session (initdb + pg_ctl in a temporary
    folder; as root, run as the ``postgres`` system user, since the server refuses root)."""
    try:
        import psycopg2
    except ImportError:
        _unavailable('psycopg2 is not installed (pip install "tactile[postgres]")')
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    assert bindir is not None
    prefix: list[str] = []
    root = tempfile.mkdtemp(prefix="tactile-pg-")
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            _unavailable("running as root without runuser: cannot start PostgreSQL")
        prefix = [str(runuser), "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, log = os.path.join(root, "data"), os.path.join(root, "server.log")
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-l", log, "-w", "start"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        deadline = time.monotonic() + 120  # generous: a loaded machine starts it slowly
        while True:
            try:
                conn = psycopg2.connect(
                    host="127.0.0.1", port=port, user="postgres", dbname="postgres"
                )
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE optuna_test")
        conn.close()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/optuna_test"
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)
