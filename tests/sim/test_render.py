"""Height maps and images: stiff-limit cap, symmetry, visibility of the contact."""

from __future__ import annotations

import numpy as np
import pytest
from sim_helpers import SMALL_CAL, SMALL_HW

from tactile.sim import Optics, SimObject
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.heightmap import PadGrid, gel_depth_map
from tactile.sim.render import Shader, background_image, marker_mask


def _depth(obj: SimObject, delta_mm: float, offset=(0.0, 0.0)):  # type: ignore[no-untyped-def]
    grid = PadGrid.for_calibration(SMALL_CAL, SMALL_HW, center_offset_mm=offset)
    curve = contact_curve(obj, GelModel.from_calibration(SMALL_CAL), pad_x_mm=35, pad_y_mm=25.5)
    state = {k: float(v) for k, v in curve.at(delta_mm).items()}
    depth, mask = gel_depth_map(grid, curve.kind, state, (curve.radius_x_mm, curve.radius_y_mm))
    return grid, depth, mask


def test_stiff_sphere_imprint_is_a_spherical_cap_of_its_radius() -> None:
    radius, delta = 12.0, 1.5
    grid, depth, mask = _depth(SimObject(radius_mm=radius, modulus_pa=2e11), delta)
    r2 = grid.x_mm**2 + grid.y_mm**2
    cap = delta - r2 / (2 * radius)
    np.testing.assert_allclose(depth[mask], cap[mask], atol=2e-3)
    area = mask.sum() * grid.mm_per_px_x * grid.mm_per_px_y
    assert area == pytest.approx(np.pi * radius * delta, rel=0.05)  # a^2 = R delta
    assert depth.max() == pytest.approx(delta, abs=0.01)
    assert np.all(depth[~mask] < cap.max())  # the tail outside stays below the cap


def test_centred_imprint_is_mirror_symmetric_and_offsets_mirror() -> None:
    obj = SimObject(shape="ellipsoid", size_mm=(20.0, 12.0, 10.0), modulus_pa=5e5)
    _, depth, _ = _depth(obj, 1.0)
    np.testing.assert_allclose(depth, depth[:, ::-1], atol=1e-5)
    np.testing.assert_allclose(depth, depth[::-1, :], atol=1e-5)
    _, right, _ = _depth(obj, 1.0, offset=(3.0, 0.0))
    _, left, _ = _depth(obj, 1.0, offset=(-3.0, 0.0))
    np.testing.assert_allclose(right, left[:, ::-1], atol=1e-5)


def test_flat_gel_renders_as_the_background() -> None:
    shader = Shader(Optics(), SMALL_HW, (SMALL_CAL.mm_per_px_x, SMALL_CAL.mm_per_px_y))
    flat = shader.render(np.zeros(SMALL_HW, np.float32))
    np.testing.assert_allclose(flat, background_image(Optics(), SMALL_HW), atol=1e-4)


def test_slope_towards_a_light_brightens_its_colour() -> None:
    shader = Shader(Optics(blur_sigma_px=0), SMALL_HW, (1.0, 1.0))
    # the gel pushed towards the camera more and more towards the bottom of the image: the
    # surface normal tilts up, towards the top (blue) light, and away from the bottom (red) one
    ramp = np.tile(np.linspace(0, 30, SMALL_HW[0], dtype=np.float32)[:, None], (1, SMALL_HW[1]))
    ratio = shader.ratio(ramp)  # slope 0.25
    b, _g, r = ratio[60, 80]
    assert b > 1.02 and r < 0.99


@pytest.mark.parametrize("optics", [Optics(), Optics(background="procedural")])
def test_background_is_smooth_and_in_range(optics: Optics) -> None:
    bg = background_image(optics, SMALL_HW)
    assert bg.shape == (*SMALL_HW, 3)
    assert 40 < bg.mean() < 220
    assert np.abs(np.diff(bg, axis=1)).max() < 15  # no seams


def test_markers_cover_the_expected_share_of_the_pad() -> None:
    optics = Optics(marker_pitch_mm=1.6, marker_radius_mm=0.25, marker_darkness=1.0)
    mask = marker_mask(optics, (240, 320), (35 / 320, 25.5 / 240))
    dark = 1.0 - float(mask.mean())
    assert dark == pytest.approx(np.pi * 0.25**2 / 1.6**2, rel=0.15)
    assert marker_mask(Optics(), (24, 32), (1.0, 1.0)).min() == 1.0


