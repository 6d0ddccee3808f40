"""``tactile simulate``: write a synthetic grasp dataset (N objects x K grasps) with a card.

A thin wrapper over :func:`tactile.recording.synthetic.generate_dataset` (its settings from
:func:`tactile.recording.synthetic.dataset_configs`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from tactile.cli._common import (
    add_frames_flag,
    add_json_flag,
    add_output_flags,
    add_progress_flags,
    non_negative_int,
    print_json,
    show_progress,
)
from tactile.errors import ConfigError


def _size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not HEIGHTxWIDTH, e.g. 240x320") from exc
    return h, w


#: tactile.sim.PRESETS, stated here so that parsing does not import the simulator (a test
#: checks that the two agree).
PRESETS: tuple[str, ...] = ("realistic", "thin-layer", "ideal", "clean")


def _preset_list(text: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in text.split(",") if v.strip())
    unknown = [v for v in names if v not in PRESETS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use a comma-separated list of {', '.join(PRESETS)}"
        )
    return names


def register(sub: Any) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a labelled grasp dataset (objects x grasps) into a grasp file",
        description=(
            "Simulate N objects x K grasps with the physics simulator (tactile.sim) and write "
            "them through the crash-safe grasp store, with a dataset card (OUT.card.md / "
            "OUT.card.json). Deterministic for a seed, whatever the number of workers."
        ),
    )
    p.add_argument("out", type=Path, help="output: FILE.h5 or a directory")
    p.add_argument("--objects", type=int, default=10, help="number of objects (default 10)")
    p.add_argument("--grasps", type=int, default=3, help="grasps per object (default 3)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--population",
        choices=("reference", "loguniform", "independent"),
        default="reference",
        help="object population: like the Burgess et al. label table, log-uniform E with the "
        "material following E, or log-uniform E with the material family drawn independently "
        "(foams, gels, rubbers, plastics, hard; dimpled and ridged surfaces)",
    )
    p.add_argument(
        "--e-range-pa",
        type=float,
        nargs=2,
        metavar=("LO", "HI"),
        default=None,
        help="draw E log-uniformly between LO and HI Pa (independent and loguniform "
        "populations; default 5e3 2.5e11), e.g. 3.16e3 3.16e5 for a set below the rigs' "
        "resolvable limit",
    )
    p.add_argument(
        "--workers",
        type=non_negative_int,
        default=0,
        help="parallel processes (default 0: all CPU cores)",
    )
    p.add_argument("--size", type=_size, default=(240, 320), help="frame HEIGHTxWIDTH")
    p.add_argument(
        "--physics",
        "--preset",
        dest="physics",
        choices=(*PRESETS, "mix"),
        default="realistic",
        help="realistic: force glitches, dropped frames, off-centre contacts (default); "
        "thin-layer: realistic plus a thin, stiffening gel; ideal: mild noise, centred; "
        "clean: no noise at all; mix: object i's grasp k uses preset (i + k) mod n of "
        "--mix-presets",
    )
    p.add_argument(
        "--mix-presets",
        type=_preset_list,
        default=("ideal", "realistic"),
        metavar="P1,P2,...",
        help="presets alternated by --preset mix (default: ideal,realistic)",
    )
    p.add_argument(
        "--camera",
        choices=("pad", "wedge-raw"),
        default="pad",
        help="pad: frames of the metric pad image (sim-wedge-v1, --size); wedge-raw: raw "
        "640x480 frames through the reference Wedge's mirror (wedge-reference-v1)",
    )
    p.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="fan the grasps out over Ray workers: local, auto (a `ray start` cluster) or "
        "ray://host:10001 (needs tactile[ray]; --workers sets the pool size)",
    )
    p.add_argument(
        "--rig",
        choices=("fixed", "random"),
        default="fixed",
        help="fixed: the preset's rig; random: a randomised rig per grasp (gel, rig "
        "compliance, width offset and steps, speed, force, exposure, light, camera pose; "
        "ranges in docs/simulator.md), recorded with its rigid-press calibration",
    )
    p.add_argument(
        "--processing-calibration",
        default=None,
        help="calibration id the grasps name for processing (default: with --camera wedge-raw "
        "and --rig random, wedge-reference-v3, the real Wedge's; else the simulator's own)",
    )
    add_output_flags(p, append=True)
    add_frames_flag(p)
    add_progress_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from tactile.recording.synthetic import dataset_configs, generate_dataset

    if args.objects < 1 or args.grasps < 1:
        raise ConfigError(
            f"--objects {args.objects} --grasps {args.grasps}: both must be at least 1",
            hint="e.g. --objects 10 --grasps 3",
        )
    names = args.mix_presets if args.physics == "mix" else (args.physics,)
    configs = dataset_configs(
        names,
        size_hw=args.size,
        camera=args.camera,
        random_rig=args.rig == "random",
        processing_calibration=args.processing_calibration,
    )
    rig = None
    if args.rig == "random":
        from tactile.sim.rigs import RigRanges

        rig = RigRanges()
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    total = args.objects * args.grasps
    bar = tqdm(total=total, unit="grasp", disable=not show_progress(args))

    def progress(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    pool = None
    if args.ray is not None:
        from tactile.ray_support import ray_pool

        pool = ray_pool(args.ray, args.workers if args.workers > 0 else None)
    try:
        result = generate_dataset(
            args.out,
            n_objects=args.objects,
            grasps_per_object=args.grasps,
            seed=args.seed,
            population=args.population,
            workers=min(workers, total),
            config=configs,
            overwrite=args.overwrite,
            append=args.append,
            frame_codec=args.frames,
            progress=progress,
            pool=pool,
            rig=rig,
            e_range_pa=tuple(args.e_range_pa) if args.e_range_pa is not None else None,
        )
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()
    if args.json:
        print_json(result.to_json())
    else:
        e = result.card["modulus_pa"]
        print(
            f"Wrote {len(result.grasp_ids)} grasps of {result.card['n_objects']} objects to "
            f"{result.path} (E {e['min']:.3g} .. {e['max']:.3g} Pa); card: {result.card_md}"
        )
    return 0
