"""``tactile find-devices``: serial ports, cameras and hardware profiles on this machine.

A thin wrapper over :func:`tactile.hardware.discovery.find_devices`.
"""

from __future__ import annotations

import argparse
from typing import Any

from tactile.cli._common import add_json_flag, print_json


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


def run(args: argparse.Namespace) -> int:
    from tactile.hardware.discovery import find_devices

    result = find_devices(max_cameras=args.max_cameras, probe_cameras=not args.no_cameras)
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