def test_mini_profile_renders_a_contact_in_its_own_colours() -> None:
    shader = Shader(Optics.mini(), SMALL_HW, (SMALL_CAL.mm_per_px_x, SMALL_CAL.mm_per_px_y))
    _, depth, _ = _depth(SimObject(radius_mm=10.0, modulus_pa=2e11), 1.0)
    frame = shader.render(depth)
    change = np.abs(frame - shader.background).max(axis=-1)
    assert change.max() > 20
    assert np.allclose(frame[0, 0], shader.background[0, 0], atol=0.5)  # far corner ~untouched


def test_soft_sphere_at_large_strain_presses_a_flatter_imprint() -> None:
    soft = SimObject(radius_mm=25.0, modulus_pa=3e4)
    grid, depth, mask = _depth(soft, 8.0)  # a/R ~ 0.57: a conforming contact
    centre = depth[mask].max()
    a_mm = np.sqrt(mask.sum() * grid.mm_per_px_x * grid.mm_per_px_y / np.pi)
    half = np.abs(np.hypot(grid.x_mm, grid.y_mm) - a_mm / 2) < 0.3
    hertz_ratio = 1 - 1 / 8  # u(a/2)/u(0) for Hertz, since delta = a^2 / R
    assert depth[half].mean() / centre > hertz_ratio + 0.03


def test_load_shifts_the_illumination_like_the_real_pad() -> None:
    mm_px = (SMALL_CAL.mm_per_px_x, SMALL_CAL.mm_per_px_y)
    still = Shader(Optics(), SMALL_HW, mm_px)
    assert still.shifted_background(25.0) is still.background
    moving = Shader(Optics(background_shift_mm_per_n=(-0.0036, 0.0)), SMALL_HW, mm_px)
    shifted = moving.shifted_background(25.0)
    dx_px = -0.0036 * 25.0 / mm_px[0]
    # first order: moving the pattern by dx changes each pixel by -dx * d(background)/dx
    grad_x = np.gradient(moving.background, axis=1)
    inner = (slice(5, -5), slice(5, -5))
    expected = -dx_px * grad_x[inner]
    np.testing.assert_allclose((shifted - moving.background)[inner], expected, atol=0.3)
    assert np.abs(shifted - moving.background).max() > 1.0  # edges of the glow show up


def test_dimples_form_a_hexagonal_lattice_of_the_given_depth() -> None:
    from tactile.sim.heightmap import dimple_field

    rng = np.random.default_rng(0)
    field = dimple_field(rng, (240, 320), (0.05, 0.05), pitch_mm=2.0, depth_mm=0.25)
    assert field.min() == pytest.approx(-0.25, abs=0.01) and field.max() == 0.0
    # dimples of radius 0.42 pitch on a hexagonal lattice cover pi 0.42^2 / (sqrt(3)/2)
    assert (field < 0).mean() == pytest.approx(np.pi * 0.42**2 / (np.sqrt(3) / 2), abs=0.03)
    assert not dimple_field(rng, (24, 32), (0.1, 0.1), pitch_mm=0.0, depth_mm=0.2).any()


def test_dimpled_ball_prints_its_dimples_into_the_gel() -> None:
    from tactile.sim import SimGraspConfig, simulate_grasp_truth

    golf = SimObject(radius_mm=21.0, modulus_pa=8e8, dimple_pitch_mm=4.4, dimple_depth_mm=0.25)
    smooth = SimObject(radius_mm=21.0, modulus_pa=8e8)
    cfg = SimGraspConfig.clean(calibration=SMALL_CAL, size_hw=SMALL_HW)
    _, dimpled = simulate_grasp_truth(golf, cfg, seed=0, keep_depth_maps=True)
    _, plain = simulate_grasp_truth(smooth, cfg, seed=0, keep_depth_maps=True)
    assert dimpled.depth_maps is not None and plain.depth_maps is not None
    k = plain.peak_index
    mask = plain.contact_masks[k]
    lowered = plain.depth_maps[k][mask] - dimpled.depth_maps[k][mask]
    assert lowered.max() > 0.2 and (lowered > 0.05).mean() > 0.3  # dimples hold the gel back
    assert np.all(dimpled.depth_maps >= 0)  # ... but never pull it out of its rest surface
