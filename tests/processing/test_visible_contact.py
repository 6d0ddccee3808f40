"""Issue 13: the shared check that the tactile camera saw the contact at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tactile.errors import NoContactError
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.runner import estimate_stored
from tactile.io import GraspReader, GraspWriter
from tactile.processing.contact import (
    MAX_CAMERA_NOISE_GREY,
    MIN_CONTACT_VISIBILITY,
    contact_visibility,
    require_visible_contact,
)
from tactile.types import ContactVisibility, Grasp, GraspFeatures, GraspMetadata

H, W = 48, 60


def _gel(rng: np.random.Generator, *, press: float = 0.0, noise: float = 1.0) -> np.ndarray:
    """A lit gel (uneven illumination) with camera noise and optionally a soft round press."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    base = 110.0 + 40.0 * x / W + 20.0 * y / H
    bump = press * np.exp(-((x - 30) ** 2 + (y - 24) ** 2) / (2 * 6.0**2))
    img = base[..., None] * np.array([1.0, 0.9, 0.8]) + bump[..., None]
    img = img + noise * rng.standard_normal(img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _pairs(rng: np.random.Generator, noise: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(_gel(rng, noise=noise), _gel(rng, noise=noise)) for _ in range(3)]


def test_a_faint_press_stands_out_of_the_noise_and_noise_alone_does_not() -> None:
    rng = np.random.default_rng(0)
    ref = _gel(rng)
    faint = contact_visibility(ref, _gel(rng, press=4.0), _pairs(rng))
    assert faint.score > 2 * MIN_CONTACT_VISIBILITY
    nothing = contact_visibility(ref, _gel(rng), _pairs(rng))
    assert nothing.score < 0.7 * MIN_CONTACT_VISIBILITY
    # the score is relative to the grasp's own noise: a noisier camera needs a stronger press
    loud = contact_visibility(_gel(rng, noise=6.0), _gel(rng, noise=6.0), _pairs(rng, 6.0))
    assert loud.score < MIN_CONTACT_VISIBILITY


def test_a_frozen_stream_changes_by_nothing() -> None:
    rng = np.random.default_rng(1)
    ref = _gel(rng)
    vis = contact_visibility(ref, ref.copy(), [(ref, ref.copy())])
    assert vis.change < 1e-3 and vis.noise < 1e-3 and vis.score < 0.01


def _features(vis: ContactVisibility | None) -> GraspFeatures:
    n = 10
    force = np.linspace(0.0, 12.0, n)
    return GraspFeatures(
        grasp_id="g",
        t_s=np.arange(n) / 30.0,
        force_n=force,
        width_mm=40.0 - np.linspace(0.0, 3.0, n),
        contact_area_mm2=np.full(n, 20.0),
        contact_index=1,
        peak_index=n - 1,
        reference_index=0,
        contact_visibility=vis,
    )


def test_refusal_names_the_force_and_the_reason() -> None:
    with pytest.raises(NoContactError, match=r"force rose to 12\.0 N .* beyond its noise") as e:
        require_visible_contact(_features(ContactVisibility(change=0.5, noise=0.45)))
    assert e.value.hint is not None and "right camera" in e.value.hint
    with pytest.raises(NoContactError, match="frozen"):
        require_visible_contact(_features(ContactVisibility(change=0.0, noise=0.0)))


def test_a_flat_face_may_show_no_change_but_never_a_frozen_stream() -> None:
    require_visible_contact(
        _features(ContactVisibility(change=0.5, noise=0.45)), flat_face_possible=True
    )
    with pytest.raises(NoContactError, match="frozen"):
        require_visible_contact(
            _features(ContactVisibility(change=0.0, noise=0.0)), flat_face_possible=True
        )


def test_a_garbled_stream_is_refused_even_where_a_flat_face_may_hide_the_contact() -> None:
    """Consecutive frames differing by tens of grey levels (random pixels, another camera's
    moving scene) whose change does not stand out of that noise are no gel image: refused
    whatever the object (before, under the blind protocol, such a grasp was answered with a
    flagged point)."""
    garbled = ContactVisibility(change=30.0, noise=MAX_CAMERA_NOISE_GREY + 1.0)
    for flat in (False, True):
        with pytest.raises(NoContactError, match="not a still gel's image") as e:
            require_visible_contact(_features(garbled), flat_face_possible=flat)
        assert e.value.hint is not None and "flickering" in e.value.hint
    # a loud but real camera below the limit is judged as before
    require_visible_contact(
        _features(ContactVisibility(change=60.0, noise=MAX_CAMERA_NOISE_GREY - 1.0))
    )
    # a contact that stands out of even a garbled stream's noise (score >= 3) is still seen:
    # the rule narrows only the flat-face exemption (review42: +-12 % flicker bands reach 20)
    loud = ContactVisibility(change=4.0 * (MAX_CAMERA_NOISE_GREY + 5.0), noise=25.0)
    for flat in (False, True):
        require_visible_contact(_features(loud), flat_face_possible=flat)


def test_a_dim_but_live_gel_is_not_garbled() -> None:
    """review42: ``noise`` is a relative change expressed at mid-grey, so a dim gel's camera
    noise of a grey level or two reads as tens; the garbled rule judges what consecutive frames
    really differ by (``noise_grey``), so a gel at ~10 % of the brightness is judged as before."""
    dim = ContactVisibility(change=0.5, noise=25.0, brightness=13.0)
    assert dim.noise_grey == pytest.approx(25.0 * 13.0 / 128.0)
    require_visible_contact(_features(dim), flat_face_possible=True)  # as before the rule
    with pytest.raises(NoContactError, match="beyond its noise"):  # judged on its score
        require_visible_contact(_features(dim))
    bright = ContactVisibility(change=0.5, noise=25.0, brightness=128.0)
    with pytest.raises(NoContactError, match="changes by 25 grey levels"):
        require_visible_contact(_features(bright), flat_face_possible=True)
    # measured on the images: the reference's median brightness is recorded
    rng = np.random.default_rng(4)
    ref = _gel(rng)
    vis = contact_visibility(ref, _gel(rng, press=4.0), _pairs(rng))
    assert vis.brightness == pytest.approx(float(np.median(ref)))
    dark = (ref * 0.1).astype(np.uint8)
    assert contact_visibility(dark, dark, [(dark, dark.copy())]).brightness < 0.15 * vis.brightness


def test_random_pixels_are_refused_by_the_blind_estimate(tmp_path: Path) -> None:
    """End to end, as `tactile evaluate` reads a new object (blind protocol: no shape, so a
    flat face over the pad is possible): a stream of random pixels is refused, not estimated."""
    n = 30
    rng = np.random.default_rng(3)
    ramp = np.arange(n, dtype=np.float64)
    grasp = Grasp(
        grasp_id="noise",
        frames=rng.integers(0, 256, (n, 96, 128, 3), dtype=np.uint8),
        t_s=ramp / 30.0,
        force_n=np.clip((ramp - 8.0) * 0.8, 0.0, None),
        width_mm=50.0 - np.clip((ramp - 6.0) * 0.4, 0.0, None),
        meta=GraspMetadata(object_id="o", source="test", calibration_id="sim-wedge-v1"),
    )
    path = tmp_path / "noise.h5"
    with GraspWriter(path) as writer:
        writer.append(grasp)
    with GraspReader(path) as reader, pytest.raises(NoContactError, match="not a still gel"):
        estimate_stored(reader, "noise", BlindEstimator(), protocol="blind")


def test_visible_or_unmeasured_contact_passes() -> None:
    require_visible_contact(_features(ContactVisibility(change=8.0, noise=0.5)))
    require_visible_contact(_features(None))
