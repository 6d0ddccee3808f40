"""Load third-party pickles that should hold one numpy array, without ever running their code.

A pickle is a program: ``pickle.load`` will call any importable function it names (``os.system``
included). :class:`ArrayUnpickler` resolves only the handful of numpy globals that rebuild an
``ndarray`` (for pickles written by numpy 1.x, which name ``numpy.core``, and numpy 2.x, which
name ``numpy._core``); any other global raises :class:`~tactile.errors.UnsafePickleError` before
it is called.
"""

from __future__ import annotations

import importlib
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import ImportDataError, UnsafePickleError

#: (module, name) pairs a numpy array pickle may reference, spelled as numpy 2.x names them.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how protocols 0-2 spell bytes; a pure str -> bytes codec call
    }
)

_CORE_NEW = "numpy._core"
_CORE_OLD = "numpy.core"


def _canonical(module: str) -> str:
    """numpy 1.x pickles say ``numpy.core``; numpy 2.x moved it to ``numpy._core``."""
    if module == _CORE_OLD or module.startswith(_CORE_OLD + "."):
        return _CORE_NEW + module[len(_CORE_OLD) :]
    return module


def _importable(module: str) -> str:
    """The spelling that this numpy installs (``numpy._core`` on 2.x, ``numpy.core`` on 1.x)."""
    if module.startswith(_CORE_NEW) and not hasattr(np, "_core"):  # pragma: no cover - numpy 1
        return _CORE_OLD + module[len(_CORE_NEW) :]
    return module


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler that can only rebuild numpy arrays and dtypes."""

    def __init__(self, file: io.BufferedIOBase | io.BytesIO, *, source: str) -> None:
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        key = (_canonical(module), name)
        if key not in ALLOWED_GLOBALS:
            raise UnsafePickleError(
                f"{self.source} asks to load {module}.{name}, which is not a numpy array "
                "component; refused without running it",
                hint="only pickles of plain numpy arrays can be imported; re-export the data "
                "with numpy.save, or check where this file came from",
            )
        return getattr(importlib.import_module(_importable(key[0])), name)

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError(
            f"{self.source} uses persistent ids, which plain numpy array pickles never do",
            hint="only pickles of plain numpy arrays can be imported",
        )


def load_array_pickle(path: str | Path) -> np.ndarray:
    """A 1-D float array from a pickle file, loaded by :class:`ArrayUnpickler`.

    Raises :class:`UnsafePickleError` for anything but numpy globals and
    :class:`ImportDataError` when the file is unreadable or not a 1-D float array.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportDataError(
            f"cannot read {path} ({exc.strerror or exc})",
            hint="check that the file exists and is readable",
        ) from exc
    try:
        value = ArrayUnpickler(io.BytesIO(data), source=str(path)).load()
    except UnsafePickleError:
        raise
    except Exception as exc:  # any malformed pickle: EOFError, UnpicklingError, TypeError, ...
        raise ImportDataError(
            f"{path} is not a readable pickle ({type(exc).__name__}: {exc})",
            hint="the file is truncated or damaged; copy it again from the recording machine",
        ) from exc
    return _check_series(value, path)


def _check_series(value: object, path: Path) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ImportDataError(
            f"{path} holds a {type(value).__name__}, expected a 1-D numpy float array",
            hint="the reference layout stores one float per video frame in a numpy array",
        )
    if value.ndim != 1 or value.dtype.kind != "f":
        raise ImportDataError(
            f"{path} holds an array of shape {value.shape} and dtype {value.dtype}, "
            "expected a 1-D float array",
            hint="the reference layout stores one float per video frame in a numpy array",
        )
    return np.asarray(value, dtype=np.float64)
