"""``tactile find-devices``: serial ports, cameras and hardware profiles on this machine."""

from __future__ import annotations

import argparse
from typing import Any

from tactile.cli._common import add_json_flag, print_json

#: USB vendor ids of adapters commonly found on tactile rigs.
KNOWN_VENDORS = {
    0x0403: "FTDI (Robotiq USB-RS485 adapter?)",
    0x1A86: "CH340 (HX711 / Arduino-clone board?)",
    0x2341: "Arduino (load-cell board?)",
    0x10C4: "Silicon Labs CP210x (serial adapter)",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "find-devices",
        help="list serial ports, cameras and hardware profiles",
        description="List serial ports (grippers, force gauges), cameras, and hardware profiles.",
    )
    p.add_argument("--max-cameras", type=int, default=4, help="camera indices to probe (4)")
    p.add_argument("--no-cameras", action="store_true", help="do not probe cameras")
    add_json_flag(p)
    p.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    from tactile.hardware.profiles import list_profiles

    result: dict[str, Any] = {
        "tactile_sensors": tactile_sensors(),
        "serial_ports": serial_ports(),
        "cameras": [] if args.no_cameras else cameras(args.max_cameras),
        "profiles": {name: str(path) for name, path in list_profiles().items()},
    }
    if args.json:
        print_json(result)
        return 0
    print("tactile sensors (by USB name):")
    for t in result["tactile_sensors"] or [{"url": "none found"}]:
        print(f"  {t['url']}")
    print("serial ports (grippers, force gauges):")
    for p in result["serial_ports"] or [{"url": "none found", "description": "", "likely": ""}]:
        print(f"  {p['url']:<20} {p['description']}  {p['likely']}".rstrip())
    if not args.no_cameras:
        print("cameras:")
        for c in result["cameras"] or [{"url": "none found", "frame_shape": None}]:
            shape = "x".join(map(str, c["frame_shape"][:2])) if c["frame_shape"] else ""
            print(f"  {c['url']:<20} {shape}".rstrip())
    print("hardware profiles (tactile collect --profile NAME):")
    for name, path in result["profiles"].items():
        print(f"  {name:<20} {path}")
    return 0
