"""Sensor calibration: pixel scale, pad geometry, depth model, gel mechanics.

The fitting functions live in submodules that need the processing stage (imported on first use):
``tactile.calibration.geometry`` (:func:`calibrate_geometry`), ``.depth_fit``
(:func:`calibrate_depth`, :func:`fit_depth`), ``.gel_fit`` (:func:`calibrate_gel`) and
``.sim_fit`` (:func:`calibrate_sim_depth`).
"""

from tactile.calibration.sensor import (
    BUILTIN_CALIBRATIONS,
    CALIBRATION_DIR,
    SIM_WEDGE,
    WEDGE_REFERENCE,
    WEDGE_REFERENCE_V2,
    WEDGE_REFERENCE_V3,
    SensorCalibration,
    get_calibration,
)

__all__ = [
    "BUILTIN_CALIBRATIONS",
    "CALIBRATION_DIR",
    "SIM_WEDGE",
    "WEDGE_REFERENCE",
    "WEDGE_REFERENCE_V2",
    "WEDGE_REFERENCE_V3",
    "SensorCalibration",
    "get_calibration",
]
