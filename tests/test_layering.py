"""The package's import graph follows the data flow (docs/decisions.md, "Layering").

Every ``import`` in ``tactile/`` counts, including those inside functions and under
``TYPE_CHECKING``: an import moved into a function still makes the lower package depend on the
higher one. Each top-level part of ``tactile`` sits in one layer; a part may import only parts of
lower layers, so the package graph has no cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tactile"

#: Lowest first. ``__init__`` is the root package (version, core types).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("_paths", "types", "scores", "ray_support"),  # ray_support: optional Ray connection
    ("sensor",),  # the SensorCalibration record and the shipped profiles
    ("__init__",),
    ("io",),
    ("processing",),
    ("estimators",),
    ("sim",),
    ("hardware",),
    ("recording",),
    ("calibration", "evaluation"),  # procedures and workflows over the layers below
    ("search", "decisions"),
    ("reporting",),  # the demo's HTML report and the plots of sorting runs
    ("cli",),
)
RANK = {part: i for i, layer in enumerate(LAYERS) for part in layer}
#: Parts that only compute: they may sit above ``io`` but never read or write grasp files
#: (writing simulated grasps is ``recording.synthetic``'s job, reading them the callers').
NO_IO = ("processing", "sim")


def _part(module: str) -> str:
    """``tactile.io.store`` -> ``io``; ``tactile`` -> ``__init__``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(source: str, module: str, is_package: bool = False) -> list[tuple[str, int]]:
    """Absolute ``tactile`` modules imported by ``source`` (the text of ``module``), with their
    line numbers, wherever the import statement stands."""
    tree = ast.parse(source)
    here = module.split(".")
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "tactile"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name == "tactile":  # `from tactile import io` imports the part tactile.io
                for alias in node.names:
                    sub = PACKAGE / alias.name
                    is_part = sub.is_dir() or sub.with_suffix(".py").is_file()
                    out.append((f"tactile.{alias.name}" if is_part else name, node.lineno))
            elif name.split(".")[0] == "tactile":
                out.append((name, node.lineno))
    return out


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing part, imported part) -> where, for imports across parts."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _part(_module_name(path))
        text = path.read_text(encoding="utf-8")
        for name, line in _imports(text, _module_name(path), path.name == "__init__.py"):
            dst = _part(name)
            if dst != src:
                edges[(src, dst)].append(f"{path.relative_to(PACKAGE.parent)}:{line} -> {name}")
    return edges


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    missing = sorted(parts - set(RANK))
    assert not missing, (
        f"{missing} are not in a layer: add them to LAYERS here and to the layering table in "
        "docs/decisions.md"
    )


def test_imports_only_go_down_the_layers() -> None:
    upward = [
        f"{where} ({src} is layer {RANK[src]}, {dst} is layer {RANK[dst]})"
        for (src, dst), places in sorted(_edges().items())
        if src in RANK and dst in RANK and RANK[dst] >= RANK[src]
        for where in places
    ]
    assert not upward, "imports against the data flow:\n" + "\n".join(upward)


def test_the_computing_parts_do_no_grasp_io() -> None:
    found = [
        where
        for (src, dst), places in sorted(_edges().items())
        if src in NO_IO and dst == "io"
        for where in places
    ]
    assert not found, "grasp I/O in a computing part:\n" + "\n".join(found)


def test_the_package_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for src, dst in _edges():
        graph[src].add(dst)
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [])):
            pytest.fail("package-level import cycle: " + " -> ".join(cycle))


def test_the_checker_sees_lazy_and_relative_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from tactile.sim import SimGraspConfig\n"
        "def f():\n    from tactile.cli.main import main\n    return main\n"
        "from .contact import clean_mask\n"
        "from .. import estimators\n"
    )
    names = sorted(name for name, _ in _imports(source, "tactile.processing.features"))
    assert names == [
        "tactile.cli.main",
        "tactile.estimators",
        "tactile.processing.contact",
        "tactile.sim",
    ]
    assert [_part(n) for n in names] == ["cli", "estimators", "processing", "sim"]
    assert _imports("from tactile import __version__", "tactile.io.store") == [("tactile", 1)]
