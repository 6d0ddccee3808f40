"""Optuna storage chosen by URL (like pyserial's ``serial_for_url``).

=====================================  =========================================================
URL                                    storage
=====================================  =========================================================
``memory`` (or nothing)                in-memory: one process, gone when it ends
``journal:///abs/path/study.log``      Optuna journal file (one machine; several processes may
or a path ending ``.log``/``.journal``  share it through its file lock): the embedded default
``sqlite:///path/study.db``            Optuna RDB storage on SQLite: one process at a time
``postgresql://user@host:5432/db``     Optuna RDB storage on PostgreSQL: workers on several
                                       machines share one study (needs ``tactile[postgres]``)
``mysql+pymysql://...``                Optuna RDB storage on MySQL (driver installed by the user)
=====================================  =========================================================

SQLite is never offered for parallel workers (its file lock serialises writers and Optuna's
docs warn against it); use a journal file on one machine or PostgreSQL across machines.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tactile.errors import ConfigError

SCHEMES = ("memory", "journal", "sqlite", "postgresql", "mysql")


def describe(url: str | None) -> str:
    """The URL with any password replaced by ``***`` (for logs and reports)."""
    if not url or "@" not in url or "://" not in url:
        return url or "memory"
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"


def storage_from_url(url: str | Path | None) -> Any:
    """An Optuna storage for ``url`` (None for in-memory, which ``create_study`` accepts)."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    if url is None:
        return None
    text = str(url)
    if text in ("memory", ":memory:", ""):
        return None
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme == "journal" or (not scheme and text.endswith((".log", ".journal"))):
        path = Path(text.split("://", 1)[1] if scheme else text)
        if scheme and not text.startswith("journal:///"):
            raise ConfigError(
                f"journal URL {text!r} must name an absolute path",
                hint="write journal:///abs/path/study.log, or just the path study.log",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    base = scheme.split("+", 1)[0]
    if base in ("sqlite", "postgresql", "mysql"):
        try:
            return _rdb_storage(text, base)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"the database driver for {describe(text)} is not installed ({exc.name})",
                hint='pip install "tactile[postgres]" for PostgreSQL (psycopg2)',
            ) from exc
        except Exception as exc:  # sqlalchemy's OperationalError and friends
            raise ConfigError(
                f"cannot open the Optuna storage {describe(text)}: {str(exc).splitlines()[0]}",
                hint="check that the server runs and the URL (user, host, port, database)",
            ) from exc
    raise ConfigError(
        f"unknown storage URL {text!r}",
        hint="use memory, a study.log journal path, sqlite:///x.db or postgresql://user@host/db",
    )


def _rdb_storage(url: str, base: str) -> Any:
    """RDBStorage, retried when another worker is creating the same schema at this moment (two
    workers opening a new database at once race on CREATE TABLE: the loser sees a duplicate)."""
    import optuna

    kwargs = {"pool_pre_ping": True} if base != "sqlite" else None
    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
        except Exception as exc:
            text = str(exc).lower()
            racing = "duplicate key" in text or "already exists" in text
            if not racing or attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover
