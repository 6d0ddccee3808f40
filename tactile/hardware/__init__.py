"""Devices behind small interfaces, chosen by URL: grippers, tactile cameras, force sensors."""

from tactile.hardware.base import (
    Device,
    DropDetector,
    EndOfStreamError,
    ForceSample,
    ForceSensor,
    FrameSample,
    Gripper,
    GripperState,
    ObjectStatus,
    TactileSensor,
)
from tactile.hardware.profiles import HardwareProfile, list_profiles, load_profile
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
    "DropDetector",
    "EndOfStreamError",
    "ForceSample",
    "ForceSensor",
    "FrameSample",
    "Gripper",
    "GripperState",
    "HardwareProfile",
    "ObjectStatus",
    "TactileSensor",
    "known_schemes",
    "list_profiles",
    "load_profile",
    "open_force_sensor",
    "open_gripper",
    "open_tactile_sensor",
    "parse_device_url",
    "register_backend",
]
