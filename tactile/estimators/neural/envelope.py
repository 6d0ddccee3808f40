"""The calibration envelope: the gels of the rigs a network was trained on (issue 12, ood36).

The network reads a rig only through its calibration's rigid-press curve and gel thickness
(:func:`~tactile.estimators.neural.inputs.rig_vector`) and, implicitly, through what its
training rigs' gels were like; its out-of-distribution score (:mod:`.ood`) uses neither the gel's
thickness nor its modulus. A **measured** gel (``gel_source: "measured"``, ``tactile calibrate
gel-measured``: thickness from calipers, modulus from a coupon, the Hertz half-space law the
simulator uses) is a statement about the real gel, comparable with the simulated rigs' true
gels; so a measured gel outside the range of the training rigs' gels (with a small margin,
:data:`THICKNESS_MARGIN_MM`, :data:`MODULUS_MARGIN_LOG10`) is outside what the network learned:
``neural`` refuses, ``hybrid`` answers with the physics (docs/network.md, "The calibration
envelope").

A reference or fitted gel (every other calibration: ``wedge-reference-v3``/``v4``'s thin-layer
fit of 54.7 kPa at the nominal 3.0 mm, which every simulated training grasp carried too, whatever
its rig's true gel) says nothing about the real gel, so it is not compared: its rig is judged by
the OOD score's rigid-press features, as before.

:func:`training_envelope` measures the envelope at training time (the simulated grasps' true gels,
``true_gel_thickness_mm`` / ``true_gel_modulus_pa`` in their metadata; a real grasp's measured
gel; other grasps counted as unknown) and ``tactile train`` stores it in ``info["calibration_
envelope"]``. A checkpoint without it (the shipped default, trained before it existed) gets
:func:`derived_envelope`: the simulator's randomised-rig gel ranges
(:class:`~tactile.sim.rigs.RigRanges`), named as derived in every reason it gives.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactile.errors import ModelFileError, TactileError
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.types import GraspMetadata

#: Key of the envelope in a checkpoint's ``info``.
INFO_KEY = "calibration_envelope"
#: Margin on the gel thickness (mm): the calipers' ±0.1 mm of the coupon protocol
#: (docs/calibration.md, "tactile calibrate gel-measured").
THICKNESS_MARGIN_MM = 0.1
#: Margin on the gel modulus (log10): ±15 %, the coupon's default relative sd (0.061 decades).
MODULUS_MARGIN_LOG10 = math.log10(1.15)
#: The simulator's randomised-rig gel ranges (:class:`~tactile.sim.rigs.RigRanges`' defaults,
#: which a test keeps equal; not imported: that would load the simulator with every estimator).
RIG_GEL_THICKNESS_MM = (1.5, 4.0)
RIG_GEL_MODULUS_PA = (1.5e5, 6.0e5)
#: What to do about a calibration outside the envelope.
_RETRAIN = (
    "retrain the network on simulated rigs whose gels cover this one (Python: "
    "tactile.sim.dataset.plan_dataset(..., rig=RigRanges(gel_thickness_mm=..., "
    "gel_modulus_pa=...)); `tactile simulate --rig random` draws only 1.5-4.0 mm, 150-600 kPa)"
)
ENVELOPE_HINT = (
    "use --estimator blind (the physics; --estimator hybrid answers with it too on this "
    f"calibration), or {_RETRAIN}"
)
#: The hint when the hybrid's physics failed too on a calibration outside the envelope.
ENVELOPE_PHYSICS_FAILED_HINT = (
    f"the physics failed on this grasp too (--estimator blind shows why); to use the network on "
    f"this gel, {_RETRAIN}"
)


def _range(values: Sequence[float]) -> tuple[float, float] | None:
    return (float(min(values)), float(max(values))) if values else None


@dataclass(frozen=True)
class CalibrationEnvelope:
    """Ranges of the training rigs' true gels (None: unknown) and how they were obtained."""

    gel_thickness_mm: tuple[float, float] | None
    gel_modulus_pa: tuple[float, float] | None
    source: str
    #: training grasps whose gel is known / unknown (0, 0: derived, not counted)
    n_known: int = 0
    n_unknown: int = 0

    def reason(self, calibration: SensorCalibration | None) -> str | None:
        """Why ``calibration`` is outside the envelope (None: inside, or not a measured gel,
        which is not compared; see the module docstring)."""
        if calibration is None or not calibration.gel_measured:
            return None
        cid = calibration.calibration_id
        out: list[str] = []
        checks = (
            ("gel thickness", calibration.gel_thickness_mm, self.gel_thickness_mm, "mm"),
            ("gel modulus", calibration.gel_modulus_pa, self.gel_modulus_pa, "Pa"),
        )
        for name, value, trained, unit in checks:
            shown = _show(value, unit)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                out.append(f"its measured {name} {shown} is not a positive number")
            elif trained is None:
                out.append(
                    f"its measured {name} is {shown}, and the {name} of the rigs the network was "
                    "trained on is unknown (no simulated truth or measured gel in its training "
                    "data)"
                )
            elif not _inside(value, trained, unit):
                out.append(
                    f"its measured {name} {shown} is outside the {_show_range(trained, unit)} "
                    f"of the rigs the network was trained on "
                    f"({_show_range(_allowed(trained, unit), unit)} allowed with the "
                    "measurement margin)"
                )
        if not out:
            return None
        return (
            f"the calibration {cid!r} has a measured gel unlike the training rigs': "
            f"{'; '.join(out)} (training gels: {self.source})"
        )

    def union(self, other: CalibrationEnvelope) -> CalibrationEnvelope:
        """The envelope of a model trained on both envelopes' data (fine-tuning)."""

        def both(a: tuple[float, float] | None, b: tuple[float, float] | None) -> Any:
            if a is None or b is None:
                return a or b
            return (min(a[0], b[0]), max(a[1], b[1]))

        return CalibrationEnvelope(
            both(self.gel_thickness_mm, other.gel_thickness_mm),
            both(self.gel_modulus_pa, other.gel_modulus_pa),
            f"{self.source}; and the model it was fine-tuned from: {other.source}",
            self.n_known + other.n_known,
            self.n_unknown + other.n_unknown,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "gel_thickness_mm": list(self.gel_thickness_mm) if self.gel_thickness_mm else None,
            "gel_modulus_pa": list(self.gel_modulus_pa) if self.gel_modulus_pa else None,
            "source": self.source,
            "n_known": self.n_known,
            "n_unknown": self.n_unknown,
        }

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "the checkpoint") -> CalibrationEnvelope:
        """Read a stored envelope; a malformed one is refused with :class:`ModelFileError`."""
        try:
            if not isinstance(data, dict):
                raise TypeError(f"not a dict: {data!r}")
            ranges = [
                _read_range(data.get(key), key) for key in ("gel_thickness_mm", "gel_modulus_pa")
            ]
            return cls(
                ranges[0],
                ranges[1],
                str(data["source"]),
                int(data.get("n_known", 0)),
                int(data.get("n_unknown", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{where} has a malformed info[{INFO_KEY!r}] ({exc})",
                hint="restore the model file as `tactile train` wrote it, or retrain it",
            ) from exc

    @classmethod
    def of_info(cls, info: dict[str, Any], *, where: str = "the checkpoint") -> CalibrationEnvelope:
        """The stored envelope of a checkpoint's ``info``, else :func:`derived_envelope`."""
        if INFO_KEY in info:
            return cls.from_dict(info[INFO_KEY], where=where)
        return derived_envelope()


def _read_range(value: Any, key: str) -> tuple[float, float] | None:
    if value is None:
        return None
    lo, hi = (float(v) for v in value)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 < lo <= hi):
        raise ValueError(f"{key} = {value!r} is not a range 0 < low <= high of finite numbers")
    return lo, hi


def _inside(value: float, trained: tuple[float, float], unit: str) -> bool:
    if unit == "mm":
        return trained[0] - THICKNESS_MARGIN_MM <= value <= trained[1] + THICKNESS_MARGIN_MM
    lv = math.log10(value)
    return (
        math.log10(trained[0]) - MODULUS_MARGIN_LOG10
        <= lv
        <= math.log10(trained[1]) + MODULUS_MARGIN_LOG10
    )


def _allowed(trained: tuple[float, float], unit: str) -> tuple[float, float]:
    """The range :func:`_inside` accepts (for messages): ± the thickness margin, or the
    modulus range divided / multiplied by the margin's factor (1.15)."""
    if unit == "mm":
        return (trained[0] - THICKNESS_MARGIN_MM, trained[1] + THICKNESS_MARGIN_MM)
    factor = 10.0**MODULUS_MARGIN_LOG10
    return (trained[0] / factor, trained[1] * factor)


def _show(value: Any, unit: str) -> str:
    if not isinstance(value, int | float):
        return repr(value)
    if unit == "mm":
        return f"{value:.2f} mm"
    return f"{value / 1e3:.4g} kPa"


def _show_range(trained: tuple[float, float], unit: str) -> str:
    lo, hi = trained
    if unit == "mm":
        return f"{lo:.2f}–{hi:.2f} mm"
    return f"{lo / 1e3:.4g}–{hi / 1e3:.4g} kPa"


def derived_envelope() -> CalibrationEnvelope:
    """The envelope of a checkpoint that stores none: the simulator's randomised-rig gel ranges
    (:class:`~tactile.sim.rigs.RigRanges`, unchanged since the network's rig inputs and
    checkpoint format 3 came in, commit b55a96a), which ``tactile simulate --rig random`` draws
    and the shipped default was trained on (models/default/MODEL_CARD.md). A model trained on
    the simulator's fixed preset rig had a gel inside them (``sim-wedge-*``: 3.0 mm, 200 kPa)."""
    return CalibrationEnvelope(
        RIG_GEL_THICKNESS_MM,
        RIG_GEL_MODULUS_PA,
        "derived, the checkpoint stores none: the simulator's randomised-rig ranges "
        "(RigRanges), which the shipped default's training rigs were drawn from",
    )


def envelope_of(
    grasps: Iterable[tuple[GraspMetadata, SensorCalibration | None]], source: str
) -> CalibrationEnvelope:
    """The envelope of training grasps given as (metadata, calibration used): a simulated
    grasp's true gel (``true_gel_thickness_mm`` / ``true_gel_modulus_pa``), else a measured
    gel's calibration, else unknown (counted)."""
    thick: list[float] = []
    modulus: list[float] = []
    unknown = 0
    for meta, calibration in grasps:
        h: Any = meta.extra.get("true_gel_thickness_mm")
        e: Any = meta.extra.get("true_gel_modulus_pa")
        simulated = _positive(h) and _positive(e)
        if not simulated and calibration is not None and calibration.gel_measured:
            h, e = calibration.gel_thickness_mm, calibration.gel_modulus_pa
        if _positive(h) and _positive(e):
            thick.append(float(h))
            modulus.append(float(e))
        else:
            unknown += 1
    known = len(thick)
    text = f"{source}: {known} training grasps' true or measured gels"
    if unknown:
        text += f", {unknown} more of unknown gel not covered"
    return CalibrationEnvelope(_range(thick), _range(modulus), text, known, unknown)


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def training_envelope(
    sources: Sequence[str | Path],
    grasp_ids: Iterable[str],
    calibration: SensorCalibration | str | None = None,
) -> CalibrationEnvelope:
    """The envelope of the training grasps ``grasp_ids`` (``"<file name>#<grasp id>"``, as
    :class:`~tactile.estimators.neural.data.PreparedDataset` names them) read from the metadata
    of their files among ``sources``; ``calibration``: the one training processed them with
    (None: each grasp's own). A grasp whose file is not among ``sources`` (a prepared dataset
    given directly) is of unknown gel."""
    from tactile.io import GraspReader

    by_name: dict[str, Path] = {}
    for s in sources:
        path = Path(s)
        if path.exists():
            by_name.setdefault(path.name, path)
    readers: dict[str, GraspReader] = {}
    pairs: list[tuple[GraspMetadata, SensorCalibration | None]] = []
    unknown_meta = GraspMetadata(object_id="?")
    try:
        for full in grasp_ids:
            name, _, gid = str(full).partition("#")
            if name not in by_name:
                pairs.append((unknown_meta, None))
                continue
            if name not in readers:
                readers[name] = GraspReader(by_name[name])
            try:
                meta = readers[name].metadata(gid)
                cal: SensorCalibration | None = resolve_calibration(meta, calibration)
            except (TactileError, KeyError):
                pairs.append((unknown_meta, None))
                continue
            pairs.append((meta, cal))
    finally:
        for reader in readers.values():
            reader.close()
    return envelope_of(pairs, f"measured at training ({', '.join(sorted(by_name)) or 'no file'})")
