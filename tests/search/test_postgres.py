"""Two worker processes share one study on a real PostgreSQL server (started by the fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import optuna
from optuna.trial import TrialState

from tactile.estimators.neural.data import build_dataset
from tactile.estimators.neural.model import model_config
from tactile.search.storage import storage_from_url


def _worker(sim_file: Path, out: Path, url: str, cache: Path, trials: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "tactile.cli.main", "search", str(sim_file), "--out", str(out)]
    cmd += ["--study", "shared", "--storage", url, "--trials", str(trials), "--folds", "2"]
    cmd += ["--epochs", "3", "--patience", "3", "--towers", "force,width,analytical,geometry"]
    cmd += ["--k-frames", "4", "--threads", "1", "--cache-dir", str(cache), "--no-plots"]
    cmd += ["--json", "--sampler-seed", str(len(out.name))]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_workers_share_one_study_on_postgresql(
    sim_file: Path, tmp_path: Path, postgres_url: str
) -> None:
    cache = tmp_path / "cache"
    # prepare the inputs once, so both workers start training at about the same time
    build_dataset([sim_file], model_config("mt-small", k_frames=4), cache_dir=cache, progress=False)
    trials = 6
    # the documented form (docs/search.md): a bare postgresql:// with tactile[postgres]'s
    # psycopg2 installed (review55: SQLAlchemy 2.1 reads it as psycopg v3)
    documented = postgres_url.replace("postgresql+psycopg2://", "postgresql://")
    procs = [_worker(sim_file, tmp_path / f"w{i}", documented, cache, trials) for i in (1, 22)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert json.loads(out)["storage"].startswith("postgresql")
    study = optuna.load_study(study_name="shared", storage=storage_from_url(postgres_url))
    done = [t for t in study.trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    # MaxTrialsCallback stops each worker once the study holds `trials`; a trial already running
    # in the other worker still finishes
    assert trials <= len(done) <= trials + 1
    assert len({t.number for t in study.trials}) == len(study.trials)  # no clash
    workers = {t.user_attrs.get("worker") for t in done if "worker" in t.user_attrs}
    assert len(workers) == 2, f"only {workers} ran trials"
