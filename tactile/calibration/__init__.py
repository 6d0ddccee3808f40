"""Sensor calibration: pixel scale, pad geometry, gel mechanics."""

from tactile.calibration.sensor import (
    BUILTIN_CALIBRATIONS,
    SIM_WEDGE,
    WEDGE_REFERENCE,
    SensorCalibration,
    get_calibration,
)

__all__ = [
    "BUILTIN_CALIBRATIONS",
    "SIM_WEDGE",
    "WEDGE_REFERENCE",
    "SensorCalibration",
    "get_calibration",
]
