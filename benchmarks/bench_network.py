"""Latency of the multi-tower network on one CPU core: network only, and end to end from a file.

    python benchmarks/bench_network.py [--model default] [--data FILE.h5 ...] [--repeats 50]

- network only: one grasp's prepared inputs -> (mean, log-variance), batch 1, every registered
  architecture (random weights: latency does not depend on the values) and the named model
  (an ensemble: all its members, one after the other, as the estimators run them);
- end to end: from the grasp's HDF5 file, decode only the frames the inputs need
  (``NeuralEstimator.estimate_stored``: force and width, 10 loading frames, the K sampled
  images, the reference), extract features, run the analytical (Hertz) estimator, build the
  inputs, run the network, return a ModulusEstimate; beside it the same from a whole read.
  Without ``--data`` a few simulated grasps are written to a temporary file first.

With ``--accuracy FILE.h5 ...`` it scores the model on held-out labelled grasp files instead:
per object (median over its grasps), all objects and each side of the model's resolvable limit,
the network beside the constant (mean training label) and analytical baselines, 68 % interval
coverage and a per-decade table (``--calibration`` for real recordings).

Prints a Markdown table (paste into BENCHMARKS.md / docs/network.md).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import torch

from tactile.errors import TactileError
from tactile.estimators.neural.config import (
    ANALYTICAL_CHANNELS,
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    WIDTH_CHANNELS,
)
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.estimators.neural.model import MultiTowerNet, available_models, create_model
from tactile.io import GraspReader, GraspWriter


def _time_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    fn()  # warm-up (allocations, lazy imports)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), float(np.percentile(times, 90))


def _cpu_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median CPU time (``time.process_time``, this process) of ``fn`` in ms: what one core
    spends, less sensitive than wall time to other processes on a shared machine."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1e3)
    return statistics.median(times)


def network_only(repeats: int, model: str | None) -> list[tuple[str, int, float, float]]:
    rows = []
    names: list[str] = list(available_models())
    for name in [*names, *([model] if model else [])]:
        nets: list[MultiTowerNet]
        label = name
        if name in names:
            nets = [create_model(name).eval()]
        else:
            try:
                loaded = resolve_model(name)
            except TactileError as exc:
                print(f"(skipping model {name!r}: {exc})")
                continue
            nets = [m.model for m in loaded.networks()]  # an ensemble: every member runs
            if len(nets) > 1:
                label = f"{name} (ensemble of {len(nets)})"
        net = nets[0]
        c = net.config
        x = {
            "images": torch.rand(1, c.k_frames, c.image_size, c.image_size),
            "force": torch.randn(1, len(FORCE_CHANNELS), c.k_frames),
            "width": torch.randn(1, len(WIDTH_CHANNELS), c.k_frames),
            "analytical": torch.randn(1, len(ANALYTICAL_CHANNELS)),
            "geometry": torch.randn(1, len(GEOMETRY_CHANNELS)),
        }

        def run(nets: list[MultiTowerNet] = nets, x: dict[str, torch.Tensor] = x) -> object:
            with torch.no_grad():
                return [n(x) for n in nets]

        med, p90 = _time_ms(run, repeats)
        rows.append((label, sum(n.n_parameters() for n in nets), med, p90))
    return rows


def _simulated_file(directory: Path, n: int = 4) -> Path:
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    path = directory / "bench.h5"
    with GraspWriter(path, overwrite=True) as writer:
        for i, e in enumerate(np.logspace(4, 10, n)):
            obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=float(e), name=f"b{i}")
            writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=i))
    return path


def _estimate_whole(est: NeuralEstimator, reader: GraspReader, gid: str) -> object:
    try:
        return est.estimate(reader.read(gid))
    except TactileError as exc:  # a refusal (out of distribution, no contact) is an answer too
        return exc


def _estimate_stored(est: NeuralEstimator, reader: GraspReader, gid: str) -> object:
    try:
        return est.estimate_stored(reader, gid)
    except TactileError as exc:
        return exc


def end_to_end(
    paths: list[Path], model: str, repeats: int, estimator: str = "neural"
) -> list[tuple[str, float, float, float, float, float]]:
    """Per file: median ms per grasp from the file (partial read, what `tactile estimate` and
    `evaluate` do), its max, and for comparison reading every frame (whole estimate, read)."""
    est = HybridEstimator(model) if estimator == "hybrid" else NeuralEstimator(model)
    rows = []
    for path in paths:
        reader = GraspReader(path)
        ids = reader.ids()[: max(1, min(5, len(reader.ids())))]
        stored: list[float] = []
        cpu: list[float] = []
        whole: list[float] = []
        read_only: list[float] = []
        for gid in ids:
            stored.append(_time_ms(partial(_estimate_stored, est, reader, gid), repeats)[0])
            cpu.append(_cpu_ms(partial(_estimate_stored, est, reader, gid), repeats))
            whole.append(_time_ms(partial(_estimate_whole, est, reader, gid), repeats)[0])
            read_only.append(_time_ms(partial(reader.read, gid), repeats)[0])
        rows.append(
            (
                path.name,
                statistics.median(stored),
                max(stored),
                statistics.median(cpu),
                statistics.median(whole),
                statistics.median(read_only),
            )
        )
    return rows


def _fmt(m: dict[str, float], key: str, pct: bool = True) -> str:
    v = m.get(key, float("nan"))
    return f"{v:.1%}" if pct else f"{v:.2f}"


def accuracy(model: str, paths: list[Path], calibration: str | None) -> None:
    from tactile.estimators.neural.evaluate import evaluate_model, limit_report, summarize
    from tactile.estimators.neural.metrics import object_metrics, per_object

    loaded = resolve_model(model)
    records = evaluate_model(loaded, paths, calibration=calibration, progress=False)
    limit = loaded.info.get("stiff_limit_pa")
    print(f"model {loaded.path} ({loaded.config.name}), resolvable limit {limit} Pa, ")
    print(f"{len(records)} grasps of {len({r['object_id'] for r in records})} objects\n")
    print("| all objects | n | within 1 decade | within 0.5 | log10 MAE | Spearman |")
    print("|---|---|---|---|---|---|")
    for name, m in summarize(records).items():
        print(
            f"| {name} | {m['n_objects']:.0f} | {_fmt(m, 'within_1_decade')} | "
            f"{_fmt(m, 'within_half_decade')} | {_fmt(m, 'log10_mae', False)} | "
            f"{_fmt(m, 'spearman', False)} |"
        )
    rep = limit_report(records, limit, lower_bound_z=NeuralEstimator(loaded).lower_bound_z)
    if rep:
        b, a = rep["below"], rep["above"]
        print(f"\nbelow the limit ({b['network_n_objects']:.0f} objects):")
        print("| | within 1 decade | log10 MAE |\n|---|---|---|")
        for name in ("network", "analytical", "constant"):
            w1, mae = _fmt(b, f"{name}_within_1_decade"), _fmt(b, f"{name}_log10_mae", False)
            print(f"| {name} | {w1} | {mae} |")
        print(
            f"wrongly flagged stiff {_fmt(b, 'wrongly_flagged')}, "
            f"68 % coverage (grasps) {_fmt(b, 'coverage_68')}"
        )
        print(
            f"above the limit ({a['n_objects']:.0f} objects): flagged {_fmt(a, 'flagged')}, "
            f"95 % lower bound holds {_fmt(a, 'bound_holds')}, "
            f"median bound 10^{a['median_bound_log10']:.2f} Pa"
        )
    obj = np.array([r["object_id"] for r in records])
    lab = np.array([r["label_log10"] for r in records])
    print("\n| decade | n | network MAE | within 1 | analytical MAE | within 1 |")
    print("|---|---|---|---|---|---|")
    _, lab_o, _ = per_object(obj, lab, lab)
    for dec in range(int(np.floor(lab_o.min())), int(np.floor(lab_o.max())) + 1):
        sel = np.isin(obj, [o for o in np.unique(obj) if dec <= np.median(lab[obj == o]) < dec + 1])
        if not sel.any():
            continue
        cells = []
        for key in ("pred_log10", "analytical_log10"):
            m = object_metrics(obj[sel], lab[sel], np.array([r[key] for r in records])[sel])
            cells += [_fmt(m, "log10_mae", False), _fmt(m, "within_1_decade")]
        n = len(np.unique(obj[sel]))
        print(f"| 1e{dec} | {n} | " + " | ".join(cells) + " |")


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", default="default", help="named model or checkpoint for end to end")
    p.add_argument(
        "--data", nargs="*", type=Path, default=[], help="grasp files (default: simulated)"
    )
    p.add_argument("--repeats", type=int, default=50)
    p.add_argument(
        "--accuracy", nargs="*", type=Path, default=None, help="held-out labelled grasp files"
    )
    p.add_argument("--calibration", default=None, help="sensor calibration for --accuracy")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--estimator", choices=("neural", "hybrid"), default="neural")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.accuracy:
        accuracy(args.model, args.accuracy, args.calibration)
        return
    print(f"torch {torch.__version__}, {args.threads} thread(s)\n")
    print("| network (batch 1) | parameters | median ms | p90 ms |\n|---|---|---|---|")
    for name, n, med, p90 in network_only(args.repeats, args.model):
        print(f"| {name} | {n:,} | {med:.2f} | {p90:.2f} |")
    with tempfile.TemporaryDirectory() as tmp:
        paths = args.data or [_simulated_file(Path(tmp))]
        try:
            rows = end_to_end(paths, args.model, max(3, args.repeats // 10), args.estimator)
        except TactileError as exc:
            print(f"\n(end to end skipped: {exc})")
            return
    print(
        "\n| end to end from file | median ms per grasp (wall) | max ms | CPU ms (median) "
        "| reading every frame instead | of which HDF5 read |\n|---|---|---|---|---|---|"
    )
    for name, med, top, cpu_ms, whole, read in rows:
        print(f"| {name} | {med:.1f} | {top:.1f} | {cpu_ms:.1f} | {whole:.1f} | {read:.1f} |")


if __name__ == "__main__":
    main()
