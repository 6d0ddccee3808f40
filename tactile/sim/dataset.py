"""Synthetic datasets: N objects x K grasps, simulated in parallel, and their card.

This module only computes: :func:`plan_dataset` draws the objects and the per-grasp settings,
:func:`simulate_plan` yields the grasps in order, :func:`build_card` describes them. Writing them
to the grasp store is :func:`tactile.recording.synthetic.generate_dataset` (the simulator does
no I/O; docs/decisions.md, "Layering").

Deterministic for a seed: object ``i``'s grasp ``k`` uses the seed ``SeedSequence([seed, i, k])``
whatever the number of workers, and grasps are written in (object, grasp) order. Each grasp
varies the force target by up to +-20 % around the configured one, like a human operator
repeating a grasp. Given several settings (a preset mix), object ``i``'s grasp ``k`` uses
``configs[(i + k) % len(configs)]``, so every object is seen under each of them when
``grasps_per_object >= len(configs)``.
"""

from __future__ import annotations

import collections
import math
import multiprocessing
import signal
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile import __version__
from tactile.errors import ConfigError
from tactile.sim.catalog import sample_population
from tactile.sim.grasp import SimGraspConfig, simulate_grasp
from tactile.sim.objects import SimObject
from tactile.sim.rigs import RigRanges, apply_rig, draw_rig
from tactile.types import Grasp

FORCE_TARGET_JITTER = 0.2


#: One grasp to simulate: object, settings, seed, grasp id, force-target scale.
Job = tuple[SimObject, SimGraspConfig, int, str, float]


@dataclass(frozen=True)
class DatasetPlan:
    """What a synthetic dataset will hold: the objects, one job per grasp, the settings."""

    objects: list[SimObject]
    jobs: list[Job]
    configs: tuple[SimGraspConfig, ...]
    grasps_per_object: int
    population: str
    seed: int
    rig: RigRanges | None = None  # a randomised rig per grasp (tactile.sim.rigs)
    e_range_pa: tuple[float, float] | None = None  # log-uniform E range (None: the default)

    def settings(self, **run: Any) -> dict[str, Any]:
        """The card's settings: the plan's, what the run adds (workers, elapsed time), and the
        simulator settings (one preset, or what a mix shares and what differs)."""
        return {
            "grasps_per_object": self.grasps_per_object,
            "population": self.population,
            "seed": self.seed,
            **({"e_range_pa": list(self.e_range_pa)} if self.e_range_pa is not None else {}),
            **run,
            "force_target_jitter": FORCE_TARGET_JITTER,
            "rig": "randomised" if self.rig is not None else "fixed",
            **({f"rig_range_{k}": v for k, v in asdict(self.rig).items()} if self.rig else {}),
            **_settings_summary(self.configs),
        }


def grasp_seed(seed: int, object_index: int, grasp_index: int) -> int:
    return int(np.random.SeedSequence([seed, object_index, grasp_index]).generate_state(1)[0])


def _job(args: Job) -> Grasp:
    obj, cfg, seed, grasp_id, force_scale = args
    gripper = replace(cfg.gripper, force_target_n=cfg.gripper.force_target_n * force_scale)
    return simulate_grasp(obj, replace(cfg, gripper=gripper), seed, grasp_id=grasp_id)


def config_for(
    configs: Sequence[SimGraspConfig], object_index: int, grasp_index: int
) -> SimGraspConfig:
    """The settings of object ``object_index``'s grasp ``grasp_index`` in a preset mix."""
    return configs[(object_index + grasp_index) % len(configs)]


