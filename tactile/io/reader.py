"""Read a grasp dataset: :class:`GraspReader` and :func:`open_grasps`.

A dataset is one ``.h5`` file (plus the pending grasps of a running or killed writer) or a
directory of grasp files; see :mod:`tactile.io.layout` and ``docs/hdf5-schema.md``. Nothing stays
open between calls, so a reader never blocks a writer and survives its consolidation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import h5py
import numpy as np

from tactile.errors import ConfigError, CorruptFileError, GraspNotFoundError, StoreError
from tactile.io import _files, frame_store
from tactile.io.layout import Location, resolve, scan
from tactile.io.schema import GRASPS_GROUP, _load, read_grasp, read_metadata, summarize
from tactile.types import Grasp, GraspMetadata

T = TypeVar("T")


@dataclass(frozen=True)
class GraspSignals:
    """A stored grasp without its frames: what finding the loading phase needs.

    Read by :meth:`GraspReader.read_signals` (the stored reference frame, when there is one,
    is the only image decoded); read the frames you need with :meth:`GraspReader.read_frames`.
    """

    grasp_id: str
    meta: GraspMetadata
    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray
    frame_shape: tuple[int, int]
    n_frames: int
    reference_frame: np.ndarray | None = None


class GraspReader:
    """Read a grasp dataset (a ``.h5`` file or a directory of grasp files) lazily.

    Opening indexes the grasps (attributes only); frames are read by :meth:`read`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._layout = resolve(path)
        self._index, self.schema_version = scan(self._layout)
        self._held: _Held | None = None

    # -- container protocol --------------------------------------------------------------------
    def ids(self) -> list[str]:
        """Grasp ids in the order they were written."""
        return list(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, grasp_id: object) -> bool:
        return grasp_id in self._index

    def __iter__(self) -> Iterator[Grasp]:
        for gid in self.ids():
            yield self.read(gid)

    @property
    def files(self) -> list[Path]:
        """The HDF5 files that hold this dataset's grasps."""
        return sorted({loc.file for loc in self._index.values()})

    @property
    def pending_ids(self) -> list[str]:
        """Grasps of a single-file dataset not yet consolidated (writer running or killed)."""
        return [gid for gid, loc in self._index.items() if loc.pending]

    # -- access ----------------------------------------------------------------------------------
    def _locate(self, grasp_id: str) -> Location:
        loc = self._index.get(grasp_id)
        if loc is not None and not loc.file.exists():  # a writer consolidated meanwhile
            self._index, self.schema_version = scan(self._layout)
            loc = self._index.get(grasp_id)
        if loc is None:
            some = ", ".join(self.ids()[:5]) or "none"
            more = f" (+{len(self) - 5} more)" if len(self) > 5 else ""
            raise GraspNotFoundError(
                f"no grasp {grasp_id!r} in {self.path}; available: {some}{more}",
                hint="list the ids with `tactile inspect FILE` or GraspReader.ids()",
            )
        return loc

    def _group(self, f: h5py.File, loc: Location) -> h5py.Group:
        group = f[GRASPS_GROUP].get(loc.grasp_id)
        if not isinstance(group, h5py.Group):
            raise GraspNotFoundError(
                f"grasp {loc.grasp_id!r} vanished from {loc.file}",
                hint="the dataset changed while open; open it again",
            )
        return group

    @contextlib.contextmanager
    def holding(self, grasp_id: str) -> Iterator[None]:
        """Keep ``grasp_id``'s file open while the block runs: its reads of that grasp
        (:meth:`read_signals`, :meth:`read_frames`, ...) share the one open file and frame index
        instead of opening the file, checking its root and indexing its frames each time (an
        estimate from a file reads the signals, then frames once or twice). The file is closed
        when the block ends: nothing stays open between holds. Within a hold a writer's
        consolidation does not move the grasp (the open file still holds it). Nested holds:
        the outer one serves."""
        if self._held is not None:
            yield
            return
        loc = self._locate(grasp_id)
        f = _files.open_checked(loc.file)
        self._held = _Held(grasp_id, f, loc)
        try:
            yield
        finally:
            self._held = None
            with contextlib.suppress(Exception):
                f.close()

    def _retrying(self, grasp_id: str, action: Callable[[h5py.File, Location], T]) -> T:
        """Run ``action`` on the grasp's file; if a writer's consolidation removed that pending
        file between locating and reading it, index again and read from where it went."""
        held = self._held
        if held is not None and held.grasp_id == grasp_id:
            with _files.read_errors(held.loc.file):
                return action(held.file, held.loc)
        loc = self._locate(grasp_id)
        for _ in range(3):
            try:
                with _files.open_grasp_file(loc.file) as f:
                    return action(f, loc)
            except (StoreError, GraspNotFoundError):
                if not loc.pending or loc.file.exists():
                    raise
            self._index, self.schema_version = scan(self._layout)
            loc = self._locate(grasp_id)
        with _files.open_grasp_file(loc.file) as f:  # pragma: no cover - three consolidations
            return action(f, loc)

    def read(self, grasp_id: str) -> Grasp:
        """The whole grasp (frames included), re-validated."""
        return self._retrying(
            grasp_id, lambda f, loc: read_grasp(self._group(f, loc), f"{loc.file}#{grasp_id}")
        )

    def read_frames(self, grasp_id: str, indices: Sequence[int]) -> np.ndarray:
        """Only the frames at ``indices`` (K, H, W, 3) uint8 BGR: one chunk read per frame."""
        return self._retrying(grasp_id, lambda f, loc: self._frames_at(f, loc, indices))

    def _indexed(self, f: h5py.File, loc: Location) -> tuple[h5py.Group, frame_store.FrameLayout]:
        """The grasp's group and frame layout; within a hold, read once for all its reads."""
        held = self._held
        if held is not None and held.file is f and held.frames is not None:
            return held.frames
        group = self._group(f, loc)
        frames = (group, frame_store.frame_layout(group, f"{loc.file}#{loc.grasp_id}"))
        if held is not None and held.file is f:
            held.frames = frames
        return frames

    def _frames_at(self, f: h5py.File, loc: Location, indices: Sequence[int]) -> np.ndarray:
        where = f"{loc.file}#{loc.grasp_id}"
        group, layout = self._indexed(f, loc)
        n = layout.n_frames
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise ConfigError(
                f"{where} has {n} frames; indices {idx.tolist()} are out of range",
                hint=f"use frame indices 0..{n - 1}",
            )
        idx = np.where(idx < 0, idx + n, idx)
        order = np.unique(idx)
        block = frame_store.read_frames_at(group, order.tolist(), where, layout)
        if order.size == idx.size and np.array_equal(order, idx):
            return block  # already in the order asked for: no copy
        return np.ascontiguousarray(block[np.searchsorted(order, idx)])

    def read_signals(self, grasp_id: str, *, meta: GraspMetadata | None = None) -> GraspSignals:
        """Metadata, time stamps, force and width of a grasp, without decoding its frames.
        ``meta``: the metadata the caller has already (e.g. :meth:`metadata`, or completed from
        a label table): returned instead of the stored one, which is then not parsed again
        (about 1 ms of attribute reads)."""
        return self._retrying(
            grasp_id,
            lambda f, loc: GraspSignals(
                grasp_id=grasp_id,
                **_read_series(*self._indexed(f, loc), f"{loc.file}#{grasp_id}", meta),
            ),
        )

    def metadata(self, grasp_id: str) -> GraspMetadata:
        return self._retrying(
            grasp_id, lambda f, loc: read_metadata(self._group(f, loc), f"{loc.file}#{grasp_id}")
        )

    def summary(self, grasp_id: str) -> dict[str, Any]:
        """n_frames, frame_shape, duration_s, force/width ranges, label, ... (frames not read)."""

        def info_of(f: h5py.File, loc: Location) -> dict[str, Any]:
            info = summarize(self._group(f, loc), f"{loc.file}#{grasp_id}")
            info["file"] = str(loc.file)
            info["pending"] = loc.pending
            return info

        return self._retrying(grasp_id, info_of)

    # -- context manager -------------------------------------------------------------------------
    def close(self) -> None:
        """Nothing stays open between calls; kept for symmetry with the writer."""

    def __enter__(self) -> GraspReader:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraspReader({str(self.path)!r}, {len(self)} grasps)"


