"""Entry point of the ``tactile`` command: one parser, one module per subcommand.

Each subcommand module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a callable ``(args) -> int``. Errors raised on purpose
(:class:`~tactile.errors.TactileError`) print one line with the fix (under ``--json`` also one
JSON object with the error on stdout); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from tactile import __version__
from tactile.errors import TactileError

COMMAND_MODULES: tuple[str, ...] = (
    "tactile.cli.demo_cmd",
    "tactile.cli.import_cmd",
    "tactile.cli.inspect_cmd",
    "tactile.cli.estimate_cmd",
    "tactile.cli.evaluate_cmd",
    "tactile.cli.train_cmd",
    "tactile.cli.search_cmd",
    "tactile.cli.simulate_cmd",
    "tactile.cli.calibrate_cmd",
    "tactile.cli.collect_cmd",
    "tactile.cli.find_devices_cmd",
    "tactile.cli.sort_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tactile",
        description="Estimate how soft an object is (Young's modulus) from one tactile grasp.",
    )
    parser.add_argument("--version", action="version", version=f"tactile {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _print_notes(command: str, exc: BaseException) -> None:
    """What a failure kept (e.g. ``kept N of M grasps in FILE ...``, :mod:`tactile.io.output`)."""
    for note in getattr(exc, "__notes__", ()):
        print(f"tactile {command}: {note}", file=sys.stderr)


def _print_error_json(command: str, exc: BaseException, message: str, code: int) -> None:
    """Under ``--json`` a failed command still prints one JSON object on stdout, on one line
    (a document, and a line of ``estimate``'s JSON Lines), so a script parsing its output reads
    why rather than nothing: ``error`` and ``hint`` (as ``import``'s ``skipped`` entries),
    ``notes`` (what a failure kept) and ``exit_code``. The line on stderr stays for people.
    Not called when the command printed its own document before failing (``collect`` and
    ``sort`` stopped by a device: their summary), so stdout stays one JSON document."""
    from tactile.cli._common import print_json_lines

    print_json_lines(
        {
            "command": command,
            "error": message,
            "hint": getattr(exc, "hint", None),
            "notes": list(getattr(exc, "__notes__", ())),
            "exit_code": code,
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from tactile.cli._common import documents_printed

    before = documents_printed()  # a command that printed its document gets no error document
    try:
        return int(args.func(args))
    except TactileError as exc:
        if args.debug:
            raise
        print(f"tactile {args.command}: error: {exc}", file=sys.stderr)
        _print_notes(args.command, exc)
        if getattr(args, "json", False) and documents_printed() == before:
            _print_error_json(args.command, exc, exc.message, 2)
        return 2
    except KeyboardInterrupt as exc:
        print(f"tactile {args.command}: interrupted", file=sys.stderr)
        _print_notes(args.command, exc)
        if getattr(args, "json", False) and documents_printed() == before:
            _print_error_json(args.command, exc, "interrupted", 130)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which closed early: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
