"""What is plugged into this machine: tactile sensors, serial ports, cameras, rig profiles.

``tactile find-devices`` prints :func:`find_devices`.
"""

from __future__ import annotations

from typing import Any

#: USB vendor ids of adapters commonly found on tactile rigs.
KNOWN_VENDORS = {
    0x0403: "FTDI (Robotiq USB-RS485 adapter?)",
    0x1A86: "CH340 (HX711 / Arduino-clone board?)",
    0x2341: "Arduino (load-cell board?)",
    0x10C4: "Silicon Labs CP210x (serial adapter)",
}


def serial_ports() -> list[dict[str, Any]]:
    from serial.tools import list_ports

    out = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        out.append(
            {
                "url": port.device,
                "description": port.description,
                "hwid": port.hwid,
                "likely": KNOWN_VENDORS.get(port.vid or -1, ""),
            }
        )
    return out


def cameras(max_index: int) -> list[dict[str, Any]]:
    import cv2

    if hasattr(cv2, "utils") and hasattr(cv2.utils, "logging"):
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    found = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if not cap.isOpened():
                continue
            ok, frame = cap.read()
            shape = list(frame.shape) if ok and frame is not None else None
            found.append({"url": f"opencv://{index}", "frame_shape": shape})
        finally:
            cap.release()
    return found


def tactile_sensors() -> list[dict[str, str]]:
    """GelSight Mini and DIGIT cameras under /dev/v4l/by-id, with the URL that opens each."""
    from tactile.hardware.camera_gelsight import SENSORS, find_sensors

    out = []
    for kind in SENSORS:
        for link in find_sensors(kind):
            out.append({"url": f"{kind}://{link.name}", "by_id": str(link), "kind": kind})
    return out


def find_devices(max_cameras: int = 4, probe_cameras: bool = True) -> dict[str, Any]:
    """Tactile sensors (by USB name), serial ports (grippers, force gauges), cameras (the first
    ``max_cameras`` OpenCV indices, opened and read once; none without ``probe_cameras``) and the
    hardware profiles, each with the URL or path that opens it."""
    from tactile.hardware.profiles import list_profiles

    return {
        "tactile_sensors": tactile_sensors(),
        "serial_ports": serial_ports(),
        "cameras": cameras(max_cameras) if probe_cameras else [],
        "profiles": {name: str(path) for name, path in list_profiles().items()},
    }
