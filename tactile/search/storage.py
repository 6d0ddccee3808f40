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
    if scheme:  # SQLAlchemy knows its dialects in lower case only (SQLITE:///x.db, review55)
        text = scheme + "://" + text.split("://", 1)[1]
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
    _check_rdb_url(text, scheme, base)
    if base in ("sqlite", "postgresql", "mysql"):
        try:
            return _rdb_storage(_with_driver(text, scheme), base)
        except ImportError as exc:  # Optuna's "Failed to import DB access module" included
            raise _driver_missing(text, scheme, base, exc) from exc
        except Exception as exc:  # sqlalchemy's OperationalError and friends
            first = str(exc).splitlines()[0]
            if base == "sqlite":  # a file, no server: the path or its permissions
                raise ConfigError(
                    f"cannot open the SQLite file of {text}: {first}",
                    hint="check that its folder exists and is writable (sqlite:///rel/x.db "
                    "is relative to the current folder, sqlite:////abs/x.db absolute)",
                ) from exc
            raise ConfigError(
                f"cannot open the Optuna storage {describe(text)}: {first}",
                hint="check that the database server runs and the URL (user, host, port, database)",
            ) from exc
    raise ConfigError(
        f"unknown storage URL {text!r}",
        hint="use memory, a study.log journal path, sqlite:///x.db or postgresql://user@host/db",
    )


def _check_rdb_url(text: str, scheme: str, base: str) -> None:
    """Refuse the database URLs that would fail with a misleading message (newuser42): a
    ``postgres://`` scheme (SQLAlchemy knows only ``postgresql://``), a SQLite URL without its
    three slashes, or a SQLite file in a folder that does not exist."""
    if base == "postgres":
        fixed = "postgresql" + text[len("postgres") :]
        raise ConfigError(
            f"storage URL {describe(text)}: the scheme is postgresql://, not postgres://",
            hint=f"write {describe(fixed)}"
            + (" (your password for ***)" if "***" in describe(fixed) else ""),
        )
    if base == "sqlite" or (not scheme and text.lower().startswith("sqlite:")):
        _check_sqlite_url(text)


def _check_sqlite_url(text: str) -> None:
    """A SQLite URL is ``sqlite[+driver]://`` and then nothing (in memory), or ``/`` and the
    file's path (``/:memory:``: in memory; ``//abs/x.db``: absolute), maybe with ``?options``."""
    rest = text.split("://", 1)[1] if "://" in text else ""
    if "://" not in text or (rest and not rest.startswith("/")):
        name = (rest or text.split(":", 1)[-1]).lstrip("/")
        raise ConfigError(
            f"SQLite URL {text!r} is malformed: a SQLite URL is sqlite:/// and the file's path",
            hint=f"write sqlite:///{name} (relative to the current folder) or "
            f"sqlite:////{name} (absolute)",
        )
    path = Path(rest[1:].split("?", 1)[0]) if rest else None
    if path is not None and str(path) not in (".", ":memory:") and not path.parent.is_dir():
        raise ConfigError(
            f"the folder {path.parent} of the SQLite file in {text} does not exist "
            "(SQLite is a file: there is no server)",
            hint=f"create it (mkdir -p {path.parent}) or correct the path; sqlite:///rel/x.db "
            "is relative to the current folder, sqlite:////abs/x.db absolute",
        )


def _with_driver(text: str, scheme: str) -> str:
    """A bare ``postgresql://`` with the driver that is installed: SQLAlchemy 2.1 takes it for
    psycopg (v3), ``tactile[postgres]`` installs psycopg2 (review55), so it becomes
    ``postgresql+psycopg2://`` when psycopg2 is importable and psycopg is not."""
    if scheme != "postgresql":
        return text
    from importlib.util import find_spec

    if find_spec("psycopg2") is not None and find_spec("psycopg") is None:
        return "postgresql+psycopg2://" + text.split("://", 1)[1]
    return text


def _driver_missing(text: str, scheme: str, base: str, exc: ImportError) -> ConfigError:
    """The database driver the URL needs is not installed: name it and how to get it."""
    if base == "postgresql" and exc.name in ("psycopg", "psycopg2", None):
        # a bare postgresql:// uses psycopg2 once installed; postgresql+psycopg:// needs v3
        hint = (
            "pip install psycopg (the driver your URL names), or write postgresql:// and "
            'pip install "tactile[postgres]"'
            if exc.name == "psycopg" and scheme != "postgresql"
            else 'pip install "tactile[postgres]" (psycopg2; tactile uses it for postgresql://)'
        )
    elif base == "mysql" and scheme == "mysql":  # SQLAlchemy's default MySQL driver: MySQLdb
        fixed = "mysql+pymysql" + text[len("mysql") :]
        hint = f"pip install pymysql and write {describe(fixed)} (or pip install mysqlclient)"
    else:
        driver = scheme.split("+", 1)[1] if "+" in scheme else scheme
        hint = f"pip install the {driver} driver, or use a journal file (study.log) on one machine"
    why = f" ({exc.name})" if exc.name else ""
    return ConfigError(f"the database driver for {describe(text)} is not installed{why}", hint=hint)


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
