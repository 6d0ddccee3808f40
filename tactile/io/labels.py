"""Object label tables (Young's modulus, shape, material, radius) and name aliases.

The table format is the one of Burgess et al. 2024 (``objects_and_compliance.csv``): columns
``Label``, ``Modulus [Pa]`` (required), ``Shape``, ``Material``, ``Radius [m]`` (optional). Shapes
are normalised to the vocabulary of :class:`~tactile.types.GraspMetadata` (``Rectangular`` ->
``box``, ``Hex`` -> ``hexagonal_prism``, others lower-cased).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tactile.errors import ImportDataError

#: Names used in the reference recordings' file names that differ from their label rows.
BUILTIN_ALIASES: dict[str, str] = {
    "green_ball_softer": "green_elastic_ball",
    "orange_ball_softest": "orange_elastic_ball",
    "purple_ball_hardest": "purple_elastic_ball",
}

_SHAPES = {"rectangular": "box", "hex": "hexagonal_prism"}
_ALIAS_COLUMNS = ("alias", "name", "object")
MODULUS_COLUMN = "Modulus [Pa]"
_LINE = "\x00line"  # key under which _open_csv keeps each row's line number


class LabelWarning(UserWarning):
    """An object has no usable label (it is imported without one)."""


@dataclass(frozen=True)
class LabelRow:
    """One labelled object: Young's modulus (Pa) and, when known, shape, material and radius."""

    name: str
    modulus_pa: float
    shape: str | None = None
    material: str | None = None
    radius_mm: float | None = None


class LabelTable(dict[str, LabelRow]):
    """Label rows by object name, plus the objects whose rows carry no usable modulus
    (``unusable``: name -> why), so a lookup can say why an object has no label."""

    def __init__(self, rows: Mapping[str, LabelRow] | None = None) -> None:
        super().__init__(rows or {})
        self.unusable: dict[str, str] = {}


def _open_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file; each row also carries its line number under ``_LINE``."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = []
            for row in reader:
                row[_LINE] = str(reader.line_num)
                rows.append(row)
            return rows
    except FileNotFoundError as exc:
        raise ImportDataError(
            f"label/alias table {path} does not exist", hint="pass an existing CSV file"
        ) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportDataError(
            f"cannot read the CSV file {path} ({exc})", hint="save the table as UTF-8 CSV"
        ) from exc


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _shape(text: str | None) -> str | None:
    raw = (text or "").strip().lower()
    return _SHAPES.get(raw, raw) or None