@dataclass
class _Held:
    """A grasp's file kept open by :meth:`GraspReader.holding`, and its frame index once read."""

    grasp_id: str
    file: h5py.File
    loc: Location
    frames: tuple[h5py.Group, frame_store.FrameLayout] | None = None


def _read_series(
    g: h5py.Group,
    frames: frame_store.FrameLayout,
    where: str,
    meta: GraspMetadata | None = None,
) -> dict[str, Any]:
    """The fields of :class:`GraspSignals` from a grasp group and its frame layout, checked
    like a whole read (``meta``: instead of the stored metadata)."""
    n = frames.n_frames
    series = {name: _load(g, name, where).astype(np.float64) for name in SERIES}
    for name, values in series.items():
        if values.shape != (n,) or not np.all(np.isfinite(values)):
            raise CorruptFileError(
                f"{where}: {name} has shape {values.shape} or non-finite values, expected {n} "
                "finite samples (one per frame)",
                hint="the file is damaged; re-record or re-import it",
            )
    reference = frame_store.read_reference(g, where)
    return {
        "meta": meta if meta is not None else read_metadata(g, where),
        "frame_shape": (frames.shape[0], frames.shape[1]),
        "n_frames": n,
        "reference_frame": reference,
        **series,
    }


#: The per-frame series stored beside the frames.
SERIES = ("t_s", "force_n", "width_mm")


def open_grasps(path: str | Path) -> GraspReader:
    """Open a grasp dataset for reading (same as ``GraspReader(path)``)."""
    return GraspReader(path)
