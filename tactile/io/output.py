"""Writing outputs without losing what is already there.

Every command that writes follows one policy (``docs/decisions.md``):

- an output that does not exist is created (:attr:`WriteMode.NEW`). If the command fails or is
  interrupted, a new output that holds no grasp is removed (a rerun is not refused because of
  it); one that holds some is kept (completed grasps are durable, as after a crash) and the
  exception gets a note, printed by the CLI: ``kept N of M grasps in FILE (incomplete, ...);
  rerun with --overwrite to start again``. ``tactile collect`` does not come here: collected
  grasps are always kept and it says how to resume;
- an existing output is refused with :class:`~tactile.errors.OutputExistsError` unless the user
  said ``--overwrite`` or, where adding makes sense, ``--append``;
- ``--append`` (:attr:`WriteMode.APPEND`) is all or nothing: if the command fails (a grasp id
  clash, a bad recording, Ctrl-C), the grasps it appended are removed and the dataset is exactly
  as it was;
- ``--overwrite`` (:attr:`WriteMode.OVERWRITE`) writes a hidden sibling and only when it is
  complete replaces the old output with it (``os.replace``); a failure leaves the old output
  untouched.

:func:`open_grasp_output` applies this to grasp datasets (``.h5`` files or directories), and
:func:`replace_file` to single files (figures, JSON).
"""

from __future__ import annotations

import contextlib
import enum
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError, OutputExistsError
from tactile.io import _files
from tactile.io.layout import resolve
from tactile.io.store import GraspWriter, lock_path

_NEW_MARK = ".new-"
_OLD_MARK = ".old-"


class WriteMode(enum.StrEnum):
    NEW = "new"
    APPEND = "append"
    OVERWRITE = "overwrite"


def dataset_exists(path: str | Path) -> bool:
    """Whether a grasp dataset (a file, its pending grasps, or grasp files in a directory)
    exists at ``path``; an empty directory does not count."""
    lay = resolve(path)
    if lay.main is not None:
        return lay.main.exists() or bool(lay.directory_files())
    return lay.directory.is_dir() and any(lay.directory.iterdir())


def output_mode(
    path: str | Path,
    *,
    overwrite: bool = False,
    append: bool = False,
    exists: Callable[[Path], bool] | None = None,
    append_flag: str | None = "--append",
) -> WriteMode:
    """How to write ``path``: refuses an existing output unless ``overwrite`` or ``append``.

    ``exists`` tells whether the output exists (default: :func:`dataset_exists`);
    ``append_flag`` names the flag offered in the hint (None where appending makes no sense).
    """
    path = Path(path)
    if overwrite and append:
        raise ConfigError(
            "--overwrite and --append contradict each other",
            hint="--overwrite replaces the output, --append adds to it: pass one",
        )
    if not (exists or dataset_exists)(path):
        return WriteMode.NEW
    if overwrite:
        return WriteMode.OVERWRITE
    if append:
        return WriteMode.APPEND
    how = (
        f"--overwrite to replace it or {append_flag} to add to it"
        if append_flag
        else ("--overwrite to replace it")
    )
    raise OutputExistsError(
        f"{path} already exists; refusing to replace or change it",
        hint=f"pass {how}, or choose another path",
    )


def file_mode(path: str | Path, *, overwrite: bool) -> WriteMode:
    """:func:`output_mode` for a single file (a figure, a JSON file): no appending."""
    return output_mode(path, overwrite=overwrite, exists=Path.exists, append_flag=None)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale_siblings(path: Path) -> list[Path]:
    """Delete hidden ``.NAME.new-<pid>…`` / ``.NAME.old-<pid>…`` siblings of ``path`` left by an
    overwrite whose process died (their pending directories and locks included)."""
    removed = []
    for mark in (_NEW_MARK, _OLD_MARK):
        for prefix in (f".{path.name}{mark}", f"..{path.name}{mark}"):
            for p in path.parent.glob(f"{prefix}*"):
                digits = p.name[len(prefix) :].split(".", 1)[0]
                if digits.isdigit() and not _pid_alive(int(digits)):
                    _remove(p)
                    removed.append(p)
    return removed


