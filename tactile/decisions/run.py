"""``tactile sort``: sort one tray and log it; fit a profile's thresholds to labelled samples.

:func:`sort_run` is a whole sorting run: the tray (``sim://``, ``replay://`` or ``rig://``),
the grasper that goes with it (the simulator, the recordings, or a rig through the real
recorder), :func:`tactile.decisions.sorter.sort_tray`, and the logs
(:func:`tactile.decisions.log.write_run`). :func:`fit_run` fits a profile and writes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tactile.decisions.fit import Boundary
from tactile.decisions.profiles import ProduceProfile
from tactile.decisions.sorter import ItemResult, SortRun
from tactile.errors import TactileError


@dataclass
class SortOutcome:
    """What :func:`sort_run` did: the run (the items sorted so far), the files written, the
    tray's size, and the fault or interruption that stopped a rig early (None: all sorted)."""

    run: SortRun
    paths: dict[str, Path]
    n_items: int
    failure: TactileError | None = None

    @property
    def interrupted(self) -> bool:
        """The run was stopped by the user (the stop event), not by a fault."""
        from tactile.recording.recorder import GraspAbortedError, RecordingInterruptedError

        return isinstance(self.failure, GraspAbortedError) and isinstance(
            self.failure.cause, RecordingInterruptedError
        )


def sort_run(
    profile: str | Path,
    tray: str,
    out: Path,
    *,
    stop_when_confident: bool = False,
    seed: int = 0,
    hardware: str | None = None,
    gripper: str | None = None,
    tactile: str | None = None,
    force: str | None = None,
    software_force_limit: bool = False,
    pause_s: float | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
    plot: Callable[[SortRun], bytes] | None = None,
    stop: threading.Event | None = None,
    log: TextIO | None = None,
) -> SortOutcome:
    """Sort the tray at URL ``tray`` with the produce profile ``profile`` into the folder ``out``.

    ``tray``: ``sim://?n=12&seed=1`` (simulated fruit of the profile's kind, grasped by the
    simulator with ``seed``), ``replay://FILE.h5`` (sorted from its recordings) or
    ``rig://?n=12`` (real items an operator places). A rig (``hardware`` profile, or
    ``gripper``/``tactile``/``force`` URLs) grasps through the real recorder: ``rig://`` trays
    need one, ``replay://`` trays refuse one, simulated fruit needs simulated devices. On a rig,
    the grasps are stored as recorded (``out/grasps.h5``), ``pause_s`` replaces waiting for
    Enter between items, ``stop`` (set it, e.g. on Ctrl-C) stops at the next frame, and a fault
    or a stop ends the run with the items done so far logged (:attr:`SortOutcome.failure`).
    ``on_item`` is called after each item; ``plot`` renders ``summary.png``
    (:func:`tactile.reporting.plots.sorting_figure`); ``log``: operator prompts and the
    recorder's messages.
    """
    from tactile.decisions import ProduceEstimator, load_produce_profile
    from tactile.decisions.grasping import ReplayGrasper, SimGrasper
    from tactile.decisions.log import write_run
    from tactile.decisions.sorter import sort_tray
    from tactile.decisions.tray import parse_tray_url, replay_tray, rig_tray, sim_tray
    from tactile.errors import ConfigError

    prof = load_produce_profile(profile)
    estimator = ProduceEstimator()
    scheme, target, params = parse_tray_url(tray)
    on_rig = bool(hardware or gripper or tactile or force)
    if scheme == "rig" and not on_rig:
        raise ConfigError(
            f"tray {tray!r} is real items on a rig, but no rig was given",
            hint="pass --hardware PROFILE (or --gripper/--tactile/--force URLs)",
        )
    if scheme == "replay" and on_rig:
        raise ConfigError(
            "a replay:// tray is sorted from its recordings, not on a rig",
            hint="drop --hardware, or use a rig://?n=N or sim:// tray",
        )
    reader = None
    if scheme == "sim":
        items = sim_tray(prof, int(params.get("n", 12)), int(params.get("seed", 0)))
    elif scheme == "rig":
        items = rig_tray(prof, int(params.get("n", 12)))
    else:
        from tactile.io import GraspReader

        items = replay_tray(target)
        reader = GraspReader(target)
    run = SortRun(prof, stop_when_confident=stop_when_confident, source=tray)
    sort: dict[str, Any] = dict(
        stop_when_confident=stop_when_confident, source=tray, on_item=on_item, run=run
    )
    try:
        if on_rig:
            return _sort_on_rig(
                items,
                estimator,
                prof,
                run,
                sort,
                out,
                simulated_items=scheme == "sim",
                hardware=hardware,
                urls={"gripper": gripper, "tactile": tactile, "force": force},
                software_force_limit=software_force_limit,
                pause_s=pause_s,
                plot=plot,
                stop=stop if stop is not None else threading.Event(),
                log=log,
            )
        if scheme == "sim":
            grasper: Any = SimGrasper(estimator, prof.max_force_n, seed=seed)
        else:
            grasper = ReplayGrasper(estimator, reader)
        sort_tray(items, grasper, estimator, prof, **sort)
    finally:
        if reader is not None:
            reader.close()
    return SortOutcome(run, write_run(run, out, plot=plot), len(items))


