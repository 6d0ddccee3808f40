"""The shared simulated world: its force curve is the whole pad's; an object must fit."""

from __future__ import annotations

import numpy as np
import pytest

from tactile.errors import ConfigError
from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
from tactile.hardware.sim_world import SimRigs, SimWorld
from tactile.recording import Recorder, RecorderConfig
from tactile.sensor import SIM_WEDGE
from tactile.sim import GelModel, SimObject, contact_curve
from tactile.types import GraspMetadata

CUBE = "shape=box&size_mm=30,30,30&modulus_pa=1e6"


def _urls(obj: str, rig: str = "w") -> dict[str, str]:
    q = f"rig={rig}&{obj}&max_step_s=0.02"
    return {
        "gripper": f"robotiq-sim://?{q}&activation_s=0&timeout_s=0.1&open_pos=3&closed_pos=230",
        "tactile": f"sim://?{q}&fps=30&height_px=48&width_px=64&timeout_s=0.5",
        "force": f"sim://?{q}&rate_hz=200&timeout_s=0.2",
    }


def test_a_live_1_mpa_cube_closes_a_few_mm_at_15_n() -> None:
    """Textbook / full-pad model: ~3.6 mm; the frame-sized (7 x 5.1 mm) pad closed ~17.6 mm."""
    urls, rigs = _urls(CUBE), SimRigs()
    config = RecorderConfig(
        max_force_n=40.0, target_force_n=15.0, close_speed=0.3, pre_s=0.03, hold_s=0.05,
        release_s=0.5, max_closing_s=10.0,
    )  # fmt: skip
    with (
        open_gripper(urls["gripper"], rigs=rigs) as g,
        open_tactile_sensor(urls["tactile"], rigs=rigs) as c,
        open_force_sensor(urls["force"], rigs=rigs) as f,
    ):
        g.activate()
        grasp = Recorder(g, c, f, config).record("g0", GraspMetadata(object_id="cube"))
    i = int(np.argmax(grasp.force_n))
    assert 14.0 < grasp.force_n[i] < 18.0
    assert 3.0 < 30.0 - grasp.width_mm[i] < 4.5


def test_the_force_is_the_whole_pads_whatever_the_frame_size() -> None:
    box = SimObject(shape="box", size_mm=(30.0, 30.0, 30.0), modulus_pa=1e6)
    world = SimWorld(box, SIM_WEDGE)
    curve = contact_curve(box, GelModel.from_calibration(SIM_WEDGE), pad_x_mm=35.0, pad_y_mm=25.5)
    widths = np.array([29.0, 28.0, 27.0])
    forces = np.array([world.contact_force_n(w) for w in widths])
    np.testing.assert_allclose(forces, curve.at((30.0 - widths) / 2)["force_n"], rtol=1e-12)
    for size_hw in [(48, 64), (120, 160), (240, 320)]:  # every camera shows the same mechanics
        scene_f = world.scene(size_hw).curve.at((30.0 - widths) / 2)["force_n"]
        np.testing.assert_allclose(scene_f, forces, rtol=1e-12)


def test_a_sphere_is_pressed_as_before() -> None:
    ball = SimObject(radius_mm=25.0, modulus_pa=2e5)
    world = SimWorld(ball, SIM_WEDGE)
    point = contact_curve(ball, GelModel.from_calibration(SIM_WEDGE), pad_x_mm=7.0, pad_y_mm=5.1)
    for width in (49.0, 47.0, 45.0):  # a point contact does not depend on the pad
        assert world.contact_force_n(width) == pytest.approx(
            float(point.at((50.0 - width) / 2)["force_n"]), rel=1e-12
        )


@pytest.mark.parametrize(
    "url", ["robotiq-sim://?radius_mm=60&modulus_pa=3e4&activation_s=0", "sim://?radius_mm=60"]
)
def test_an_object_wider_than_the_open_fingers_is_refused(url: str) -> None:
    """A 120 mm ball in an 85 mm gripper was squeezed (27 N) before the grasp: a false bound."""
    fit = r"does not fit between the open fingers \(85 mm\)"
    with pytest.raises(ConfigError, match=fit), open_gripper(url, rigs=SimRigs()):
        pass


def test_a_wider_gripper_takes_a_larger_object() -> None:
    rigs = SimRigs()
    with open_gripper("robotiq-sim://?rig=a&model=2f140&radius_mm=60&activation_s=0", rigs=rigs):
        world = rigs.get("a")
        assert world is not None and world.open_width_mm == 140.0
        assert world.contact_force_n(140.0) == 0.0


def test_a_world_refuses_an_object_that_does_not_fit_and_keeps_the_old_one() -> None:
    with pytest.raises(ConfigError, match="does not fit"):
        SimWorld(SimObject(radius_mm=60.0), SIM_WEDGE)
    small = SimObject(radius_mm=20.0)
    world = SimWorld(small, SIM_WEDGE)
    with pytest.raises(ConfigError, match=r"120 mm along the squeeze"):
        world.set_object(SimObject(radius_mm=60.0))
    assert world.obj is small and world.contact_force_n(39.0) > 0
    world.set_object(SimObject(shape="box", size_mm=(40.0, 40.0, 84.0), modulus_pa=2e11))
    assert world.obj.size_z_mm == 84.0
