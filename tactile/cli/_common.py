"""Helpers shared by subcommands: JSON output and the common flags."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np

__all__ = [
    "add_frames_flag",
    "add_json_flag",
    "add_model_flag",
    "add_output_flags",
    "add_progress_flags",
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
        "verbatim, else JPEG at the reference camera's quality) or raw pixels (~10-15x larger)",
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


#: How many documents :func:`print_json` has written in this process: a command that fails
#: after printing its document (``collect``'s summary of a session a device stopped) gets no
#: second, error, document from ``main`` (stdout stays one JSON document; review49).
_documents_printed = [0]


def documents_printed() -> int:
    """How many JSON documents :func:`print_json` has written so far in this process."""
    return _documents_printed[0]


def print_json(payload: Any) -> None:
    """One JSON document (a summary, a table), indented for people and strict for scripts."""
    text = json.dumps(_strict(payload), indent=2)
    sys.stdout.write(text + "\n")
    _documents_printed[0] += 1


def print_json_lines(item: Any) -> None:
    """One item of a stream (e.g. one grasp) as one line of JSON (JSON Lines, jsonlines.org),
    flushed at once so a pipe sees each grasp as it is done."""
    sys.stdout.write(json.dumps(_strict(item), separators=(",", ":")) + "\n")
    sys.stdout.flush()
