"""``tactile import``: convert reference recordings (AVI + pickles) into a grasp dataset."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from tactile.cli._common import (
    add_frames_flag,
    add_json_flag,
    add_output_flags,
    add_progress_flags,
    print_json,
    show_progress,
)
from tactile.types import format_pa, pad


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import",
        help="import reference recordings (NAME.avi + NAME_forces.pkl + NAME_widths.pkl)",
        description=(
            "Import grasps recorded in the layout of Burgess et al. 2024 into a tactile grasp "
            "dataset (DEST: a .h5 file or a directory). Pickles are read with a whitelisting "
            "unpickler; widths are converted from metres to mm; timing is nominal (30 fps). "
            "MJPG frames are stored as the camera's own JPEG bytes (lossless, compact). "
            "An existing DEST is refused unless --append, --skip-existing or --overwrite. "
            "An invalid recording in SRC is skipped, naming it and why, and the others are "
            "imported; the exit code is then 1 (--strict: the first invalid recording stops "
            "the import, 2). A recording whose files are those of a grasp already in DEST, or "
            "of another recording in SRC, under another name is skipped likewise (exit code "
            "1) unless --keep-duplicates."
        ),
    )
    p.add_argument("src", type=Path, help="one .avi file or a folder of recordings")
    p.add_argument("dest", type=Path, help="grasp dataset to create (.h5 file or directory)")
    p.add_argument("--labels", type=Path, help="label table CSV (Label, Modulus [Pa], ...)")
    p.add_argument("--aliases", type=Path, help="alias CSV (alias,label) for file-name objects")
    p.add_argument(
        "--compression",
        choices=("gzip", "lzf", "none"),
        default="gzip",
        help="frame compression (default gzip: readable everywhere)",
    )
    p.add_argument(
        "--skip-existing",
        action="store_true",
        help="add to DEST, skipping grasps already in it (resume an import; implies --append)",
    )
    p.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="import a recording even when its files are those of a grasp already in DEST or "
        "of another recording in SRC under another name (default: skip it, exit code 1)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="all or nothing: the first invalid recording stops the import (default: skip it "
        "and import the others, exit code 1)",
    )
    add_output_flags(p, append=True)
    add_frames_flag(p)
    add_progress_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tactile.io import GraspReader, import_reference
    from tactile.io.output import output_mode
    from tactile.io.reference import ImportSkipWarning

    mode = output_mode(
        args.dest, overwrite=args.overwrite, append=args.append or args.skip_existing
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = import_reference(
            args.src,
            args.dest,
            labels_csv=args.labels,
            aliases_csv=args.aliases,
            progress=show_progress(args),
            compression=None if args.compression == "none" else args.compression,
            skip_existing=args.skip_existing,
            frame_codec=args.frames,
            mode=mode,
            strict=args.strict,
            keep_duplicates=args.keep_duplicates,
        )
    notes = list(
        dict.fromkeys(str(w.message) for w in caught if w.category is not ImportSkipWarning)
    )
    with GraspReader(args.dest) as reader:
        rows = [reader.summary(gid) for gid in result]
    status = 1 if result.skipped else 0
    if args.json:
        skipped = [{"file": s.file, "error": s.error, "hint": s.hint} for s in result.skipped]
        print_json(
            {"dest": str(args.dest), "imported": rows, "skipped": skipped, "warnings": notes}
        )
        return status
    for note in notes:
        print(f"tactile import: warning: {note}", file=sys.stderr)
    for s in result.skipped:
        print(f"tactile import: skipped {s}", file=sys.stderr)
    print(f"imported {len(rows)} grasp(s) into {args.dest}")
    if rows:
        print(f"{'grasp_id':<28} {'object':<24} {'frames':>6}  label")
        for r in rows:
            label = format_pa(r["label_modulus_pa"]) if r["label_modulus_pa"] else "none"
            print(f"{r['grasp_id']:<28} {pad(r['object_id'], 24)} {r['n_frames']:>6}  {label}")
    if result.skipped:
        names = ", ".join(s.file for s in result.skipped)
        invalid = [s.file for s in result.skipped if s.invalid]
        fix = "fix them as each says and rerun with --skip-existing to add them"
        held = "each is in DEST or SRC already, or differs from what DEST holds under its name"
        if invalid and len(invalid) < len(result.skipped):  # both kinds (review49)
            fix = (
                f"fix the invalid ones ({', '.join(invalid)}) as each says and rerun with "
                "--skip-existing to add them; each other one is in DEST or SRC already, or "
                "differs from what DEST holds under its name"
            )
        then = fix if invalid else held
        print(f"skipped {len(result.skipped)} recording(s) (why: above): {names}; {then}")
    return status
