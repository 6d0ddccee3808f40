"""An online estimate during the grasp: E and its interval updated as frames arrive.

:class:`OnlineEstimator` takes one frame with its force and width at a time (camera rate) and,
after each, estimates from what has arrived so far with **the offline code itself**: the loading
phase, the features and the fit are :func:`~tactile.processing.features.extract_features_from`
and the analytical estimator's ``estimate_features``, called exactly as
:func:`tactile.evaluation.runner.estimate_stored` (what ``tactile estimate FILE`` runs) calls
them, on the prefix of the grasp.

Two kinds of update:

* **streaming** (:meth:`OnlineEstimator.update`, the default): the same code with reduced
  Monte Carlo draws (:func:`tactile.estimators.montecarlo.reduced_draws`: 400 instead of 4,000
  gel-separation draws, a quarter of the bootstrap), so it keeps up with the camera; its
  interval is a noisier version of the exact one;
* **exact** (``update(..., exact=True)`` or :meth:`OnlineEstimator.exact_update` on what has
  arrived): the full counts, i.e. what an offline estimate of a grasp that ended at this frame
  gives. A stopping rule confirms a decision with an exact update before it stops the gripper,
  and :func:`replay_online` / :func:`estimate_prefix` make the last frame's update exact, so
  once the last frame is in the online answer *is* the offline one (a test checks equality).

What it costs: one loading-phase search on the force so far, the loading frames the estimator
needs measured (one image for Hertz on a sphere, at most ``max_image_frames`` otherwise), and
one fit; ``benchmarks/bench_sorting.py`` measures it per frame (BENCHMARKS.md, "Sorting").
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from tactile.errors import EstimatorError, TactileError
from tactile.estimators.base import AnalyticalEstimator, with_pad_area
from tactile.estimators.montecarlo import reduced_draws
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata, ModulusEstimate

#: Loading frames measured per update (the same default as ``tactile estimate FILE``).
ONLINE_IMAGE_FRAMES = 4


@dataclass(frozen=True, eq=False)
class OnlineUpdate:
    """The state after one frame: the estimate so far (or why there is none yet)."""

    frame_index: int
    t_s: float
    force_n: float
    width_mm: float
    estimate: ModulusEstimate | None = None
    features: GraspFeatures | None = None
    waiting_for: str = ""  # why there is no estimate (no contact yet, too few frames, ...)
    cost_s: float = 0.0  # wall time of this update
    cpu_s: float = 0.0  # CPU time of this update in this thread
    exact: bool = False  # full Monte Carlo counts: equal to the offline estimate of the prefix

    @property
    def has_estimate(self) -> bool:
        return self.estimate is not None


@dataclass
class _Prefix:
    """The grasp so far, in the shape feature extraction reads (a SignalSource)."""

    grasp_id: str
    meta: GraspMetadata
    reference_frame: np.ndarray | None
    frames: list[np.ndarray] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    forces: list[float] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)

    @property
    def t_s(self) -> np.ndarray:
        return np.asarray(self.times, dtype=np.float64)

    @property
    def force_n(self) -> np.ndarray:
        return np.asarray(self.forces, dtype=np.float64)

    @property
    def width_mm(self) -> np.ndarray:
        return np.asarray(self.widths, dtype=np.float64)

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def frame_shape(self) -> tuple[int, int]:
        h, w = self.frames[0].shape[:2]
        return int(h), int(w)


class OnlineEstimator:
    """Feed frames with :meth:`update`; each returns an :class:`OnlineUpdate`.

    ``estimator``: an analytical estimator (name or instance; ``auto`` by default). ``meta``
    describes the object as an offline estimate would see it (shape, radius if known, the
    sensor's ``calibration_id``); ``reference_frame`` is the unloaded gel if the rig records one.
    """

    def __init__(
        self,
        estimator: str | AnalyticalEstimator = "auto",
        *,
        meta: GraspMetadata,
        calibration: SensorCalibration | str | None = None,
        reference_frame: np.ndarray | None = None,
        grasp_id: str = "online",
        max_image_frames: int | None = ONLINE_IMAGE_FRAMES,
    ) -> None:
        from tactile.estimators.registry import get_estimator

        est = get_estimator(estimator) if isinstance(estimator, str) else estimator
        if not isinstance(est, AnalyticalEstimator):
            raise EstimatorError(
                f"online estimation needs an analytical estimator, got {type(est).__name__}",
                hint="use auto, hertz, mdr, elastic or line",
            )
        self.estimator = est
        self.meta = meta
        self._calibration_arg = calibration
        self._calibration: SensorCalibration | None = None
        needed = est.image_frames(meta)
        if max_image_frames is not None and needed is not None:
            max_image_frames = min(max_image_frames, needed)
        self.max_image_frames = max_image_frames
        self._prefix = _Prefix(grasp_id, meta, reference_frame)
        self.updates: list[OnlineUpdate] = []

    @property
    def n_frames(self) -> int:
        return self._prefix.n_frames

    def _cal(self) -> SensorCalibration:
        if self._calibration is None:
            base = resolve_calibration(self.meta, self._calibration_arg)
            self._calibration = with_pad_area(base, self._prefix)
        return self._calibration

    def add_frame(self, frame: np.ndarray, t_s: float, force_n: float, width_mm: float) -> None:
        """Add one frame without estimating (e.g. while the force is too low to decide)."""
        p = self._prefix
        p.frames.append(frame)
        p.times.append(float(t_s))
        p.forces.append(float(force_n))
        p.widths.append(float(width_mm))

    def update(
        self,
        frame: np.ndarray,
        t_s: float,
        force_n: float,
        width_mm: float,
        *,
        exact: bool = False,
    ) -> OnlineUpdate:
        """Add one frame (H, W, 3 uint8) with its time, force and width; estimate again.

        Streaming (reduced Monte Carlo draws) unless ``exact`` (see the module docstring).
        """
        start, cpu = time.perf_counter(), time.thread_time()
        self.add_frame(frame, t_s, force_n, width_mm)
        update = self._timed_update(start, cpu, None, exact=exact)
        self.updates.append(update)
        return update

    def exact_update(self) -> OnlineUpdate:
        """The exact update (full Monte Carlo counts) for the frames that have arrived: what an
        offline estimate of a grasp ending at the last frame gives. It reuses the last
        update's features when that update was for the same frame (they do not depend on the
        draws), and replaces that update in :attr:`updates`."""
        p = self._prefix
        if p.n_frames == 0:
            raise EstimatorError("no frame has arrived yet", hint="call update() first")
        last = self.updates[-1] if self.updates else None
        index = p.n_frames - 1
        if last is not None and last.frame_index == index and last.exact:
            return last
        start, cpu = time.perf_counter(), time.thread_time()
        same = last is not None and last.frame_index == index
        features = last.features if same and last is not None else None
        update = self._timed_update(start, cpu, features, exact=True)
        if same:
            self.updates[-1] = update
        else:
            self.updates.append(update)
        return update

    def _timed_update(
        self, start: float, cpu: float, features: GraspFeatures | None, *, exact: bool
    ) -> OnlineUpdate:
        """The update for the last frame that arrived (timed from ``start``/``cpu``): exact or
        with reduced draws, from ``features`` when given (else extracted)."""
        p = self._prefix
        if exact:
            estimate, features, why = self._estimate(features)
        else:
            with reduced_draws():
                estimate, features, why = self._estimate(features)
        return OnlineUpdate(
            frame_index=p.n_frames - 1,
            t_s=p.times[-1],
            force_n=p.forces[-1],
            width_mm=p.widths[-1],
            estimate=estimate,
            features=features,
            waiting_for=why,
            cost_s=time.perf_counter() - start,
            cpu_s=time.thread_time() - cpu,
            exact=exact,
        )

    def _estimate(
        self, features: GraspFeatures | None
    ) -> tuple[ModulusEstimate | None, GraspFeatures | None, str]:
        from tactile.processing.features import FrameSource, extract_features_from

        p = self._prefix
        if p.n_frames < 3:
            return None, None, "at least 3 frames"
        try:
            cal = self._cal()
            if features is None:
                # the frame list indexes like an array and is not copied on every update
                frames = FrameSource(frames=cast(np.ndarray, p.frames))
                features = extract_features_from(
                    p, frames, cal, max_image_frames=self.max_image_frames
                )
            est = self.estimator.estimate_features(features, meta=self.meta, calibration=cal)
        except TactileError as exc:
            return None, None, exc.message
        return est, features, ""

    def grasp(self) -> Grasp:
        """What arrived so far as a :class:`Grasp` (for storage or an offline estimate)."""
        p = self._prefix
        return Grasp(
            grasp_id=p.grasp_id,
            frames=np.stack(p.frames),
            t_s=p.t_s,
            force_n=p.force_n,
            width_mm=p.width_mm,
            meta=self.meta,
            reference_frame=p.reference_frame,
        )


def replay_online(
    grasp: Grasp,
    estimator: str | AnalyticalEstimator = "auto",
    *,
    calibration: SensorCalibration | str | None = None,
    meta: GraspMetadata | None = None,
) -> Iterator[OnlineUpdate]:
    """Feed a recorded grasp to an :class:`OnlineEstimator` frame by frame, yielding each
    update (stop iterating to stop the replay where a stopping rule would). Updates are
    streaming except the last frame's, which is exact (the offline estimate of the grasp)."""
    online = OnlineEstimator(
        estimator,
        meta=meta or grasp.meta,
        calibration=calibration,
        reference_frame=grasp.reference_frame,
        grasp_id=grasp.grasp_id,
    )
    last = grasp.n_frames - 1
    for i in range(grasp.n_frames):
        args = (grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
        yield online.update(*args, exact=i == last)


def estimate_prefix(
    grasp: Grasp,
    estimator: str | AnalyticalEstimator = "auto",
    *,
    n_frames: int | None = None,
    calibration: SensorCalibration | str | None = None,
    meta: GraspMetadata | None = None,
) -> OnlineUpdate:
    """The exact online update after ``n_frames`` frames of ``grasp`` (all by default) without
    computing the ones before: the offline estimate of that prefix, and the same answer as
    the last of :func:`replay_online` for the whole grasp."""
    n = grasp.n_frames if n_frames is None else max(1, min(int(n_frames), grasp.n_frames))
    online = OnlineEstimator(
        estimator,
        meta=meta or grasp.meta,
        calibration=calibration,
        reference_frame=grasp.reference_frame,
        grasp_id=grasp.grasp_id,
    )
    for i in range(n - 1):
        online.add_frame(grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
    i = n - 1
    args = (grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
    return online.update(*args, exact=True)