def _modulus(path: Path, row: dict[str, str], name: str) -> float | None:
    """The row's modulus; None when empty or not positive; raises when it is not a number."""
    text = (row.get(MODULUS_COLUMN) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ImportDataError(
            f"label table {path}, line {row[_LINE]} ({name!r}): column {MODULUS_COLUMN!r} holds "
            f"{text!r}, not a number",
            hint="write the modulus in pascals as a number (e.g. 2.5e5), or leave it empty "
            "when unknown",
        ) from None
    return value if math.isfinite(value) and value > 0 else None


def read_label_table(path: str | Path) -> LabelTable:
    """Label rows by object name.

    Rows with an empty, zero or negative modulus are left out (the object is unlabelled, and
    :func:`resolve_label` says why). A modulus that is not a number, or one object listed twice
    with different moduli, is an :class:`~tactile.errors.ImportDataError` naming the lines;
    identical duplicates are fine.
    """
    path = Path(path)
    rows = _open_csv(path)
    columns = set(rows[0]) if rows else set()
    missing = {"Label", MODULUS_COLUMN} - columns
    if missing:
        raise ImportDataError(
            f"label table {path} lacks the column(s) {sorted(missing)}",
            hint="use the objects_and_compliance.csv layout: Label, Modulus [Pa], "
            "and optionally Shape, Material, Radius [m]",
        )
    table = LabelTable()
    lines: dict[str, str] = {}
    for row in rows:
        name = (row.get("Label") or "").strip()
        if not name:
            continue
        modulus = _modulus(path, row, name)
        if modulus is None:
            table.unusable.setdefault(
                name,
                f"line {row[_LINE]} has no positive modulus "
                f"({(row.get(MODULUS_COLUMN) or '').strip() or 'empty'})",
            )
            continue
        radius_m = _number(row.get("Radius [m]"))
        entry = LabelRow(
            name=name,
            modulus_pa=modulus,
            shape=_shape(row.get("Shape")),
            material=(row.get("Material") or "").strip() or None,
            radius_mm=radius_m * 1000.0 if radius_m and radius_m > 0 else None,
        )
        first = table.get(name)
        if first is not None and first.modulus_pa != modulus:
            raise ImportDataError(
                f"label table {path}: {name!r} is listed twice with different moduli: "
                f"{first.modulus_pa:.4g} Pa (line {lines[name]}) and {modulus:.4g} Pa "
                f"(line {row[_LINE]})",
                hint="keep one row per object (or give the two objects different names)",
            )
        if first is None:
            table[name] = entry
            lines[name] = row[_LINE]
    return table


def read_aliases(path: str | Path) -> dict[str, str]:
    """An alias CSV: header ``alias,label`` (or ``name,label`` / ``object,label``)."""
    path = Path(path)
    rows = _open_csv(path)
    columns = set(rows[0]) if rows else set()
    key = next((c for c in _ALIAS_COLUMNS if c in columns), None)
    if key is None or "label" not in columns:
        raise ImportDataError(
            f"alias table {path} needs the columns 'alias' and 'label'",
            hint="write a CSV with the header alias,label and one row per file-name object",
        )
    return {
        row[key].strip(): row["label"].strip()
        for row in rows
        if (row.get(key) or "").strip() and (row.get("label") or "").strip()
    }


def label_key(name: str) -> str:
    """``name`` as label lookups compare it: Unicode NFC (macOS writes file names decomposed,
    NFD: newuser41), lower case, runs of spaces, hyphens and underscores as one underscore, no
    leading or trailing ones ("Foam Brick" -> "foam_brick")."""
    name = unicodedata.normalize("NFC", name)
    return re.sub(r"[\s_-]+", "_", name.strip().lower()).strip("_")


def resolve_label(
    object_id: str,
    labels: Mapping[str, LabelRow] | None,
    aliases: Mapping[str, str] | None = None,
) -> LabelRow | None:
    """The label row for ``object_id``: exact name first, then the alias table, then (when no
    alias or unusable row names it) the one row or alias matching it under :func:`label_key`.

    ``aliases`` defaults to :data:`BUILTIN_ALIASES`; user aliases are merged over them. Warns
    with :class:`LabelWarning` and returns None when a table was given but has no row.
    """
    if labels is None:
        return None
    if object_id in labels:
        return labels[object_id]
    table = {**BUILTIN_ALIASES, **(aliases or {})}
    target = table.get(object_id)
    if target is not None and target in labels:
        return labels[target]
    unusable: Mapping[str, str] = getattr(labels, "unusable", {})
    why = unusable.get(object_id) or (unusable.get(target) if target else None)
    hits: set[str] = set()
    if target is None and not why:
        # a name written with other case, spaces or hyphens ("Foam_Brick", "golf ball") names
        # the same row when exactly one row (or alias) matches it so (newuser40: such names got
        # none); an explicit alias or an exact unusable row is never overridden by it
        key = label_key(object_id)
        hits = {name for name in labels if label_key(name) == key}
        hits |= {t for a, t in table.items() if label_key(a) == key and t in labels}
        if len(hits) == 1:
            return labels[hits.pop()]
        if not hits:
            why = next((w for n, w in unusable.items() if label_key(n) == key), None)
    if why:
        warnings.warn(
            f"object {object_id!r}: its label table row {why}; imported without a label",
            LabelWarning,
            stacklevel=3,
        )
        return None
    if hits:
        warnings.warn(
            f"object {object_id!r} matches several label rows ({', '.join(sorted(hits))}) "
            "written with other case, spaces or hyphens; imported without a label (name the row "
            "exactly, or add an alias)",
            LabelWarning,
            stacklevel=3,
        )
        return None
    via = f" (alias {target!r} not in the table either)" if target else ""
    warnings.warn(
        f"object {object_id!r} has no row in the label table{via}; imported without a label",
        LabelWarning,
        stacklevel=3,
    )
    return None
