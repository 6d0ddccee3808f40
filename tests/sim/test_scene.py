"""Scene: the pad its contact curve is computed on."""

from __future__ import annotations

import numpy as np

from tactile.sensor import SIM_WEDGE
from tactile.sim import Optics, SimObject
from tactile.sim.scene import Scene

BOX = SimObject(shape="box", size_mm=(30.0, 30.0, 30.0), modulus_pa=1e6)


def _scene(size_hw: tuple[int, int], pad_mm: tuple[float, float] | None = None) -> Scene:
    return Scene(
        BOX,
        SIM_WEDGE,
        optics=Optics(),
        size_hw=size_hw,
        center_offset_mm=(0.0, 0.0),
        rng=np.random.default_rng(0),
        pad_mm=pad_mm,
    )


def test_a_small_frame_with_the_whole_pad_has_the_full_frames_mechanics() -> None:
    deltas = np.linspace(0.0, 2.0, 9)
    full = _scene((240, 320)).curve.at(deltas)["force_n"]  # 240x320 px is the whole 35x25.5 pad
    small = _scene((48, 64), pad_mm=(35.0, 25.5)).curve.at(deltas)["force_n"]
    np.testing.assert_allclose(small, full, rtol=1e-12)
    # by default a frame's extent is its pad: 48x64 px is 7.0 x 5.1 mm, a much softer flat contact
    default = _scene((48, 64)).curve.at(deltas)["force_n"]
    assert default[-1] < 0.2 * full[-1]
