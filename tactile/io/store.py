"""Crash-safe HDF5 grasp store: :class:`GraspWriter` (readers are in :mod:`tactile.io.reader`).

Every ``append`` writes the grasp to its own file under a hidden temporary name, fsyncs it and
atomically renames it to ``grasp_<id>.h5`` (then fsyncs the directory), so a SIGKILL or power
loss at any moment loses at most the grasp being written. In single-file mode (``x.h5``) those
files go to the hidden ``.x.h5.pending/`` directory and ``close`` consolidates them: it copies
``x.h5`` to a temporary sibling, adds the pending grasps, fsyncs, and atomically replaces ``x.h5``;
only then are the pending files deleted. HDF5 never appends in place to a published file, because
HDF5 does not journal its metadata. See ``docs/hdf5-schema.md`` for the reasoning and the schema.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import h5py

from tactile.errors import (
    ForeignFileError,
    StoreError,
    TactileError,
)
from tactile.io import _files
from tactile.io.frame_store import check_frame_codec
from tactile.io.layout import Layout, resolve, scan
from tactile.io.schema import (
    GRASPS_GROUP,
    check_compression,
    check_grasp_id,
    write_grasp,
    write_root_attrs,
)
from tactile.types import Grasp

log = logging.getLogger("tactile.io")


def lock_path(layout: Layout) -> Path:
    """The file a writer of this dataset holds its exclusive lock on."""
    if layout.main is not None:
        return layout.main.with_name(f".{layout.main.name}.lock")
    return layout.directory / ".tactile-writer.lock"


class GraspWriter:
    """Append grasps to a dataset; each grasp is durable when :meth:`append` returns.

    ``path``: ``x.h5`` (single file, consolidated on :meth:`close`) or a directory (one file per
    grasp). An existing dataset is appended to; ``overwrite=True`` deletes it first.
    ``compression``: ``"gzip"`` (portable, default), ``"lzf"`` (h5py only) or ``None``.
    ``frame_codec``: ``"raw"`` (pixels, lossless, default) or ``"jpeg"`` (the camera's own JPEG
    bytes when :meth:`append` gets them, else JPEG at the reference camera's quality).
    ``all_or_nothing``: when the ``with`` block raises, delete the grasps this writer appended,
    so an existing dataset is left exactly as it was (default: keep them, like a crash does).
    """

    def __init__(
        self,
        path: str | Path,
        overwrite: bool = False,
        compression: str | None = "gzip",
        *,
        compression_level: int | None = None,
        frame_codec: str = "raw",
        all_or_nothing: bool = False,
    ) -> None:
        check_compression(compression, compression_level)
        check_frame_codec(frame_codec)
        self.path = Path(path)
        self.compression = compression
        self.compression_level = compression_level
        self.frame_codec = frame_codec
        self.all_or_nothing = all_or_nothing
        self._layout = resolve(path)
        self._written: list[str] = []
        self._closed = False
        self._prepare_dirs()
        self._lock = _files.WriterLock(self._lock_path(), self.path)
        self._lock.acquire()
        try:
            self.removed_temp_files = self._clean_temps()
            if overwrite:
                self._delete_existing()
            index, _ = scan(self._layout) if self._layout.exists else ({}, 0)
        except BaseException:
            self._lock.release()
            self._remove_empty_pending()
            raise
        self._known: set[str] = set(index)
        #: grasps left in the pending directory by an earlier writer that was killed
        self.recovered_ids = [gid for gid, loc in index.items() if loc.pending]
        if self.recovered_ids:
            log.warning(
                "%s: recovered %d grasp(s) from an interrupted session: %s",
                self.path,
                len(self.recovered_ids),
                ", ".join(self.recovered_ids),
            )

    # -- set-up ----------------------------------------------------------------------------------
    def _prepare_dirs(self) -> None:
        lay = self._layout
        try:
            parent = lay.main.parent if lay.main is not None else lay.directory.parent
            parent.mkdir(parents=True, exist_ok=True)
            if not lay.directory.is_dir():
                lay.directory.mkdir()
                _files.fsync_dir(lay.directory.parent)
        except OSError as exc:
            raise StoreError(
                f"cannot create {lay.directory} ({exc.strerror})",
                hint="check the path and that you may write to its folder",
            ) from exc

    def _lock_path(self) -> Path:
        return lock_path(self._layout)

    def _clean_temps(self) -> list[Path]:
        lay = self._layout
        removed = _files.remove_temps(lay.directory)
        if lay.main is not None:
            stale = lay.main.with_name(f".{lay.main.name}{_files.TMP_MARK}")
            for p in lay.main.parent.glob(f"{stale.name}*"):
                p.unlink(missing_ok=True)
                removed.append(p)
        if removed:
            log.warning(
                "%s: removed %d temporary file(s) of an interrupted writer: %s",
                self.path,
                len(removed),
                ", ".join(p.name for p in removed),
            )
        return removed

    def _delete_existing(self) -> None:
        lay = self._layout
        if lay.main is not None and lay.main.exists():
            lay.main.unlink()
        for p in lay.directory_files():
            if lay.main is None:
                self._check_ours(p)
        for p in lay.directory_files():
            p.unlink()
        _files.fsync_dir(lay.directory)

    @staticmethod
    def _check_ours(path: Path) -> None:
        try:
            with _files.open_grasp_file(path):
                pass
        except ForeignFileError:
            raise ForeignFileError(
                f"{path} is not a tactile grasp file; refusing to overwrite the directory",
                hint="move foreign .h5 files out of the grasp directory, or write elsewhere",
            ) from None
        except StoreError:  # damaged grasp files of ours may be replaced
            pass

    # -- writing ---------------------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Grasp ids appended by this writer, in order."""
        return list(self._written)

    def __contains__(self, grasp_id: object) -> bool:
        """Whether the dataset already holds ``grasp_id`` (from earlier sessions or this one)."""
        return grasp_id in self._known

    def _next_id(self) -> str:
        n = len(self._known)
        while f"grasp_{n:04d}" in self._known:
            n += 1
        return f"grasp_{n:04d}"

    def append(self, grasp: Grasp, *, camera_jpegs: Sequence[bytes] | None = None) -> str:
        """Store ``grasp`` durably and return its id (``grasp_NNNN`` when its id is empty).

        ``camera_jpegs``: the camera's JPEG image of each frame (``grasp.frames`` decoded from
        them; default: ``grasp.camera_jpegs``); with ``frame_codec="jpeg"`` they are stored
        verbatim instead of the pixels."""
        if self._closed:
            raise StoreError(f"writer for {self.path} is closed", hint="open a new GraspWriter")
        if not grasp.grasp_id:
            grasp = dataclasses.replace(grasp, grasp_id=self._next_id())
        gid = check_grasp_id(grasp.grasp_id)
        if gid in self._known:
            raise StoreError(
                f"grasp id {gid!r} is already in {self.path}",
                hint="give each grasp a unique id (or an empty id to number it automatically)",
            )
        if camera_jpegs is None:
            camera_jpegs = grasp.camera_jpegs
        final = self._layout.grasp_file(gid)
        tmp = _files.temp_sibling(final)
        try:
            with h5py.File(tmp, "w") as f:
                write_root_attrs(f)
                write_grasp(
                    f,
                    grasp,
                    compression=self.compression,
                    compression_level=self.compression_level,
                    frame_codec=self.frame_codec,
                    camera_jpegs=camera_jpegs,
                )
            _files.publish(tmp, final)
        except TactileError:
            tmp.unlink(missing_ok=True)
            raise
        except (OSError, ValueError, TypeError, RuntimeError) as exc:  # h5py / file system
            tmp.unlink(missing_ok=True)
            raise StoreError(
                f"cannot write grasp {gid!r} to {final} ({exc})",
                hint="check free disk space and write permission",
            ) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._known.add(gid)
        self._written.append(gid)
        return gid

    # -- closing ---------------------------------------------------------------------------------
    def _consolidate(self) -> None:
        """Fold the pending grasp files into the single ``.h5`` file, atomically."""
        lay = self._layout
        if lay.main is None:
            return
        pending = lay.directory_files()
        if pending or not lay.main.exists():  # a session without grasps leaves an empty file
            tmp = _files.temp_sibling(lay.main)
            try:
                self._merge_into(tmp, lay.main, pending)
                _files.publish(tmp, lay.main)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise StoreError(
                    f"cannot consolidate {lay.main} ({exc}); "
                    f"the grasps are safe in {lay.directory}",
                    hint="free disk space, then open and close a GraspWriter on the file again",
                ) from exc
            for p in pending:
                p.unlink()
            _files.fsync_dir(lay.directory)
        self._remove_empty_pending()

    def _remove_empty_pending(self) -> None:
        lay = self._layout
        if lay.main is not None and lay.directory.is_dir() and not any(lay.directory.iterdir()):
            lay.directory.rmdir()
            _files.fsync_dir(lay.main.parent)

    @staticmethod
    def _merge_into(tmp: Path, main: Path, pending: list[Path]) -> None:
        if main.exists():
            shutil.copyfile(main, tmp)
        with h5py.File(tmp, "a" if main.exists() else "w") as dst:
            write_root_attrs(dst)  # an older file taking newer grasps gets the newer version
            grasps = dst.require_group(GRASPS_GROUP)
            for p in pending:
                with _files.open_grasp_file(p) as src:
                    for gid, group in src[GRASPS_GROUP].items():
                        if gid not in grasps:
                            src.copy(group, grasps, name=gid)

    def discard(self) -> None:
        """Delete the grasps this writer appended and close: the dataset is as it was before.

        Grasps recovered from an earlier, interrupted session stay (and are consolidated)."""
        if self._closed:
            return
        for gid in self._written:
            self._layout.grasp_file(gid).unlink(missing_ok=True)
            self._known.discard(gid)
        if self._written:
            _files.fsync_dir(self._layout.directory)
        self._written.clear()
        self.close()

    def close(self) -> None:
        """Consolidate (single-file mode) and release the writer lock. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._layout.main is not None:
                self._consolidate()
        finally:
            self._lock.release()

    def __enter__(self) -> GraspWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if e is not None and self.all_or_nothing:
            self.discard()
        else:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"GraspWriter({str(self.path)!r}, {len(self._written)} written, {state})"
