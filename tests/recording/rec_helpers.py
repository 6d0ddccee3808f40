"""Helpers for the recording tests: fast grasp settings and simulated rig URLs."""

from __future__ import annotations

from tactile.recording import RecorderConfig

#: A fast grasp for tests: full speed, short pre-roll / hold / release.
FAST = RecorderConfig(
    max_force_n=30.0,
    target_force_n=10.0,
    close_speed=1.0,
    pre_s=0.03,
    hold_s=0.05,
    release_s=0.5,
    max_closing_s=10.0,
)


def rig(name: str, extra: str = "", **obj: float) -> dict[str, str]:
    """Device URLs of one simulated rig: emulated Robotiq, sim camera (48x64), sim gauge."""
    # the world's clock advances at most 20 ms per interaction: a host stalled by a busy machine
    # finds the fingers where it left them (+20 ms of motion), so force checks are load-proof
    params = {"radius_mm": 25.0, "modulus_pa": 2e5, "max_step_s": 0.02, **obj}
    q = f"rig={name}&" + "&".join(f"{k}={v}" for k, v in params.items())
    return {
        # calibrated, as after `tactile calibrate gripper` (the emulated unit reads 3..230)
        "gripper": f"robotiq-sim://?{q}&activation_s=0&timeout_s=0.1&open_pos=3&closed_pos=230",
        "tactile": f"sim://?{q}&fps=60&height_px=48&width_px=64&timeout_s=0.2",
        "force": f"sim://?{q}&rate_hz=200&timeout_s=0.2",
    }
