"""Grasps at a path, whatever its layout: one place decides what a path holds.

A path names either a **grasp store** (an ``.h5`` file, or a directory of grasp files; read with
:class:`~tactile.io.GraspReader`) or **reference recordings** (``NAME.avi`` +
``NAME_forces.pkl`` + ``NAME_widths.pkl``: one ``.avi`` or a folder of them, read through the
importer in memory). A folder holding both ``.avi`` and ``.h5`` files is a store. A label table
fills what a grasp's metadata lacks (label, shape, radius); labels already in the metadata win.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from tactile.errors import GraspNotFoundError, ImportDataError
from tactile.io.labels import LabelRow, LabelWarning, resolve_label
from tactile.io.reader import GraspReader
from tactile.io.reference import (
    ImportSkipWarning,
    ReferenceRecording,
    SkippedRecording,
    _natural_key,
    copy_error,
    find_avis,
    grasp_id_for,
    load_reference_grasp,
    missing_avis,
    object_and_trial,
    preferred_copies,
    source_identity,
    unique_ids,
)
from tactile.types import Grasp, GraspMetadata


def is_reference_layout(path: str | Path) -> bool:
    """Whether ``path`` holds reference recordings (an ``.avi``, or a folder of them and no
    ``.h5`` file) rather than a grasp store."""
    path = Path(path)
    if path.is_file():
        return path.suffix.lower() == ".avi"
    if not path.is_dir():
        return False
    suffixes = {p.suffix.lower() for p in path.iterdir() if not p.name.startswith(".")}
    return ".avi" in suffixes and not suffixes & {".h5", ".hdf5"}


def label_meta(meta: GraspMetadata, labels: Mapping[str, LabelRow] | None) -> GraspMetadata:
    """``meta`` with its label, shape and radius filled from ``labels`` where missing."""
    if not labels:
        return meta
    row = resolve_label(meta.object_id, labels)
    if row is None:
        return meta
    return dataclasses.replace(
        meta,
        label_modulus_pa=meta.label_modulus_pa or row.modulus_pa,
        shape=meta.shape or row.shape,
        radius_mm=meta.radius_mm or row.radius_mm,
    )


def with_labels(grasp: Grasp, labels: Mapping[str, LabelRow] | None) -> Grasp:
    """``grasp`` with its label, shape and radius filled from ``labels`` where missing."""
    meta = label_meta(grasp.meta, labels)
    return grasp if meta is grasp.meta else dataclasses.replace(grasp, meta=meta)


@dataclasses.dataclass(frozen=True)
class GraspLoad:
    """A grasp's ``load()`` from :func:`iter_grasps` on a folder of recordings: reads the grasp
    when called; ``object_id`` is the object its recording's name says, so a row of a grasp
    that fails to load still names its object (review49: it showed the file name)."""

    read: Callable[[], Grasp]
    object_id: str

    def __call__(self) -> Grasp:
        return self.read()


def iter_grasps(
    path: str | Path,
    *,
    grasp_ids: Sequence[str] | None = None,
    labels: Mapping[str, LabelRow] | None = None,
) -> Iterator[tuple[str, Callable[[], Grasp]]]:
    """``(grasp_id, load)`` for every grasp at ``path`` (or those named); ``load()`` reads one
    grasp, labelled, when called. A recording missing a pickle, or its ``.avi`` (pickles
    without it: :func:`~tactile.io.reference.missing_avis`), is listed; its ``load()`` raises
    that error. Recordings of a folder that become one grasp id (``ball 2.avi``, ``ball-2.avi``)
    are each listed under their file name, their ``load()`` raising the error that names them
    all, as the importer skips them: none is dropped or chosen, and the others are read. Of
    recordings that are the same files under two names (``golf_ball_1.avi``, ``Copy of
    golf_ball_1.avi``) the one the importer keeps (:func:`~tactile.io.reference.preferred_copies`)
    is read, the others' ``load()`` raising the error naming it (review49: one squeeze was
    scored as two grasps). A folder's grasps come in the folder's (natural) order, each
    ``load`` a :class:`GraspLoad` naming its object."""
    path = Path(path)
    if is_reference_layout(path):
        clashing: list[SkippedRecording] = []
        with warnings.catch_warnings():  # listed here, as failures: no warning besides
            warnings.simplefilter("ignore", ImportSkipWarning)
            kept = unique_ids([_unchecked(avi) for avi in find_avis(path)], clashing)
        recs = {grasp_id_for(r.stem): r for r in kept}
        identities: list[tuple[ReferenceRecording, str]] = []
        for r in kept:
            with contextlib.suppress(ImportDataError):  # unreadable: its load() says why
                identities.append((r, source_identity(r)))
        chosen = preferred_copies(identities, labels)
        copies = {
            grasp_id_for(r.stem): copy_error(r, chosen[identity], "estimate")
            for r, identity in identities
            if chosen[identity] is not r
        }
        clashes: dict[str, list[SkippedRecording]] = {}
        for s in clashing:
            clashes.setdefault(grasp_id_for(Path(s.file).stem), []).append(s)
        orphans = {
            gid: s
            for s in missing_avis(path)
            if (gid := grasp_id_for(Path(s.file).stem)) not in recs and gid not in clashes
        }
        entries: list[tuple[str, str, Callable[[], Grasp]]] = []  # (stem, name, load)
        for gid, r in recs.items():
            read: Callable[[], Grasp] = (
                partial(_raise, copies[gid])
                if gid in copies
                else partial(_load_reference, r.avi, labels)
            )
            entries.append((r.stem, gid, read))
        for gid, s in orphans.items():
            entries.append((Path(s.file).stem, gid, partial(_raise_missing, s)))
        for s in clashing:
            entries.append((Path(s.file).stem, s.file, partial(_raise_missing, s)))
        entries.sort(key=lambda e: _natural_key(e[0]))  # the folder's order (review49)
        loads = {name: GraspLoad(read, _object_of(stem, labels)) for stem, name, read in entries}
        names = list(loads)
        for gid in grasp_ids or names:
            if gid in loads:  # a grasp id, or the file name of one of a clash
                yield gid, loads[gid]
            elif gid in clashes:  # the id they meet on
                for s in clashes[gid]:
                    yield s.file, loads[s.file]
            else:
                raise GraspNotFoundError(
                    f"no recording for grasp {gid!r} in {path}",
                    hint=f"use one of {', '.join(names[:5])} ...",
                )
        return
    with GraspReader(path) as reader:
        for gid in grasp_ids or reader.ids():
            if gid not in reader:
                raise GraspNotFoundError(
                    f"grasp {gid!r} is not in {path}",
                    hint=f"`tactile inspect {path}` lists its grasps",
                )
            yield gid, partial(_load_stored, reader, gid, labels)


def load_grasps(
    path: str | Path,
    *,
    grasp_ids: Sequence[str] | None = None,
    labels: Mapping[str, LabelRow] | None = None,
) -> list[Grasp]:
    """Every grasp at ``path`` (or those named), read whole and labelled."""
    return [load() for _, load in iter_grasps(path, grasp_ids=grasp_ids, labels=labels)]


def _unchecked(avi: Path) -> ReferenceRecording:
    """A recording's files, not yet checked to exist (:func:`load_reference_grasp` does)."""
    return ReferenceRecording(
        avi, avi.with_name(f"{avi.stem}_forces.pkl"), avi.with_name(f"{avi.stem}_widths.pkl")
    )


