"""Where the shipped artifact folders (``calibration/``, ``models/``, ``hardware/``) are found.

In a source checkout (or an editable install) they sit at the repository root, next to the
``tactile`` package. A wheel installs them as data files under ``<prefix>/share/tactile/``
(``[tool.setuptools.data-files]`` in ``pyproject.toml``). Environment variables override both.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]


def artifact_dir(name: str, env_var: str | None = None) -> Path:
    """The folder ``name`` (``"calibration"``, ``"models"``, ``"hardware"``).

    Order: ``$env_var`` if set; the repository root's folder if it exists (source checkout);
    ``<prefix>/share/tactile/<name>`` of the running interpreter (wheel install). When none
    exists the repository path is returned, so error messages name a sensible place.
    """
    if env_var and os.environ.get(env_var):
        return Path(os.environ[env_var]).expanduser()
    repo = _REPO_ROOT / name
    if repo.is_dir():
        return repo
    for prefix in dict.fromkeys((sys.prefix, sysconfig.get_paths()["data"])):
        shared = Path(prefix) / "share" / "tactile" / name
        if shared.is_dir():
            return shared
    return repo
