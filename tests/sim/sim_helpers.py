"""Small, fast simulator settings shared by the simulator tests."""

from __future__ import annotations

from dataclasses import replace

from tactile.sensor import SIM_WEDGE, SensorCalibration

#: The sim Wedge pad at a quarter of the pixels (120x160 frames, same 35 x 25.5 mm pad).
SMALL_CAL: SensorCalibration = replace(
    SIM_WEDGE, mm_per_px_x=SIM_WEDGE.mm_per_px_x * 2, mm_per_px_y=SIM_WEDGE.mm_per_px_y * 2
)
SMALL_HW = (120, 160)