def _load_reference(avi: Path, labels: Mapping[str, LabelRow] | None) -> Grasp:
    return with_labels(load_reference_grasp(avi, labels=labels), labels)


def _raise_missing(skipped: SkippedRecording) -> Grasp:
    raise ImportDataError(skipped.error, hint=skipped.hint)


def _raise(exc: ImportDataError) -> Grasp:
    raise exc


def _object_of(stem: str, labels: Mapping[str, LabelRow] | None) -> str:
    """The object a recording named ``stem`` is of, as the importer reads it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelWarning)
        return object_and_trial(unicodedata.normalize("NFC", stem), labels)[0]


def _load_stored(reader: GraspReader, gid: str, labels: Mapping[str, LabelRow] | None) -> Grasp:
    return with_labels(reader.read(gid), labels)


def _loose(name: str) -> str:
    """``name`` as a person may type it: NFC, any case, runs of spaces, ``_`` and ``-`` alike,
    without a trailing ``.avi`` (``Golf Ball 2.avi`` and ``golf_ball_2`` meet)."""
    text = unicodedata.normalize("NFC", name).strip()
    if text.lower().endswith(".avi"):
        text = text[:-4]
    return re.sub(r"[\s_-]+", "_", text).casefold()


def grasp_id_named(reader: GraspReader, name: str) -> str:
    """The grasp id in ``reader`` that ``name`` means: the id itself, else the one grasp whose
    recording (``extra["source_file"]``: ``golf ball 2.avi``, imported as ``golf-ball-2``) it
    names exactly (with or without ``.avi``), else the one grasp whose id or recording it
    names in any case, spaces, ``_`` and ``-`` alike (an exact name wins over a loose one:
    review49). Raises :class:`~tactile.errors.GraspNotFoundError` naming the ids it may mean
    when it names several or none."""
    if name in reader:
        return name
    ids = reader.ids()
    sources: dict[str, str] = {}
    for gid in ids:
        source = reader.metadata(gid).extra.get("source_file")
        if isinstance(source, str):
            sources[gid] = source
    exact = unicodedata.normalize("NFC", name.strip())
    named = [
        gid
        for gid, source in sources.items()
        if exact
        in (unicodedata.normalize("NFC", source), Path(unicodedata.normalize("NFC", source)).stem)
    ]
    if len(named) == 1:
        return named[0]
    key = _loose(name)
    matches = named or [gid for gid in ids if key in (_loose(gid), _loose(sources.get(gid, gid)))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise GraspNotFoundError(
            f"{name!r} names {len(matches)} grasps in {reader.path}: {', '.join(matches)}",
            hint="pass one of those grasp ids",
        )
    by_loose: dict[str, list[str]] = {}
    for gid in ids:
        by_loose.setdefault(_loose(gid), []).append(gid)
    close = difflib.get_close_matches(key, list(by_loose), n=5, cutoff=0.6)
    # every id of each close key, each once (review49: one was listed twice, another dropped)
    some = list(dict.fromkeys(g for c in close for g in by_loose[c]))[:5] or ids[:5]
    more = "" if close or len(ids) <= 5 else f" (+{len(ids) - 5} more)"
    raise GraspNotFoundError(
        f"no grasp {name!r} in {reader.path} (no grasp id or recording of that name); "
        f"{'closest' if close else 'available'}: {', '.join(some) or 'none'}{more}",
        hint="list the ids with `tactile inspect FILE`",
    )
