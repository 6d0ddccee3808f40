"""The on-disk layout of one grasp inside an HDF5 file (schema version 2; reads 1 and 2).

A *grasp file* is an HDF5 file whose root carries ``format = "tactile-grasps"`` and an integer
``schema_version``; each grasp lives in ``/grasps/<grasp_id>``. This module only maps a
:class:`~tactile.types.Grasp` to and from one such group; which files exist and how they are
published safely is :mod:`tactile.io.store`'s job; the frames (raw or JPEG) are laid out by
:mod:`tactile.io.frame_store`. The full schema is in ``docs/hdf5-schema.md``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Sequence
from typing import Any

import h5py
import numpy as np

from tactile.errors import CorruptFileError, InvalidGraspError, StoreError
from tactile.io import frame_store
from tactile.types import Grasp, GraspMetadata

FORMAT_NAME = "tactile-grasps"
#: 2: frames may be stored as JPEG (``frames_jpeg``); 1: raw ``frames`` only. Both are read.
SCHEMA_VERSION = 2
#: compatible additions within a schema version (readers of any minor read the file; they
#: ignore what they do not know): 1 = the optional ``streams`` group of raw device samples;
#: 2 = the optional ``calibration`` attribute of a grasp (its own calibration record)
SCHEMA_MINOR = 2
STREAMS_GROUP = "streams"
GRASPS_GROUP = "grasps"

#: Grasp ids double as HDF5 group names and file names, so they are kept to a portable alphabet.
GRASP_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

COMPRESSIONS = ("gzip", "lzf", None)

_SERIES = (("t_s", "s"), ("force_n", "N"), ("width_mm", "mm"))
_OPTIONAL_STR = ("shape", "calibration_id")
_OPTIONAL_FLOAT = ("label_modulus_pa", "radius_mm")
_PLAIN_STR = ("object_id", "source", "software_version", "created_utc")
_JSON_DICTS = ("devices", "extra")


def check_grasp_id(grasp_id: str) -> str:
    """Return ``grasp_id`` if it is usable as a group and file name, else raise."""
    if not isinstance(grasp_id, str) or not GRASP_ID_RE.match(grasp_id):
        raise InvalidGraspError(
            f"grasp id {grasp_id!r} is not allowed in a grasp file",
            hint="use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return grasp_id


def check_compression(compression: str | None, level: int | None) -> None:
    if compression not in COMPRESSIONS:
        raise StoreError(
            f"unknown compression {compression!r}",
            hint="use 'gzip' (portable, default), 'lzf' (h5py only, faster) or None",
        )
    if level is not None and (compression != "gzip" or not 0 <= level <= 9):
        raise StoreError(
            f"compression level {level!r} is invalid for compression {compression!r}",
            hint="a level (0-9) only applies to gzip; leave it None otherwise",
        )


def write_root_attrs(f: h5py.File) -> None:
    from tactile import __version__

    f.attrs["format"] = FORMAT_NAME
    f.attrs["schema_version"] = np.int64(SCHEMA_VERSION)
    f.attrs["schema_minor"] = np.int64(SCHEMA_MINOR)
    f.attrs["writer"] = f"tactile {__version__}"


def _text(meta: GraspMetadata, name: str) -> str:
    value = str(getattr(meta, name))
    if "\x00" in value:  # HDF5 strings are NUL-terminated
        raise InvalidGraspError(
            f"GraspMetadata.{name}={value!r} contains a NUL character",
            hint=f"remove the '\\x00' from {name}",
        )
    return value


def _meta_attrs(meta: GraspMetadata) -> dict[str, Any]:
    attrs: dict[str, Any] = {name: _text(meta, name) for name in _PLAIN_STR}
    for name in _OPTIONAL_STR:
        if getattr(meta, name) is not None:
            attrs[name] = _text(meta, name)
    for name in _OPTIONAL_FLOAT:
        if getattr(meta, name) is not None:
            attrs[name] = np.float64(getattr(meta, name))
    if meta.calibration is not None:  # schema minor 2: the grasp's own calibration record
        attrs["calibration"] = json.dumps(meta.calibration, sort_keys=True)
    for name in _JSON_DICTS:
        try:
            attrs[name] = json.dumps(getattr(meta, name), sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InvalidGraspError(
                f"GraspMetadata.{name} of object {meta.object_id!r} is not JSON-serialisable "
                f"({exc})",
                hint=f"keep {name} to str/int/float/bool/None, lists and dicts",
            ) from exc
    return attrs


def write_grasp(
    f: h5py.File,
    grasp: Grasp,
    *,
    compression: str | None = "gzip",
    compression_level: int | None = None,
    frame_codec: str = "raw",
    camera_jpegs: Sequence[bytes] | None = None,
) -> h5py.Group:
    """Write ``grasp`` as ``/grasps/<grasp_id>`` in the open file ``f``.

    ``frame_codec``: ``"raw"`` (pixels, lossless) or ``"jpeg"`` (``camera_jpegs`` verbatim when
    given, else encoded at the reference camera's quality); see :mod:`tactile.io.frame_store`.
    """
    gid = check_grasp_id(grasp.grasp_id)
    attrs = _meta_attrs(grasp.meta)
    root = f.require_group(GRASPS_GROUP)
    g = root.create_group(gid)
    opts: dict[str, Any] = {"compression": compression, "fletcher32": True}
    if compression == "gzip":
        opts["compression_opts"] = 4 if compression_level is None else compression_level
    frame_store.write_frames(
        g,
        grasp.frames,
        grasp.reference_frame,
        codec=frame_codec,
        camera_jpegs=camera_jpegs,
        opts=opts,
        grasp_id=gid,
    )
    for name, unit in _SERIES:
        series = g.create_dataset(name, data=np.asarray(getattr(grasp, name), np.float64), **opts)
        series.attrs["units"] = unit
    for stream, columns in grasp.streams.items():
        sg = g.require_group(STREAMS_GROUP).create_group(stream)
        for column, values in columns.items():
            sg.create_dataset(column, data=values, **opts)
    for key, value in attrs.items():
        g.attrs[key] = value
    g.attrs["grasp_id"] = gid
    g.attrs["n_frames"] = np.int64(grasp.n_frames)
    g.attrs["written_unix_ns"] = np.int64(time.time_ns())
    return g


def _corrupt(where: str, what: str) -> CorruptFileError:
    return CorruptFileError(
        f"{where}: {what}",
        hint="the file is damaged; re-import or re-record this grasp, or restore a backup",
    )


def _str_attr(g: h5py.Group, name: str, where: str, default: str | None = None) -> str | None:
    if name not in g.attrs:
        return default
    value = g.attrs[name]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        raise _corrupt(where, f"attribute {name!r} should be a string, found {type(value)}")
    return value


def _float_attr(g: h5py.Group, name: str, where: str) -> float | None:
    if name not in g.attrs:
        return None
    try:
        value = float(g.attrs[name])
    except (TypeError, ValueError) as exc:
        raise _corrupt(where, f"attribute {name!r} is not a number") from exc
    return None if math.isnan(value) else value


def _json_attr(g: h5py.Group, name: str, where: str) -> dict[str, Any]:
    text = _str_attr(g, name, where, "{}")
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise _corrupt(where, f"attribute {name!r} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise _corrupt(where, f"attribute {name!r} should hold a JSON object")
    return value


def read_metadata(g: h5py.Group, where: str) -> GraspMetadata:
    """The :class:`GraspMetadata` stored in a grasp group's attributes."""
    fields: dict[str, Any] = {name: _str_attr(g, name, where, "") for name in _PLAIN_STR}
    fields.update({name: _str_attr(g, name, where) for name in _OPTIONAL_STR})
    fields.update({name: _float_attr(g, name, where) for name in _OPTIONAL_FLOAT})
    fields.update({name: _json_attr(g, name, where) for name in _JSON_DICTS})
    if "calibration" in g.attrs:
        fields["calibration"] = _json_attr(g, "calibration", where)
    try:
        return GraspMetadata(**fields)
    except InvalidGraspError as exc:
        raise _corrupt(where, f"invalid metadata ({exc.message})") from exc


def _dataset(g: h5py.Group, name: str, where: str) -> h5py.Dataset:
    obj = g.get(name)
    if not isinstance(obj, h5py.Dataset):
        raise _corrupt(where, f"dataset {name!r} is missing")
    return obj


def _load(g: h5py.Group, name: str, where: str) -> np.ndarray:
    try:
        return np.asarray(_dataset(g, name, where)[()])
    except (OSError, ValueError) as exc:  # e.g. a checksum (fletcher32) or gzip failure
        raise _corrupt(where, f"dataset {name!r} cannot be read ({exc})") from exc


def read_grasp(g: h5py.Group, where: str) -> Grasp:
    """Read and re-validate the grasp stored in group ``g`` (``where`` names it in errors)."""
    meta = read_metadata(g, where)
    arrays: dict[str, Any] = {name: _load(g, name, where) for name, _ in _SERIES}
    arrays["frames"] = frame_store.read_all_frames(g, where)
    reference = frame_store.read_reference(g, where)
    gid = g.name.rsplit("/", 1)[-1] if g.name else ""
    streams = read_streams(g, where)
    try:
        return Grasp(grasp_id=gid, meta=meta, reference_frame=reference, streams=streams, **arrays)
    except InvalidGraspError as exc:
        raise _corrupt(where, f"stored arrays are invalid ({exc.message})") from exc


def read_streams(g: h5py.Group, where: str) -> dict[str, dict[str, np.ndarray]]:
    """The raw device streams stored beside the per-frame series (empty when there are none)."""
    group = g.get(STREAMS_GROUP)
    if not isinstance(group, h5py.Group):
        return {}
    return {
        name: {col: _load(sg, col, where) for col in sg}
        for name, sg in group.items()
        if isinstance(sg, h5py.Group)
    }


def _range(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    return [float(np.min(finite)), float(np.max(finite))] if finite.size else []


def series_problems(series: dict[str, np.ndarray], n_frames: int) -> list[str]:
    """What makes stored series unusable (non-finite samples, wrong length), for listings."""
    problems = []
    for name, values in series.items():
        if values.shape != (n_frames,):
            problems.append(f"{name} has {values.size} samples for {n_frames} frames")
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            problems.append(
                f"{name} has {bad.size} non-finite (NaN/inf) sample(s), first at frame "
                f"{int(bad[0])}: the grasp cannot be estimated"
            )
    return problems


def summarize(g: h5py.Group, where: str) -> dict[str, Any]:
    """Shape, duration, ranges and label of a stored grasp without reading its frames."""
    meta = read_metadata(g, where)
    frames = frame_store.frame_layout(g, where)
    t_s, force_n, width_mm = (_load(g, n, where) for n, _ in _SERIES)
    return {
        "grasp_id": g.name.rsplit("/", 1)[-1] if g.name else "",
        "object_id": meta.object_id,
        "n_frames": frames.n_frames,
        "frame_shape": list(frames.shape),
        "duration_s": float(np.ptp(t_s[np.isfinite(t_s)])) if np.isfinite(t_s).any() else 0.0,
        "problems": series_problems(
            {"t_s": t_s, "force_n": force_n, "width_mm": width_mm}, frames.n_frames
        ),
        "force_range_n": _range(force_n),
        "width_range_mm": _range(width_mm),
        "label_modulus_pa": meta.label_modulus_pa,
        "shape": meta.shape,
        "radius_mm": meta.radius_mm,
        "source": meta.source,
        "calibration_id": meta.calibration_id,
        "has_reference_frame": frame_store.has_reference(g),
        "compression": frames.compression,
        "frame_codec": frames.codec if frames.origin is None else f"jpeg ({frames.origin})",
    }
