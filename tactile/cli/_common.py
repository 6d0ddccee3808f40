"""Helpers shared by subcommands: JSON output and the common flags."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np

__all__ = ["add_json_flag", "print_json"]


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


def print_json(payload: Any) -> None:
    text = json.dumps(_clean(json.loads(json.dumps(payload, default=_default))), indent=2)
    sys.stdout.write(text + "\n")
