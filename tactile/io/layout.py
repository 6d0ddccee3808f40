"""Where the grasps of a dataset live: one ``.h5`` file (plus its pending directory) or a directory.

A *grasp dataset* is addressed by one path:

- ``x.h5`` (or ``.hdf5``): the consolidated file ``x.h5`` plus, while a writer is running or after
  it was killed, the hidden sibling directory ``.x.h5.pending/`` of one-grasp files;
- any other path: a directory of grasp files (``grasp_<id>.h5``, each written atomically).

Readers see the union of the consolidated file and the pending files, so every grasp whose
``append`` returned is visible even if the writer never reached ``close``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import h5py

from tactile.errors import StoreError
from tactile.io._files import HDF5_SUFFIXES, open_grasp_file
from tactile.io.schema import GRASPS_GROUP, SCHEMA_VERSION


@dataclass(frozen=True)
class Layout:
    """The files of one dataset: ``main`` (single-file mode) and the directory of grasp files."""

    path: Path
    main: Path | None  # the consolidated .h5 file, None in directory mode
    directory: Path  # directory mode: the dataset itself; file mode: the pending directory

    @property
    def exists(self) -> bool:
        return (self.main is not None and self.main.exists()) or self.directory.is_dir()

    def grasp_file(self, grasp_id: str) -> Path:
        return self.directory / f"grasp_{grasp_id}.h5"

    def directory_files(self) -> list[Path]:
        """Published grasp files in the directory (hidden and temporary files are ignored)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p
            for p in self.directory.iterdir()
            if p.suffix in HDF5_SUFFIXES and not p.name.startswith(".") and p.is_file()
        )

    def files(self) -> list[Path]:
        main = [self.main] if self.main is not None and self.main.exists() else []
        return main + self.directory_files()


def resolve(path: str | Path) -> Layout:
    """Decide whether ``path`` names a single-file dataset or a directory dataset."""
    p = Path(path).expanduser()
    if p.is_dir():
        return Layout(path=p, main=None, directory=p)
    if p.suffix.lower() in HDF5_SUFFIXES or p.is_file():
        return Layout(path=p, main=p, directory=p.with_name(f".{p.name}.pending"))
    return Layout(path=p, main=None, directory=p)


@dataclass(frozen=True)
class Location:
    """Where one grasp is stored."""

    grasp_id: str
    file: Path
    written_unix_ns: int
    pending: bool  # in the pending directory of a single-file dataset, not yet consolidated


def _natural_key(text: str) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _file_entries(path: Path, pending: bool) -> tuple[int, list[Location]]:
    with open_grasp_file(path) as f:
        version = int(f.attrs["schema_version"])
        entries = []
        for gid, g in f[GRASPS_GROUP].items():
            if not isinstance(g, h5py.Group):
                continue
            ns = int(g.attrs.get("written_unix_ns", 0))
            entries.append(Location(gid, path, ns, pending))
    return version, entries


def scan(layout: Layout) -> tuple[dict[str, Location], int]:
    """Index every grasp of the dataset, in writing order; also return the newest schema seen.

    A grasp that is both in the consolidated file and in the pending directory (the writer was
    killed after consolidating but before cleaning up) is read from the consolidated file.
    """
    if not layout.exists:
        raise StoreError(
            f"grasp dataset {layout.path} does not exist",
            hint="check the path; a grasp dataset is a .h5 file or a directory of grasp files",
        )
    for _ in range(5):  # a writer consolidating meanwhile removes pending files: look again
        result = _scan_once(layout)
        if result is not None:
            return result
    raise StoreError(  # pragma: no cover - needs five consolidations during one scan
        f"grasp dataset {layout.path} keeps changing while it is read",
        hint="retry when the writer has closed",
    )


def _scan_once(layout: Layout) -> tuple[dict[str, Location], int] | None:
    index: dict[str, Location] = {}
    newest = 0
    for path in layout.files():
        try:
            version, entries = _file_entries(
                path, pending=path.parent == layout.directory and layout.main is not None
            )
        except StoreError:
            if path.exists():
                raise
            return None  # vanished between listing and opening
        newest = max(newest, version)
        for loc in entries:
            old = index.get(loc.grasp_id)
            if old is None:
                index[loc.grasp_id] = loc
            elif not (loc.pending and not old.pending):
                raise StoreError(
                    f"grasp {loc.grasp_id!r} is stored twice: in {old.file} and in {loc.file}",
                    hint="remove or rename one of the two files",
                )
    order = sorted(index.values(), key=lambda c: (c.written_unix_ns, _natural_key(c.grasp_id)))
    return {loc.grasp_id: loc for loc in order}, newest or SCHEMA_VERSION  # empty: current
