"""Prepared datasets (grasp files -> cached input arrays, labels, object ids) and object splits.

Preparing a grasp (decode frames, extract features, run the analytical estimator, build contact
maps) is by far the slowest step of training, so each file's prepared arrays are cached as
``.npz`` under a key of (file path, size, mtime, input settings, calibration): later epochs,
folds and runs reuse them.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

from tactile.errors import ConfigError, StoreError, TactileError
from tactile.estimators.auto import estimator_without_point_check
from tactile.estimators.neural.config import MultiTowerConfig, grasp_input_shapes
from tactile.estimators.neural.inputs import (
    INPUT_KEYS,
    GraspInputs,
    make_inputs,
    sample_indices,
    stack_inputs,
)
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata, ModulusEstimate

if TYPE_CHECKING:
    from tactile.io import GraspReader
    from tactile.io.reader import GraspSignals
    from tactile.processing.loading import LoadingPhase

INPUTS_VERSION = 8  # bump when make_inputs changes, to invalidate caches
#: Extra loading frames measured, besides the ones the network's samples touch, when a grasp is
#: read from a file (spread evenly from contact to peak, for the analytical estimate's fit).
NETWORK_EXTRA_FRAMES = 2


@dataclass
class PreparedDataset:
    """Input arrays of N grasps with their labels (log10 E), object ids and analytical results."""

    arrays: dict[str, np.ndarray]
    log10_modulus: np.ndarray  # (N,)
    object_ids: np.ndarray  # (N,) str
    grasp_ids: np.ndarray  # (N,) str
    analytical_log10: np.ndarray  # (N,) NaN where the analytical estimator failed
    analytical_stiff: np.ndarray  # (N,) bool
    skipped: list[str] = field(default_factory=list)  # "grasp_id: reason"

    def __len__(self) -> int:
        return int(self.log10_modulus.shape[0])

    def subset(self, idx: np.ndarray) -> PreparedDataset:
        idx = np.asarray(idx, dtype=int)
        return PreparedDataset(
            arrays={k: v[idx] for k, v in self.arrays.items()},
            log10_modulus=self.log10_modulus[idx],
            object_ids=self.object_ids[idx],
            grasp_ids=self.grasp_ids[idx],
            analytical_log10=self.analytical_log10[idx],
            analytical_stiff=self.analytical_stiff[idx],
        )

    @classmethod
    def concat(cls, parts: Sequence[PreparedDataset]) -> PreparedDataset:
        parts = [p for p in parts if len(p)]
        if not parts:
            raise ConfigError(
                "no usable grasps in the given data",
                hint="check that the files hold labelled grasps (label_modulus_pa set)",
            )
        return cls(
            arrays={k: np.concatenate([p.arrays[k] for p in parts]) for k in INPUT_KEYS},
            log10_modulus=np.concatenate([p.log10_modulus for p in parts]),
            object_ids=np.concatenate([p.object_ids for p in parts]),
            grasp_ids=np.concatenate([p.grasp_ids for p in parts]),
            analytical_log10=np.concatenate([p.analytical_log10 for p in parts]),
            analytical_stiff=np.concatenate([p.analytical_stiff for p in parts]),
            skipped=[s for p in parts for s in p.skipped],
        )

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            **{f"x_{k}": v for k, v in self.arrays.items()},  # type: ignore[arg-type]
            log10_modulus=self.log10_modulus,
            object_ids=self.object_ids.astype(str),
            grasp_ids=self.grasp_ids.astype(str),
            analytical_log10=self.analytical_log10,
            analytical_stiff=self.analytical_stiff,
            skipped=np.asarray(self.skipped, dtype=str),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PreparedDataset:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                arrays={k: z[f"x_{k}"] for k in INPUT_KEYS},
                log10_modulus=z["log10_modulus"],
                object_ids=z["object_ids"],
                grasp_ids=z["grasp_ids"],
                analytical_log10=z["analytical_log10"],
                analytical_stiff=z["analytical_stiff"],
                skipped=[str(s) for s in z["skipped"]],
            )


class _HasMeta(Protocol):
    @property
    def meta(self) -> GraspMetadata: ...


def object_key(path: Path, grasp: _HasMeta) -> str:
    """The object id used for grouping. Simulated object names (``rubber_sphere_0003``) are
    unique only within one ``tactile simulate`` file, so those are prefixed with the file name;
    real object ids group across files (the same object recorded on several days)."""
    if grasp.meta.source == "sim":
        return f"{path.stem}/{grasp.meta.object_id}"
    return grasp.meta.object_id


#: The analytical estimator whose answer the network reads and the hybrid combines, by name:
#: ``auto`` without its given-geometry point check (given36/37), so the network's inputs and the
#: hybrid's physics do not change with that option's default.
analytical_estimator = estimator_without_point_check


def prepare_grasp(
    grasp: Grasp,
    config: MultiTowerConfig,
    *,
    calibration: SensorCalibration | str | None = None,
    analytical: str | None = "hertz",
    features: GraspFeatures | None = None,
    finger_stiffness_n_per_mm: float | None = None,
) -> tuple[GraspInputs, GraspFeatures, ModulusEstimate | None]:
    """Features, analytical estimate (None if it fails) and raw network inputs of one grasp
    (``finger_stiffness_n_per_mm``: see :func:`make_inputs`)."""
    from tactile.estimators.base import compute_features
    from tactile.sensor import resolve_calibration

    cal = resolve_calibration(grasp.meta, calibration)
    feats = features if features is not None else compute_features(grasp, cal)
    estimate: ModulusEstimate | None = None
    if analytical:
        try:
            est = analytical_estimator(analytical)
            estimate = est.estimate(grasp, features=feats, calibration=cal)
        except TactileError:
            estimate = None
    inputs = _inputs_of(grasp, feats, estimate, config, cal, finger_stiffness_n_per_mm)
    return inputs, feats, estimate


def _inputs_of(
    grasp: Grasp,
    feats: GraspFeatures,
    estimate: ModulusEstimate | None,
    config: MultiTowerConfig,
    calibration: SensorCalibration,
    finger_stiffness_n_per_mm: float | None,
) -> GraspInputs:
    return make_inputs(
        grasp,
        feats,
        estimate,
        k_frames=config.k_frames,
        image_size=config.image_size,
        sampling=config.sampling,
        calibration=calibration,
        finger_stiffness_n_per_mm=finger_stiffness_n_per_mm,
    )


@dataclass(frozen=True)
class _PhaseView:
    """What :func:`sample_indices` reads of the features, from a loading phase."""

    grasp_id: str
    force_n: np.ndarray
    contact_index: int
    peak_index: int


@dataclass(frozen=True)
class _StoredGrasp:
    """What :func:`make_inputs` reads of a grasp, for one read partially from a file: its
    metadata, stored reference frame and frames by index (decoded on demand, at most once)."""

    meta: GraspMetadata
    reference_frame: np.ndarray | None
    frames: object  # a FrameSource: frames[i]


def prepare_stored(
    reader: GraspReader,
    grasp_id: str,
    config: MultiTowerConfig,
    *,
    calibration: SensorCalibration | str | None = None,
    analytical: str | None = "hertz",
    finger_stiffness_n_per_mm: float | None = None,
    extra_frames: int = NETWORK_EXTRA_FRAMES,
    signals: GraspSignals | None = None,
    meta: GraspMetadata | None = None,
) -> tuple[GraspInputs, GraspFeatures, ModulusEstimate | None, GraspMetadata]:
    """:func:`prepare_grasp` for a grasp in a store, decoding only the frames it needs: force
    and width first; then contact area and gel depth on exactly the loading frames the K
    samples interpolate between (so those channels equal a whole read's), plus
    ``extra_frames`` spread over the loading phase and the peak; the K images reuse them; and
    the reference. ``signals``: already read; ``meta``: replaces the stored metadata (e.g. with
    shape and radius from a label table). Returns the metadata used."""
    from tactile.estimators.base import AnalyticalEstimator, with_pad_area
    from tactile.processing.features import FrameSource, extract_features_from
    from tactile.sensor import resolve_calibration

    if signals is None:
        signals = reader.read_signals(grasp_id)
    if meta is not None:  # e.g. completed from a label table (shape, radius)
        signals = replace(signals, meta=meta)
    cal = with_pad_area(resolve_calibration(signals.meta, calibration), signals)
    source = FrameSource(partial(reader.read_frames, grasp_id))

    def network_frames(phase: LoadingPhase) -> list[int]:
        c, p = phase.contact_index, phase.peak_index
        view = _PhaseView(signals.grasp_id, phase.force_n, c, p)
        idx, pos = sample_indices(
            cast(GraspFeatures, view), config.k_frames, sampling=config.sampling
        )
        spread = np.linspace(c, p, max(extra_frames, 0) + 2)[1:-1]
        picked = np.concatenate([idx, np.floor(pos), np.ceil(pos), np.rint(spread)])
        return sorted({int(i) for i in picked})

    feats = extract_features_from(signals, source, cal, measure_frames=network_frames)
    estimate: ModulusEstimate | None = None
    if analytical:
        est = analytical_estimator(analytical)
        try:
            if isinstance(est, AnalyticalEstimator):
                estimate = est.estimate_features(feats, meta=signals.meta, calibration=cal)
        except TactileError:
            estimate = None
    stored = _StoredGrasp(signals.meta, signals.reference_frame, source)
    # duck-typed: make_inputs reads only meta, reference_frame and frames[i]
    inputs = _inputs_of(
        cast(Grasp, stored), feats, estimate, config, cal, finger_stiffness_n_per_mm
    )
    return inputs, feats, estimate, signals.meta


def prepare_file(
    path: Path,
    config: MultiTowerConfig,
    calibration: SensorCalibration | str | None,
    analytical: str | None,
    progress: bool,
    *,
    meta_of: Callable[[GraspMetadata], GraspMetadata] | None = None,
) -> PreparedDataset:
    """Every labelled grasp of one file prepared (uncached; :func:`build_dataset` caches it).
    ``meta_of``: what the estimator sees of each grasp's stored metadata (e.g.
    ``tactile.evaluation.protocol.blind_metadata``: no shape, radius or object hints)."""
    from tqdm import tqdm

    from tactile.io import GraspReader

    items: list[GraspInputs] = []
    labels, objects, gids, ana, stiff, skipped = [], [], [], [], [], []
    reader = GraspReader(path)
    for gid in tqdm(reader.ids(), desc=f"prepare {path.name}", disable=not progress, leave=False):
        try:
            signals = reader.read_signals(gid)
            label_pa = signals.meta.label_modulus_pa
            if label_pa is None:
                skipped.append(f"{gid}: no label")
                continue
            inputs, _, est, meta = prepare_stored(
                reader,
                gid,
                config,
                calibration=calibration,
                analytical=analytical,
                signals=signals,
                meta=meta_of(signals.meta) if meta_of is not None else None,
            )
        except TactileError as exc:
            skipped.append(f"{gid}: {exc.message}")
            continue
        items.append(inputs)
        labels.append(np.log10(label_pa))
        objects.append(object_key(path, _StoredGrasp(meta, None, None)))
        gids.append(f"{path.name}#{gid}")
        ana.append(est.log10_modulus if est is not None else np.nan)
        stiff.append(est is not None and (est.lower_bound_only or "stiffer_than_gel" in est.flags))
    if not items:
        return _empty(config, skipped)
    return PreparedDataset(
        arrays=stack_inputs(items),
        log10_modulus=np.asarray(labels, dtype=np.float64),
        object_ids=np.asarray(objects, dtype=str),
        grasp_ids=np.asarray(gids, dtype=str),
        analytical_log10=np.asarray(ana, dtype=np.float64),
        analytical_stiff=np.asarray(stiff, dtype=bool),
        skipped=skipped,
    )


def _empty(config: MultiTowerConfig, skipped: list[str]) -> PreparedDataset:
    return PreparedDataset(
        arrays={
            key: np.zeros((0, *shape[1:]), np.float32)
            for key, shape in grasp_input_shapes(config).items()
        },
        log10_modulus=np.zeros(0),
        object_ids=np.zeros(0, dtype=str),
        grasp_ids=np.zeros(0, dtype=str),
        analytical_log10=np.zeros(0),
        analytical_stiff=np.zeros(0, dtype=bool),
        skipped=skipped,
    )


def default_cache_dir() -> Path:
    return Path(os.environ.get("TACTILE_CACHE_DIR", Path.home() / ".cache" / "tactile" / "inputs"))


def code_fingerprint() -> str:
    """Digest of the processing / estimator / input code, so caches expire when it changes."""
    root = Path(__file__).resolve().parents[2]
    files = sorted(
        [
            *root.glob("processing/*.py"),
            *root.glob("estimators/*.py"),
            root / "estimators/neural/inputs.py",
            root / "estimators/neural/data.py",
            root / "sim/rigs.py",
        ]
    )
    h = hashlib.sha1()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def cache_key(
    path: Path,
    config: MultiTowerConfig,
    calibration: SensorCalibration | str | None,
    analytical: str | None,
) -> str:
    st = path.stat()
    cal = calibration.to_dict() if isinstance(calibration, SensorCalibration) else calibration
    payload = json.dumps(
        [
            str(path.resolve()),
            st.st_size,
            st.st_mtime_ns,
            config.k_frames,
            config.image_size,
            config.sampling,
            cal,
            analytical,
            INPUTS_VERSION,
            code_fingerprint(),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:20]


def build_dataset(
    paths: Sequence[str | Path],
    config: MultiTowerConfig,
    *,
    calibration: SensorCalibration | str | None = None,
    analytical: str | None = "hertz",
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: bool = True,
    meta_of: Callable[[GraspMetadata], GraspMetadata] | None = None,
    cache_tag: str = "",
) -> PreparedDataset:
    """Prepare every labelled grasp of ``paths`` (HDF5 files or grasp directories), with caching.
    ``meta_of``: what the estimator sees of each grasp's metadata (:func:`prepare_file`; e.g.
    ``tactile.evaluation.protocol.blind_metadata``), cached apart under ``cache_tag``
    (``*-<tag>.npz``), which it then requires."""
    if meta_of is not None and not cache_tag:
        raise ConfigError(
            "build_dataset(meta_of=...) needs a cache_tag naming that view of the metadata",
            hint='e.g. cache_tag="blind", so its inputs are cached apart from the stored view',
        )
    seen: dict[str, Path] = {}
    for p in paths:  # review25 (F1): grasps are named "<file name>#<grasp id>"
        path = Path(p)
        if path.name in seen:
            raise ConfigError(
                f"two datasets are named {path.name!r}: {seen[path.name]} and {path}",
                hint="rename one of them (or pass each file once): the prepared dataset names "
                "each grasp '<file name>#<grasp id>', so their grasps would be mixed up",
            )
        seen[path.name] = path
    parts = []
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise StoreError(f"dataset {path} does not exist", hint="check the path")
        key = cache_key(path, config, calibration, analytical)
        key_file = cache / f"{path.stem}-{key}{'-' + cache_tag if cache_tag else ''}.npz"
        if use_cache and key_file.is_file():
            try:
                parts.append(PreparedDataset.load(key_file))
                continue
            except (OSError, KeyError, ValueError) as exc:
                warnings.warn(f"ignoring unreadable input cache {key_file}: {exc}", stacklevel=2)
        part = prepare_file(path, config, calibration, analytical, progress, meta_of=meta_of)
        if use_cache and len(part):
            cache.mkdir(parents=True, exist_ok=True)
            part.save(key_file)
        parts.append(part)
    return PreparedDataset.concat(parts)


# --- object-grouped splits ----------------------------------------------------------------------


def _objects_by_label(object_ids: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq = np.unique(object_ids)
    med = np.array([np.median(labels[object_ids == o]) for o in uniq])
    order = np.argsort(med, kind="stable")
    return uniq[order], med[order]


def object_folds(
    object_ids: np.ndarray, labels: np.ndarray, n_folds: int, *, seed: int = 0
) -> list[np.ndarray]:
    """Grasp indices of each held-out fold; objects never straddle folds; stratified by label."""
    objs, _ = _objects_by_label(np.asarray(object_ids), np.asarray(labels))
    if n_folds < 2 or n_folds > len(objs):
        raise ConfigError(
            f"{n_folds} folds need between 2 and {len(objs)} (the number of objects)",
            hint="use fewer folds or more objects",
        )
    rng = np.random.default_rng(seed)
    fold_of: dict[str, int] = {}
    for start in range(0, len(objs), n_folds):  # within each block of similar labels, shuffle
        block = objs[start : start + n_folds]
        for obj, fold in zip(block, rng.permutation(n_folds)[: len(block)], strict=True):
            fold_of[str(obj)] = int(fold)
    assign = np.array([fold_of[str(o)] for o in object_ids])
    return [np.flatnonzero(assign == f) for f in range(n_folds)]


def split_objects(
    object_ids: np.ndarray, labels: np.ndarray, val_fraction: float, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(train, val) grasp indices with about ``val_fraction`` of the objects held out."""
    if not 0 < val_fraction < 1:
        raise ConfigError(f"val_fraction={val_fraction} must be in (0, 1)", hint="use e.g. 0.15")
    n_obj = len(np.unique(object_ids))
    if n_obj < 2:
        raise ConfigError(
            f"an object-grouped split needs at least 2 objects, got {n_obj}",
            hint="add grasps of more objects",
        )
    n_folds = int(np.clip(round(1 / val_fraction), 2, n_obj))
    val = object_folds(object_ids, labels, n_folds, seed=seed)[0]
    train = np.setdiff1d(np.arange(len(object_ids)), val)
    return train, val
