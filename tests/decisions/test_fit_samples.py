"""``tactile sort fit`` reads its samples from full squeezes only."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tactile.decisions.fit import read_samples
from tactile.decisions.profiles import ProfileError

FIELDS = ("item_id", "truth_class", "quantity", "value", "stop_reason")


def _log(path: Path, rows: list[tuple[str, str, float, str]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for item, label, value, reason in rows:
            w.writerow(
                {"item_id": item, "truth_class": label, "quantity": "log10_modulus_pa",
                 "value": value, "stop_reason": reason}
            )  # fmt: skip
    return path


def test_full_squeezes_are_read(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "items.csv",
        [("t1", "ripe", 5.6, "full_grasp"), ("t2", "unripe", 6.3, "safe_force")],
    )
    samples = read_samples(path, "log10_modulus_pa")
    assert [(s.label, s.value) for s in samples] == [("ripe", 5.6), ("unripe", 6.3)]


@pytest.mark.parametrize("reason", ["confident", "futile"])
def test_labelled_squeezes_stopped_early_are_refused_with_the_fix(
    tmp_path: Path, reason: str
) -> None:
    # a skinned fruit's estimate rises with the force: values read at a few newtons would
    # move every fitted threshold away from the full squeezes it is compared against
    path = _log(
        tmp_path / "items.csv",
        [("t1", "ripe", 5.6, "full_grasp"), ("t2", "unripe", 6.1, reason)],
    )
    with pytest.raises(ProfileError) as err:
        read_samples(path, "log10_modulus_pa")
    assert "t2" in str(err.value) and "stopped early" in str(err.value)
    assert "without --stop-when-confident" in (err.value.hint or "")


def test_an_unlabelled_stopped_row_is_not_a_sample_and_not_refused(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "items.csv",
        [("t1", "ripe", 5.6, "full_grasp"), ("t2", "", 6.1, "confident")],
    )
    assert [s.label for s in read_samples(path, "log10_modulus_pa")] == ["ripe"]
