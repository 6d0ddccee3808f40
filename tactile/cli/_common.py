"""Helpers shared by subcommands: JSON output and the common flags."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

import numpy as np

__all__ = [
    "add_frames_flag",
    "add_json_flag",
    "add_model_flag",
    "add_output_flags",
    "add_progress_flags",
    "keep_freed_memory",
    "non_negative_int",
    "print_json",
    "print_json_lines",
    "resolve_estimator",
    "show_progress",
]


def add_output_flags(parser: argparse.ArgumentParser, *, append: bool) -> None:
    """``--overwrite`` (and ``--append`` where adding to an output makes sense).

    Without them a command refuses an existing output (``tactile.io.output``)."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing output (the old one stays until the new one is complete)",
    )
    if append:
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to an existing grasp dataset (all or nothing: on failure it is unchanged)",
        )


def add_frames_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frames",
        choices=("jpeg", "raw"),
        default="jpeg",
        help="how camera frames are stored: jpeg (default; an MJPG camera's own bytes, "
        "verbatim, else JPEG at the reference camera's quality) or raw pixels (~10x larger)",
    )


def add_progress_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )
    group.add_argument(
        "--no-progress", dest="progress", action="store_false", help="hide the progress bar"
    )


def show_progress(args: argparse.Namespace) -> bool:
    """``--progress`` / ``--no-progress``, else on when stderr is a terminal and not ``--json``."""
    if args.progress is not None:
        return bool(args.progress)
    return sys.stderr.isatty() and not getattr(args, "json", False)


def add_model_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=None,
        metavar="PATH|NAME",
        help="trained network for --estimator neural/hybrid: a folder written by `tactile "
        "train --out`, its model.pt, or a name under models/ (default: models/default)",
    )


#: glibc's ``mallopt`` parameters (``malloc.h``) and the values :func:`keep_freed_memory` sets.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap, not their own ``mmap``: 32 MiB, glibc's largest
#: mmap threshold on 64-bit (``HEAP_MAX_SIZE / 2``), above a grasp's decoded frames (~16 MB).
MMAP_THRESHOLD_BYTES = 32 << 20
#: Free memory at the heap's top is returned to the system only beyond this.
TRIM_THRESHOLD_BYTES = 512 << 20
#: The heap reserve faulted in at start-up: blocks of this size (under the mmap threshold, so
#: from the heap) ...
RESERVE_BLOCK_BYTES = 24 << 20
#: ... this many, held together, then freed: 96 MiB at the heap's top, more than a grasp's
#: estimate takes at once (its decoded frames ~16 MB and their features).
RESERVE_BLOCKS = 4
#: Environment variables through which a user sets glibc's malloc thresholds: then left alone.
_MALLOC_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def keep_freed_memory() -> bool:
    """Keep the memory an estimate frees in the process for the next grasp, and have some ready
    before the first (glibc only).

    glibc serves a large block (a grasp's decoded frames, ~16 MB) with its own ``mmap`` and
    unmaps it when freed, and trims the heap's free top; the next grasp's arrays then fault
    their pages in again, in system time, with transparent huge pages (NumPy asks for them on
    large arrays) at several ms each (BENCHMARKS.md, lat27). Raising glibc's mmap and trim
    thresholds (``mallopt``) keeps freed blocks in the heap for reuse: a process estimating
    many grasps stays near its peak memory instead of giving it back between grasps. Then a
    reserve (:data:`RESERVE_BLOCKS` × :data:`RESERVE_BLOCK_BYTES`) is written and freed, so that
    its faults (and huge-page compaction) are paid at start-up, not by the first grasps
    (docs/decisions.md, "Keeping freed memory in ``tactile estimate``").

    Called by ``tactile estimate`` at start-up (and the timing benchmarks, which do what it
    does), not on import: a library user's process keeps glibc's defaults. True when set; False,
    without raising, off Linux/glibc, when ``mallopt`` is unavailable or refuses, or when the
    user set glibc's malloc thresholds (``MALLOC_*_`` or a ``glibc.malloc`` tunable)."""
    if not sys.platform.startswith("linux"):
        return False
    if any(name in os.environ for name in _MALLOC_ENV):
        return False
    if "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return False
    if not libc.startswith("glibc"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 on success, 0 on a value it refuses
    if not (
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    ):
        return False
    # written, not only allocated: the pages are faulted in now; freed together, they join the
    # heap's top, which the trim threshold now keeps
    reserve = [np.ones(RESERVE_BLOCK_BYTES, dtype=np.uint8) for _ in range(RESERVE_BLOCKS)]
    del reserve
    return True


#: Estimators that run a trained network (and so take --model).
NETWORK_ESTIMATORS = ("neural", "hybrid")


def resolve_estimator(args: argparse.Namespace) -> tuple[str, Any, str | None]:
    """(name, estimator name or instance, model path) from ``--estimator`` and ``--model``.

    ``--model`` alone means ``--estimator hybrid``; with an analytical estimator it is an error.
    """
    from tactile.errors import ConfigError

    model = getattr(args, "model", None)
    name = (args.estimator or ("hybrid" if model else "auto")).strip().lower()
    if model is None:
        return name, name, None
    if name not in NETWORK_ESTIMATORS:
        raise ConfigError(
            f"--model applies to the network estimators, not --estimator {name}",
            hint="use --estimator neural or hybrid with --model, or drop --model",
        )
    from tactile.estimators import get_estimator

    estimator = get_estimator(name, model=model)
    return name, estimator, str(estimator.loaded.path)  # type: ignore[attr-defined]


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; use 0 or more")
    return value


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print results as JSON (for scripts) instead of text"
    )


def _default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, set | frozenset | tuple):
        return sorted(obj) if isinstance(obj, set | frozenset) else list(obj)
    return str(obj)


def _clean(obj: Any) -> Any:
    """Replace non-finite floats with None so the output is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _strict(payload: Any) -> Any:
    return _clean(json.loads(json.dumps(payload, default=_default)))


def print_json(payload: Any) -> None:
    """One JSON document (a summary, a table), indented for people and strict for scripts."""
    text = json.dumps(_strict(payload), indent=2)
    sys.stdout.write(text + "\n")


def print_json_lines(item: Any) -> None:
    """One item of a stream (e.g. one grasp) as one line of JSON (JSON Lines, jsonlines.org),
    flushed at once so a pipe sees each grasp as it is done."""
    sys.stdout.write(json.dumps(_strict(item), separators=(",", ":")) + "\n")
    sys.stdout.flush()
