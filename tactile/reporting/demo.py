"""``tactile demo``: simulate, record, estimate, sort, and write it all up as one HTML page.

:func:`run_demo` is the whole demo: the simulator plays the rig, the store writes a real HDF5
file, and the estimators read it back the way they would read a recorded session; then a tray of
simulated tomatoes is sorted (thresholds fitted on a labelled tray, a second tray sorted with
full grasps and when confident), and the report (:mod:`tactile.reporting.demo_report`) is
written. No hardware, no server.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile.reporting.demo_report import DemoResults, DemoTray


@dataclass(frozen=True)
class DemoObject:
    name: str
    modulus_pa: float
    radius_mm: float


#: Spheres from soft foam-like rubber to steel; the gel of the simulated sensor is ~200 kPa.
DEMO_OBJECTS: tuple[DemoObject, ...] = (
    DemoObject("soft_foam_ball", 2.0e4, 25.0),
    DemoObject("orange_rubber_ball", 5.0e4, 25.0),
    DemoObject("green_rubber_ball", 1.0e5, 25.0),
    DemoObject("purple_rubber_ball", 2.0e5, 20.0),
    DemoObject("hard_plastic_ball", 2.0e9, 20.0),
    DemoObject("steel_ball", 2.0e11, 15.0),
)


def record_demo_grasps(
    path: Path, seed: int, mode: str = "new", progress: bool = False
) -> list[str]:
    """Simulate one grasp of each :data:`DEMO_OBJECTS` sphere into the grasp file ``path``."""
    from tqdm import tqdm

    from tactile.io.output import WriteMode, open_grasp_output
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

    ids = []
    objects = tqdm(DEMO_OBJECTS, desc="simulate", unit="grasp", disable=not progress)
    with open_grasp_output(
        path, WriteMode(mode), frame_codec="jpeg", expected=len(DEMO_OBJECTS)
    ) as writer:
        for i, spec in enumerate(objects):
            obj = SimObject(
                shape="sphere", radius_mm=spec.radius_mm, modulus_pa=spec.modulus_pa, name=spec.name
            )
            grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=seed + i)
            ids.append(writer.append(grasp))
    return ids


def estimate_rows(path: Path, estimator_name: str) -> list[dict[str, Any]]:
    """One row per grasp of ``path``: its estimate (or error) and :func:`verdict` vs its label."""
    from tactile.errors import TactileError
    from tactile.estimators import get_estimator
    from tactile.io import GraspReader

    estimator = get_estimator(estimator_name)
    rows: list[dict[str, Any]] = []
    with GraspReader(path) as reader:
        for gid in reader.ids():
            grasp = reader.read(gid)
            truth = grasp.meta.label_modulus_pa
            row: dict[str, Any] = {"grasp_id": gid, "object_id": grasp.meta.object_id}
            row["label_modulus_pa"] = truth
            try:
                est = estimator.estimate(grasp)
            except TactileError as exc:
                row.update(error=str(exc), verdict="failed")
                rows.append(row)
                continue
            row.update(est.to_dict())
            row["verdict"] = verdict(est.modulus_pa, est.lower_bound_only, truth)
            rows.append(row)
    return rows


def network_rows(path: Path, name: str) -> tuple[list[dict[str, Any]], str | None]:
    """Rows of the network estimator, or none and the reason it cannot run here."""
    if name.lower() == "none":
        return [], None
    import importlib.util

    from tactile.errors import TactileError

    if importlib.util.find_spec("torch") is None:
        return [], "install the nn extra (pip install -e '.[nn]') to compare the network"
    try:
        return estimate_rows(path, name), None
    except TactileError as exc:  # e.g. a model file that does not load
        return [], f"network estimator {name!r} unavailable: {exc}"


def verdict(estimate_pa: float, lower_bound_only: bool, truth_pa: float | None) -> str:
    """How an estimate compares with the truth: within 2x, within 10x, a bound that holds ..."""
    if truth_pa is None:
        return "no label"
    if lower_bound_only:
        return "ok (lower bound holds)" if truth_pa >= estimate_pa else "bound violated"
    ratio = estimate_pa / truth_pa
    if 0.5 <= ratio <= 2.0:
        return "ok (within 2x)"
    return "ok (within 10x)" if abs(math.log10(ratio)) <= 1 else "off"


#: Fruit on the labelled tray at least: with fewer, a class can be missing (ripeness is spread
#: evenly over [0, 1] and the tomato's ripe class spans about 0.38 of it).
MIN_LABELLED_TRAY = 6


def demo_tray(size: int, seed: int) -> DemoTray:
    """Fit the tomato thresholds on a labelled tray (``size`` fruit, at least
    ``MIN_LABELLED_TRAY``), then sort another tray of ``size`` fruit twice."""
    from tactile.decisions import ProduceEstimator, load_produce_profile
    from tactile.decisions.fit import Sample, fit_profile
    from tactile.decisions.grasping import SimGrasper
    from tactile.decisions.sorter import sort_tray
    from tactile.decisions.tray import sim_tray
    from tactile.errors import ConfigError, TactileError

    literature = load_produce_profile("tomato")
    est = ProduceEstimator()
    grasper = SimGrasper(est, literature.max_force_n, seed=seed)
    n_labelled = max(size, MIN_LABELLED_TRAY)
    labelled = sort_tray(sim_tray(literature, n_labelled, seed + 101), grasper, est, literature)
    samples = [
        Sample(r.attempts[0].measurement.value, r.item.truth_class)
        for r in labelled.results
        if r.attempts[0].measurement is not None and r.item.truth_class
    ]
    try:
        fitted, boundaries = fit_profile(literature, samples)
    except TactileError as exc:
        raise ConfigError(
            f"the demo's labelled tray ({n_labelled} simulated tomatoes, seed {seed}) cannot "
            f"fit thresholds: {exc.message}",
            hint="use a larger --tray-size (e.g. 12) or another --seed",
        ) from exc
    items = sim_tray(fitted, size, seed + 202)
    full = sort_tray(items, grasper, est, fitted, source="sim")
    stopped = sort_tray(items, grasper, est, fitted, stop_when_confident=True, source="sim")
    return DemoTray(literature, fitted, boundaries, labelled, full, stopped)


def run_demo(
    path: Path,
    report: Path,
    *,
    seed: int = 0,
    estimator: str = "auto",
    network: str = "hybrid",
    tray_size: int = 6,
    mode: str = "new",
    progress: bool = False,
    say: Callable[[str], None] | None = None,
) -> DemoResults:
    """The whole demo: record the :data:`DEMO_OBJECTS` into the grasp file ``path`` (``mode``:
    a :class:`tactile.io.output.WriteMode` value), estimate them with ``estimator`` and the
    ``network`` estimator (``"none"`` skips it; without torch it is skipped with a note), sort
    two trays of ``tray_size`` simulated tomatoes (0 skips it, see :func:`demo_tray`), and
    write the HTML report to ``report``. ``say`` gets a line at each step."""
    from tactile.io import GraspReader
    from tactile.reporting.demo_report import write_demo_report

    def step(text: str) -> None:
        if say is not None:
            say(text)

    step(f"simulating and recording {len(DEMO_OBJECTS)} spheres ...")
    record_demo_grasps(path, seed, mode, progress)
    rows = estimate_rows(path, estimator)
    network_found, why_not = network_rows(path, network)
    tray = None
    if tray_size > 0:
        step(f"sorting simulated tomatoes ({tray_size} per tray) ...")
        tray = demo_tray(tray_size, seed)
    step("writing the report ...")
    with GraspReader(path) as reader:
        grasps = [reader.read(gid) for gid in reader.ids()]
    objects = [
        {"name": o.name, "shape": "sphere", "radius_mm": o.radius_mm, "modulus_pa": o.modulus_pa}
        for o in DEMO_OBJECTS
    ]
    results = DemoResults(objects, grasps, rows, network_found, network, why_not, estimator, tray)
    write_demo_report(results, report)
    return results
