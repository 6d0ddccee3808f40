"""The dispatcher: help, version, and one-line errors with the fix."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tactile.cli import main as cli
from tactile.errors import ConfigError


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_every_registered_command_has_help() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert "demo" in sub.choices
    for name, p in sub.choices.items():
        assert p.format_help(), name


def test_tactile_error_becomes_one_line_with_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(args: argparse.Namespace) -> int:
        raise ConfigError("bad thing", hint="do the right thing")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser.set_defaults(func=boom, command="demo")
    assert cli.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad thing" in err[0] and "fix: do the right thing" in err[0]

    with pytest.raises(ConfigError):
        cli.main(["--debug"])


@pytest.mark.parametrize("command", ["estimate", "evaluate"])
def test_the_estimator_help_names_every_built_in_estimator(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tactile.estimators import available_estimators

    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in available_estimators():
        assert name in text, name


def test_estimate_on_a_folder_with_no_grasps_fails_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser40: an empty folder (or one holding only sub-folders) printed "0 estimated, 0
    failed" and exited 0, as if every grasp had been estimated."""
    (tmp_path / "day1").mkdir()
    assert cli.main(["estimate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no grasps to estimate" in err and "sub-folder" in err


def test_estimate_on_an_empty_store_says_it_holds_no_grasps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review43: an existing .h5 with no grasp yet is not told to "pass a grasp file (.h5)"."""
    from tactile.io import GraspWriter

    GraspWriter(tmp_path / "day.h5").close()
    assert cli.main(["estimate", str(tmp_path / "day.h5")]) == 2
    assert "holds no grasps yet" in capsys.readouterr().err


def test_an_error_under_json_still_prints_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: `tactile import ... --json` printed nothing on stdout when it failed, so a
    script parsing its output had nothing to read; every --json command prints the error."""
    missing = tmp_path / "nowhere"
    assert cli.main(["import", str(missing), str(tmp_path / "out.h5"), "--json"]) == 2
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert payload["command"] == "import" and payload["exit_code"] == 2
    assert payload["error"] == f"{missing} does not exist"
    assert payload["hint"] and payload["notes"] == []
    assert "tactile import: error:" in err  # the line for people stays
    assert cli.main(["estimate", str(missing), "--json"]) == 2  # JSON Lines: one line
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "does not exist" in json.loads(lines[0])["error"]
    assert cli.main(["import", str(missing), str(tmp_path / "out.h5")]) == 2
    assert capsys.readouterr().out == ""  # text mode: stderr only, as before