def _sibling(path: Path, mark: str) -> Path:
    suffix = path.suffix if resolve(path).main is not None else ""
    return path.with_name(f".{path.name}{mark}{os.getpid()}{suffix}")


def _swap_in(new: Path, path: Path) -> None:
    """Replace ``path`` (file or directory dataset) by the finished ``new``."""
    lay = resolve(path)
    if lay.main is not None:
        _files.publish(new, path)
        if lay.directory.is_dir():  # pending grasps of the replaced file go with it
            shutil.rmtree(lay.directory, ignore_errors=True)
        return
    old = _sibling(path, _OLD_MARK)
    os.replace(path, old)
    os.replace(new, path)
    _files.fsync_dir(path.parent)
    shutil.rmtree(old, ignore_errors=True)


def incomplete_note(
    path: Path, kept: int, expected: int | None, what: str = "incomplete", rerun: str = ""
) -> str:
    """The one line said when a failed or interrupted command keeps part of a new output."""
    of = f" of {expected}" if expected is not None else ""
    rerun = rerun or "rerun with --overwrite to start again"
    return f"kept {kept}{of} grasps in {path} ({what}); {rerun}"


def _settle_failed_new(
    writer: GraspWriter, created_dir: bool, exc: BaseException, note: Callable[[int], str]
) -> None:
    """After a failure writing a new output: remove it when it holds no grasp (it did not exist
    before), else keep it and add ``note(kept)`` to ``exc`` (the CLI prints it)."""
    lay = resolve(writer.path)
    kept = len(writer.ids) + len(writer.recovered_ids)
    if kept == 0:
        if lay.main is not None:
            if not lay.directory_files():
                lay.main.unlink(missing_ok=True)
                if lay.directory.is_dir() and not any(lay.directory.iterdir()):
                    lay.directory.rmdir()
        elif created_dir and lay.directory.is_dir() and not any(lay.directory.iterdir()):
            lay.directory.rmdir()
        return
    exc.add_note(note(kept))


@contextlib.contextmanager
def open_grasp_output(
    path: str | Path,
    mode: WriteMode,
    *,
    expected: int | None = None,
    incomplete: str = "incomplete",
    rerun: str = "",
    **writer_options: Any,
) -> Iterator[GraspWriter]:
    """A :class:`GraspWriter` on ``path`` that follows ``mode`` (see the module docstring).

    ``writer_options`` go to :class:`GraspWriter` (``compression``, ``frame_codec`` ...).
    ``expected`` (the grasps the command meant to write), ``incomplete`` (what the output lacks)
    and ``rerun`` (how to finish it; default: ``--overwrite``) word the note of a failed new
    output that keeps some grasps (:func:`incomplete_note`).
    """
    path = Path(path)
    remove_stale_siblings(path)
    if mode is WriteMode.NEW:
        created_dir = resolve(path).main is None and not path.exists()
        writer = GraspWriter(path, **writer_options)
        try:
            with writer:
                yield writer
        except BaseException as exc:
            _settle_failed_new(
                writer,
                created_dir,
                exc,
                lambda kept: incomplete_note(path, kept, expected, incomplete, rerun),
            )
            raise
        return
    if mode is WriteMode.APPEND:
        with GraspWriter(path, all_or_nothing=True, **writer_options) as writer:
            yield writer
        return
    new = _sibling(path, _NEW_MARK)
    lock = _files.WriterLock(lock_path(resolve(path)), path)  # no live writer on the old one
    lock.acquire()
    try:
        with GraspWriter(new, all_or_nothing=True, **writer_options) as writer:
            yield writer
        _swap_in(new, path)
    finally:
        lock.release()
        for leftover in (new, resolve(new).directory):
            if leftover.exists():
                _remove(leftover)


@contextlib.contextmanager
def replace_file(path: str | Path, mode: WriteMode) -> Iterator[Path]:
    """A temporary path to write a file to; on success it atomically becomes ``path``.

    A failure (or a writer that never creates the file) leaves ``path`` as it was."""
    path = Path(path)
    if mode is WriteMode.APPEND:
        raise ConfigError(f"cannot append to {path}", hint="use --overwrite or another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}{_files.TMP_MARK}{os.getpid()}{path.suffix}")
    try:
        yield tmp
        if tmp.exists():
            _files.publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
