"""Core types validate their inputs and never carry a bare float estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tactile.errors import InvalidGraspError, TactileError
from tactile.types import (
    Flag,
    Grasp,
    GraspFeatures,
    GraspMetadata,
    ModulusEstimate,
    bound_flag,
    clip,
    display_width,
    pad,
    with_bound_flag,
)


def _grasp(**overrides: object) -> Grasp:
    n = 4
    kwargs: dict[str, object] = dict(
        grasp_id="g0",
        frames=np.zeros((n, 8, 10, 3), np.uint8),
        t_s=np.arange(n) / 30.0,
        force_n=np.linspace(0, 5, n),
        width_mm=np.linspace(50, 45, n),
        meta=GraspMetadata(object_id="ball", label_modulus_pa=1e5),
    )
    kwargs.update(overrides)
    return Grasp(**kwargs)  # type: ignore[arg-type]


def test_valid_grasp_exposes_shape_and_duration() -> None:
    g = _grasp()
    assert g.n_frames == 4
    assert g.frame_shape == (8, 10)
    assert g.duration_s == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("frames", np.zeros((4, 8, 10), np.uint8), "expected (T, H, W, 3)"),
        ("frames", np.zeros((4, 8, 10, 3), np.float32), "uint8"),
        ("force_n", np.array([0.0, np.nan, 1.0, 2.0]), "non-finite"),
        ("width_mm", np.zeros(3), "shape (3,)"),
        ("t_s", np.array([0.0, 0.2, 0.1, 0.3]), "backwards"),
        ("reference_frame", np.zeros((8, 9, 3), np.uint8), "reference_frame"),
    ],
)
def test_bad_grasp_inputs_name_the_field(field: str, value: object, needle: str) -> None:
    with pytest.raises(InvalidGraspError) as info:
        _grasp(**{field: value})
    assert needle in str(info.value)
    assert info.value.hint  # every error says how to fix it


def test_single_frame_is_not_a_grasp() -> None:
    with pytest.raises(InvalidGraspError, match="at least 2"):
        _grasp(
            frames=np.zeros((1, 8, 10, 3), np.uint8),
            t_s=[0.0],
            force_n=[0.0],
            width_mm=[50.0],
        )


def test_metadata_rejects_bad_labels() -> None:
    with pytest.raises(InvalidGraspError):
        GraspMetadata(object_id="x", label_modulus_pa=-3.0)
    with pytest.raises(InvalidGraspError):
        GraspMetadata(object_id="")


def test_estimate_refuses_zero_and_nan() -> None:
    for bad in (0.0, float("nan"), -1.0):
        with pytest.raises(TactileError):
            ModulusEstimate(bad, (1.0, 2.0), (0.5, 3.0), "hertz")


def test_lower_bound_estimate_serialises_open_interval() -> None:
    est = ModulusEstimate(
        5e6,
        (5e6, math.inf),
        (2e6, math.inf),
        "hertz",
        flags=frozenset({Flag.STIFFER_THAN_GEL}),
        lower_bound_only=True,
    )
    d = est.to_dict()
    assert d["interval_68_pa"] == [5e6, None]
    assert d["flags"] == ["stiffer_than_gel"]
    assert est.contains(1e11)
    assert not est.contains(1e6)


def test_features_closure_and_radius() -> None:
    f = GraspFeatures(
        grasp_id="g",
        t_s=np.arange(3.0),
        force_n=np.array([0.0, 1.0, 2.0]),
        width_mm=np.array([50.0, 49.0, 47.0]),
        contact_area_mm2=np.array([0.0, np.pi, 4 * np.pi]),
        contact_index=1,
        peak_index=2,
        reference_index=0,
    )
    np.testing.assert_allclose(f.closure_mm, [-1.0, 0.0, 2.0])
    np.testing.assert_allclose(f.contact_radius_mm, [0.0, 1.0, 2.0])
    assert f.loading == slice(1, 3)


def test_estimate_prints_as_one_readable_line() -> None:
    est = ModulusEstimate(5.04e4, (4.32e4, 5.83e4), (3.7e4, 6.7e4), "hertz")
    assert str(est) == "50.4 kPa (68 %: 43.2 kPa – 58.3 kPa) [hertz]"
    bound = ModulusEstimate(
        4.49e6,
        (7.2e6, math.inf),
        (4.49e6, math.inf),
        "auto",
        flags=frozenset({Flag.STIFFER_THAN_GEL}),
        lower_bound_only=True,
    )
    assert str(bound) == "> 4.49 MPa (95 % lower bound, stiffer_than_gel) [auto]"


def test_a_bound_is_flagged_stiffer_than_the_gel_only_where_it_proves_it() -> None:
    gel_pa = 5.5e4
    assert bound_flag(6e4, gel_pa) is Flag.STIFFER_THAN_GEL
    assert bound_flag(gel_pa, gel_pa) is Flag.STIFFER_THAN_GEL
    assert bound_flag(5.9e3, gel_pa) is Flag.UNRESOLVED  # a squashed foam fits the record
    assert bound_flag(1e9, None) is Flag.UNRESOLVED  # no gel to compare with
    stale = ModulusEstimate(
        5.9e3,
        (5.9e3, math.inf),
        (5.9e3, math.inf),
        "blind",
        flags=frozenset({Flag.STIFFER_THAN_GEL, Flag.SHAPE_ASSUMED}),
        lower_bound_only=True,
    )
    fixed = with_bound_flag(stale, gel_pa)
    assert fixed.flags == {Flag.UNRESOLVED, Flag.SHAPE_ASSUMED}
    assert fixed.modulus_pa == stale.modulus_pa and fixed.interval_95_pa == stale.interval_95_pa
    assert with_bound_flag(fixed, 1e3).flags == {Flag.STIFFER_THAN_GEL, Flag.SHAPE_ASSUMED}
    two_sided = ModulusEstimate(3e4, (2e4, 4e4), (1e4, 9e4), "blind")
    assert with_bound_flag(two_sided, gel_pa) is two_sided


def test_table_cells_pad_by_terminal_columns() -> None:
    """newuser41: tables padded CJK object names by characters (2 columns each on a terminal),
    so their rows' later columns stood right of the others'."""
    assert display_width("ball") == 4 and display_width("苹果") == 4
    assert display_width("ｂａｌｌ") == 8 and display_width("A\u0308pfel") == 5  # F; a mark: 0
    assert (
        pad("苹果", 6) == "苹果  " and pad("ball", 6) == "ball  " and pad("toolong", 3) == "toolong"
    )
    assert clip("苹果苹果", 5) == "苹果" and clip("ball", 3) == "bal" and clip("苹", 2) == "苹"