def _jobs(
    objects: list[SimObject],
    grasps: int,
    configs: Sequence[SimGraspConfig],
    seed: int,
    rig: RigRanges | None = None,
) -> list[Job]:
    jobs = []
    for i, obj in enumerate(objects):
        for k in range(grasps):
            s = grasp_seed(seed, i, k)
            scale = 1.0 + FORCE_TARGET_JITTER * (2.0 * np.random.default_rng(s).random() - 1.0)
            cfg = config_for(configs, i, k)
            if rig is not None:  # a rig per grasp, from its own stream of the grasp's seed
                rig_rng = np.random.default_rng(np.random.SeedSequence([seed, i, k, 12]))
                cfg = apply_rig(cfg, draw_rig(rig_rng, rig))
            jobs.append((obj, cfg, s, f"{obj.name}_g{k:02d}", float(scale)))
    return jobs


#: Grasps simulated ahead of the writer per worker. ``Pool.imap`` alone has no back-pressure:
#: when the writer (gzip) is slower than the workers, finished grasps (tens of MB each) pile up
#: in the parent (a 1,400-grasp run grew to 8 GB), so jobs are submitted in a bounded window.
AHEAD_PER_WORKER = 2


def _run(jobs: Sequence[Any], workers: int, pool: Any = None) -> Iterator[Grasp]:
    """Simulated grasps in job order, from ``workers`` processes (or the given pool), at most
    ``AHEAD_PER_WORKER * workers`` of them waiting for the writer at any time."""
    if pool is not None:
        yield from _run_in(pool, jobs, AHEAD_PER_WORKER * max(workers, 1))
        return
    if workers <= 1:
        yield from map(_job, jobs)
        return
    with multiprocessing.get_context().Pool(workers, initializer=_ignore_sigint) as local:
        yield from _run_in(local, jobs, AHEAD_PER_WORKER * workers)


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent (which stops them): a terminal sends SIGINT to
    the whole process group, and each worker printed its own KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in(pool: Any, jobs: Sequence[Any], window: int) -> Iterator[Grasp]:
    """``pool.apply_async`` per job, in order, at most ``window`` results outstanding."""
    pending: collections.deque[Any] = collections.deque()
    for job in jobs:
        pending.append(pool.apply_async(_job, (job,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _settings_summary(configs: Sequence[SimGraspConfig]) -> dict[str, Any]:
    """One config: its summary. A mix: the summary's keys that all share, the preset names in
    order, and per preset what differs."""
    summaries = [c.summary() for c in configs]
    if len(summaries) == 1:
        return summaries[0]
    common = {k: v for k, v in summaries[0].items() if all(s.get(k) == v for s in summaries)}
    common["preset"] = "mix"
    common["presets"] = [c.preset for c in configs]
    common["per_preset"] = [
        {k: v for k, v in s.items() if k not in common or k == "preset"} for s in summaries
    ]
    return common


def card_paths(out: Path) -> tuple[Path, Path]:
    base = Path(str(out).rstrip("/"))
    return base.with_suffix(".card.md"), base.with_suffix(".card.json")


def _decade_histogram(moduli: list[float]) -> dict[str, int]:
    counts = collections.Counter(math.floor(math.log10(e)) for e in moduli)
    return {f"1e{d}-1e{d + 1} Pa": counts[d] for d in sorted(counts)}


def build_card(
    objects: list[SimObject], grasps: list[tuple[int, str]], settings: dict[str, Any]
) -> dict[str, Any]:
    """Dataset card contents: distribution of E, shapes, sizes and the settings.

    ``grasps`` holds ``(n_frames, stopped_by)`` per written grasp."""
    moduli = [o.modulus_pa for o in objects]
    sizes = [o.size_z_mm for o in objects]
    frames = [n for n, _ in grasps]
    return {
        "software_version": __version__,
        "settings": settings,
        "n_objects": len(objects),
        "n_grasps": len(grasps),
        "modulus_pa": {
            "min": min(moduli, default=None),
            "median": float(np.median(moduli)) if moduli else None,
            "max": max(moduli, default=None),
            "per_decade": _decade_histogram(moduli),
        },
        "shapes": dict(collections.Counter(o.shape for o in objects)),
        "materials": dict(collections.Counter(o.material or "unspecified" for o in objects)),
        "size_z_mm": {"min": min(sizes, default=None), "max": max(sizes, default=None)},
        "frames_per_grasp": {"min": min(frames, default=0), "max": max(frames, default=0)},
        "stopped_by": dict(collections.Counter(why for _, why in grasps)),
    }


def card_markdown(card: dict[str, Any]) -> str:
    s = card["settings"]
    lines = [
        "# Synthetic grasp dataset (tactile.sim)",
        "",
        f"{card['n_objects']} objects x {s['grasps_per_object']} grasps = {card['n_grasps']} "
        f"grasps, population `{s['population']}`, seed {s['seed']}, "
        f"tactile {card['software_version']}.",
        "Labels are exact by construction (the simulator's E); see docs/simulator.md for the "
        "physics and its known differences from the real Wedge rig.",
        "",
        "## Young's modulus per decade",
        "",
        "| decade | objects |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in card["modulus_pa"]["per_decade"].items()),
        "",
        "## Shapes and materials",
        "",
        *(f"- {k}: {v}" for k, v in sorted(card["shapes"].items())),
        "",
        *(f"- {k}: {v}" for k, v in sorted(card["materials"].items())),
        "",
        f"Size along the squeeze axis: {card['size_z_mm']['min']:.1f} .. "
        f"{card['size_z_mm']['max']:.1f} mm; frames per grasp: "
        f"{card['frames_per_grasp']['min']} .. {card['frames_per_grasp']['max']}; "
        f"gripper stopped by: {card['stopped_by']}.",
        "",
        "## Settings",
        "",
        *(f"- {k}: {v}" for k, v in s.items()),
        "",
    ]
    return "\n".join(lines)


def plan_dataset(
    *,
    n_objects: int,
    grasps_per_object: int,
    seed: int = 0,
    population: str = "reference",
    config: SimGraspConfig | Sequence[SimGraspConfig] | None = None,
    rig: RigRanges | None = None,
    e_range_pa: tuple[float, float] | None = None,
) -> DatasetPlan:
    """``n_objects`` objects of ``population`` and ``grasps_per_object`` jobs each.

    ``config`` is one setting for every grasp (default: the realistic preset) or a sequence
    of settings mixed per grasp (see the module docstring). ``rig``: draw a randomised rig per
    grasp from these ranges (:mod:`tactile.sim.rigs`), recorded in its metadata.
    ``e_range_pa``: the log-uniform E range (Pa) of the ``independent`` / ``loguniform``
    populations (None: 5 kPa .. 250 GPa), recorded in the card's settings."""
    if n_objects < 1 or grasps_per_object < 1:
        raise ConfigError(
            f"need at least one object and one grasp (got {n_objects} x {grasps_per_object})",
            hint="e.g. --objects 10 --grasps 3",
        )
    if config is None:
        configs: tuple[SimGraspConfig, ...] = (SimGraspConfig.realistic(),)
    elif isinstance(config, SimGraspConfig):
        configs = (config,)
    else:
        configs = tuple(config)
    if not configs:
        raise ConfigError("an empty list of settings", hint="pass at least one SimGraspConfig")
    objects = sample_population(n_objects, population, seed, e_range_pa)
    jobs = _jobs(objects, grasps_per_object, configs, seed, rig)
    e_range = None if e_range_pa is None else (float(e_range_pa[0]), float(e_range_pa[1]))
    return DatasetPlan(objects, jobs, configs, grasps_per_object, population, seed, rig, e_range)


def simulate_plan(plan: DatasetPlan, workers: int = 1, pool: Any = None) -> Iterator[Grasp]:
    """The plan's grasps in job order, simulated by ``workers`` processes (bounded ahead).

    ``pool``: an executor hook, any object with ``multiprocessing.Pool``'s ``apply_async``
    (e.g. ``ray.util.multiprocessing.Pool`` to fan the grasps out over a Ray cluster); None: a
    local pool of ``workers`` processes."""
    if workers < 1:
        raise ConfigError(f"workers={workers} must be >= 1", hint="use --workers 1 or more")
    return _run(plan.jobs, workers, pool)
