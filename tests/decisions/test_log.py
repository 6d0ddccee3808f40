"""The sort's printed summary (``tactile.decisions.log``)."""

from __future__ import annotations

import numpy as np

from tactile.decisions import load_produce_profile
from tactile.decisions.decide import UNCERTAIN, Decision
from tactile.decisions.grasping import GraspRun
from tactile.decisions.log import summary_table
from tactile.decisions.sorter import REJECT, Attempt, ItemResult, SortRun
from tactile.decisions.tray import TrayItem
from tactile.types import Grasp, GraspMetadata


def _rejected(truth: str | None) -> ItemResult:
    g = Grasp(
        "g", np.zeros((3, 8, 8, 3), np.uint8), np.arange(3.0), np.ones(3), np.zeros(3),
        GraspMetadata("x"),
    )  # fmt: skip
    attempt = Attempt(
        GraspRun(g, "full_grasp", None), None, Decision(UNCERTAIN, None, (), "?"), None
    )
    return ItemResult(TrayItem("x", "tomato", truth_class=truth), (attempt,), REJECT, "uncertain")


def test_the_summary_says_no_truth_only_when_there_is_none() -> None:
    prof = load_produce_profile("tomato")
    with_truth = summary_table(SortRun(prof, [_rejected("ripe")]))
    assert "no truth" not in with_truth  # the truth is known, nothing confident to score
    assert "confident decisions right: none to score" in with_truth
    assert "confident decisions right: no truth" in summary_table(SortRun(prof, [_rejected(None)]))
