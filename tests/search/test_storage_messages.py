"""Storage URLs that fail name the real problem and a working fix (newuser42): no "check that
the server runs" for SQLite, postgres:// corrected to postgresql://, a missing MySQL driver
named with the URL that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactile.errors import ConfigError
from tactile.search.storage import storage_from_url


def _error(url: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        storage_from_url(url)
    return err.value


@pytest.mark.parametrize("url", ["sqlite:/x.db", "sqlite://x.db", "sqlite:x.db"])
def test_a_sqlite_url_without_three_slashes_is_named_malformed(url: str) -> None:
    err = _error(url)
    assert "is malformed" in err.message and "server" not in str(err)
    assert err.hint is not None and "sqlite:///x.db" in err.hint and "sqlite:////x.db" in err.hint


def test_a_sqlite_file_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    err = _error(f"sqlite:///{folder}/study.db")
    assert f"the folder {folder}" in err.message and "does not exist" in err.message
    assert "server runs" not in str(err) and err.hint is not None and "mkdir -p" in err.hint
    assert not folder.exists()
    assert storage_from_url(f"sqlite:///{tmp_path}/study.db") is not None  # the fix works


def test_postgres_scheme_is_corrected_and_the_password_kept_out() -> None:
    err = _error("postgres://me:secret@dbhost/studies")
    assert "postgresql://" in err.message and "secret" not in str(err)
    assert err.hint is not None and err.hint.startswith("write postgresql://me:***@dbhost/studies")


def test_mysql_without_its_driver_names_the_driver_and_the_url_that_works() -> None:
    pytest.importorskip("sqlalchemy")
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - the default driver is installed here
        pytest.skip("MySQLdb is installed")
    err = _error("mysql://me@dbhost/studies")
    assert "driver" in err.message and "not installed" in err.message
    assert err.hint is not None and "mysql+pymysql://me@dbhost/studies" in err.hint
    assert "Failed to import" not in str(err) and "server runs" not in str(err)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+pysqlite:///y.db",
        "sqlite://",
        "sqlite:///:memory:",
        "SQLITE:///z.db",
        "sqlite:///w.db?timeout=10",
        "sqlite:////{d}/abs.db",
    ],
)
def test_valid_sqlite_urls_are_accepted(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review55: a driver in the scheme, the in-memory forms and an upper-case scheme were
    refused (the path was sliced at len('sqlite:///'), 'sqlite://' called malformed)."""
    pytest.importorskip("sqlalchemy")
    monkeypatch.chdir(tmp_path)
    assert storage_from_url(url.format(d=str(tmp_path).lstrip("/"))) is not None


def test_a_bare_postgresql_url_uses_the_installed_psycopg2(monkeypatch: pytest.MonkeyPatch) -> None:
    """review55: SQLAlchemy 2.1 reads postgresql:// as psycopg (v3); tactile[postgres] installs
    psycopg2, so the documented postgresql://user@host/db failed with a missing driver."""
    import importlib.util

    import tactile.search.storage as storage

    seen: list[str] = []
    monkeypatch.setattr(storage, "_rdb_storage", lambda url, base: seen.append(url) or url)
    real = importlib.util.find_spec
    installed = {"psycopg2": True, "psycopg": False}
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: (
            (object() if installed[name] else None) if name in installed else real(name, *a)
        ),
    )
    storage_from_url("postgresql://me@dbhost/studies")
    storage_from_url("postgresql+psycopg://me@dbhost/studies")  # a driver named: kept
    installed["psycopg"] = True  # both: SQLAlchemy's own choice
    storage_from_url("postgresql://me@dbhost/studies")
    assert seen == [
        "postgresql+psycopg2://me@dbhost/studies",
        "postgresql+psycopg://me@dbhost/studies",
        "postgresql://me@dbhost/studies",
    ]
