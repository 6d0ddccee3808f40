"""Devices behind small interfaces, chosen by URL: grippers, tactile cameras, force sensors."""

from tactile.hardware.base import (
    Device,
    ForceSample,
    ForceSensor,
    FrameSample,
    Gripper,
    GripperState,
    ObjectStatus,
    TactileSensor,
)
from tactile.hardware.registry import (
    DeviceUrl,
    known_schemes,
    open_force_sensor,
    open_gripper,
    open_tactile_sensor,
    parse_device_url,
    register_backend,
)

__all__ = [
    "Device",
    "DeviceUrl",
    "ForceSample",
    "ForceSensor",
    "FrameSample",
    "Gripper",
    "GripperState",
    "ObjectStatus",
    "TactileSensor",
    "known_schemes",
    "open_force_sensor",
    "open_gripper",
    "open_tactile_sensor",
    "parse_device_url",
    "register_backend",
]