def _sort_on_rig(
    items: list[Any],
    estimator: Any,
    profile: ProduceProfile,
    run: SortRun,
    sort: dict[str, Any],
    out: Path,
    *,
    simulated_items: bool,
    hardware: str | None,
    urls: dict[str, str | None],
    software_force_limit: bool,
    pause_s: float | None,
    plot: Callable[[SortRun], bytes] | None,
    stop: threading.Event,
    log: TextIO | None,
) -> SortOutcome:
    """Sort on a rig: grasps stored as recorded; on a fault or a stop the items done so far are
    logged, and the failure is returned."""
    import sys

    from tactile.decisions.log import write_run
    from tactile.decisions.rig import OperatorPrompt, RigGrasper, RigSpec
    from tactile.decisions.sorter import sort_tray
    from tactile.errors import ConfigError

    log = log if log is not None else sys.stderr
    spec = RigSpec.from_profile(hardware, **urls)
    if simulated_items and not spec.simulated:
        raise ConfigError(
            "a sim:// tray holds simulated fruit, which only simulated devices can grasp",
            hint="use --hardware sim (or sim:// / robotiq-sim:// URLs), or a rig://?n=N tray",
        )
    place = None
    if not simulated_items:
        place = OperatorPrompt(stop, pause_s=pause_s, out=log)
    out.mkdir(parents=True, exist_ok=True)
    grasper = RigGrasper(
        spec,
        estimator,
        profile.max_force_n,
        grasps_path=out / "grasps.h5",
        software_force_limit=software_force_limit,
        place=place,
        stop_event=stop,
        out=log,
    )
    failure: TactileError | None = None
    with grasper:  # a device or setting refused: nothing done
        try:
            sort_tray(items, grasper, estimator, profile, **sort)
        except TactileError as exc:
            failure = exc
            if run.stopped is None:  # stopped between grasps (placing the next item)
                run.stopped = exc.message
    paths = write_run(run, out, grasps=False, plot=plot)
    paths["grasps_h5"] = out / "grasps.h5"
    return SortOutcome(run, paths, len(items), failure)


def fit_run(
    profile: str | Path, samples: Path, out: Path
) -> tuple[ProduceProfile, ProduceProfile, list[Boundary], int]:
    """``tactile sort fit``: fit ``profile``'s thresholds to the labelled ``samples`` (CSV with
    value and label columns) and write the fitted profile to ``out`` (TOML). Returns the
    profile, the fitted one, its boundaries and the number of samples."""
    from tactile.decisions import load_produce_profile
    from tactile.decisions.fit import fit_profile, read_samples
    from tactile.decisions.profiles import profile_to_toml

    prof = load_produce_profile(profile)
    rows = read_samples(samples, prof.quantity)
    fitted, boundaries = fit_profile(prof, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profile_to_toml(fitted))
    return prof, fitted, list(boundaries), len(rows)
