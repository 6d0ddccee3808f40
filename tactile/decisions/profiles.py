"""Produce profiles: ripeness classes, the largest safe grasp force, the re-grasp policy.

A profile is a TOML file in ``produce/<name>.toml`` (searched in ``$TACTILE_PRODUCE_DIR``, then
``./produce``, then the shipped ``produce/``), or anywhere given by path. Every number a user
did not measure themselves carries its literature source and an uncertainty. Schema
(documented in ``docs/sorting.md``)::

    name = "tomato"
    quantity = "log10_modulus_pa"     # or "stiffness_n_per_mm" (rig-specific: fit it)
    interval = 95                     # decide on the estimate's 95 % (or 68 %) interval
    [max_force_n]                     # never squeeze harder (bruising)
    value = 8.0
    uncertainty = 3.0
    source = "..."
    [regrasp]
    max_regrasps = 2                  # "uncertain" -> grasp again up to n times, then reject
    [stop]                            # the stopping rule of --stop-when-confident
    min_force_n = 1.0
    [[classes]]                       # ordered, non-overlapping ranges [min, max)
    name = "unripe"
    min = 6.0
    max = inf
    uncertainty = 0.3                 # 95 % half-width of the limits (decades for log10 E)
    source = "..."
    # banded = true                   # fitted: min/max already stand outside the undecided
                                      # band, so the decision does not widen them again
    [sim]                             # produce-like objects for the simulator (optional)
    radius_mm = 32.0 ...
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tactile._paths import artifact_dir
from tactile.errors import ConfigError

QUANTITIES = {
    "log10_modulus_pa": "log10 E (Pa)",
    "stiffness_n_per_mm": "grasp stiffness (N/mm)",
}
INTERVAL_LEVELS = (68, 95)


class ProfileError(ConfigError):
    """A produce profile is missing, unreadable or inconsistent."""


#: The source text ``tactile sort fit`` writes on every fitted class; a fitted file written before
#: the ``banded`` key existed is recognised by it (its limits are banded: docs/decisions.md).
FITTED_SOURCE_PREFIX = "fitted by tactile sort fit"


@dataclass(frozen=True)
class RipenessClass:
    """One class: the half-open range ``[min_value, max_value)`` of the profile's quantity.

    ``uncertainty``: the 95 % half-width of where the class's finite limits may truly lie, in
    the quantity's units (decades for log10 E). ``banded``: the limits already stand outside
    that uncertainty (a fitted class: the fit moved each limit to the edge of the undecided
    band it left), so decisions compare against them as written; otherwise a decision must
    clear each limit by its uncertainty as well (:func:`tactile.decisions.decide.decide`).
    """

    name: str
    min_value: float
    max_value: float
    uncertainty: float = 0.0
    source: str = ""
    banded: bool = False

    @property
    def limit_uncertainty(self) -> float:
        """The uncertainty a decision must still clear at this class's limits (0 if banded)."""
        return 0.0 if self.banded else self.uncertainty

    def contains_value(self, value: float) -> bool:
        return self.min_value <= value < self.max_value

    def contains_interval(self, lo: float, hi: float) -> bool:
        """The whole closed interval lies in this class (touching a finite ``max`` does not;
        an open-ended class holds an interval that is open-ended too, e.g. a lower bound)."""
        top = hi < self.max_value or (math.isinf(hi) and hi == self.max_value)
        return self.min_value <= lo and top

    def overlaps(self, lo: float, hi: float) -> bool:
        return lo < self.max_value and hi >= self.min_value


@dataclass(frozen=True)
class StopRule:
    """When ``--stop-when-confident`` may stop closing: a confident class at or above
    ``min_force_n``, after ``min_loading_frames`` loading frames, the same class for
    ``stable_updates`` updates in a row; in any case at ``max_force_n`` of the profile."""

    min_force_n: float = 1.0
    min_loading_frames: int = 6
    stable_updates: int = 3


@dataclass(frozen=True)
class ProduceProfile:
    name: str
    quantity: str
    classes: tuple[RipenessClass, ...]
    max_force_n: float
    max_force_uncertainty_n: float = 0.0
    max_force_source: str = ""
    interval: int = 95
    max_regrasps: int = 2
    stop: StopRule = field(default_factory=StopRule)
    description: str = ""
    sim: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        where = f"produce profile {self.name!r}" + (f" ({self.path})" if self.path else "")
        if self.quantity not in QUANTITIES:
            raise ProfileError(
                f"{where}: quantity {self.quantity!r} is unknown",
                hint=f"use one of {', '.join(QUANTITIES)}",
            )
        if self.interval not in INTERVAL_LEVELS:
            raise ProfileError(
                f"{where}: interval = {self.interval} is not a level the estimates carry",
                hint="use 68 or 95",
            )
        if not (math.isfinite(self.max_force_n) and self.max_force_n > 0):
            raise ProfileError(
                f"{where}: max_force_n = {self.max_force_n!r} must be a positive force",
                hint="the largest grasp force that does not bruise this produce, in newtons",
            )
        if not (isinstance(self.max_regrasps, int) and self.max_regrasps >= 0):
            raise ProfileError(
                f"{where}: regrasp.max_regrasps = {self.max_regrasps!r} must be >= 0",
                hint="0 rejects an uncertain item at once",
            )
        validate_stop_rule(self.stop, where=where)
        validate_classes(self.classes, where=where)

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)

    def limit_uncertainties(self) -> tuple[tuple[float, float], ...]:
        """Per class, the uncertainty (95 % half-width) of its lower and upper limit that a
        confident decision must clear: the class's own (0 if banded); a limit two adjacent
        classes share (``a.max == b.min``) is one limit and takes the larger of the two."""
        own = [c.limit_uncertainty for c in self.classes]
        lows, highs = list(own), list(own)
        for i, (a, b) in enumerate(itertools.pairwise(self.classes)):
            if a.max_value == b.min_value:
                highs[i] = lows[i + 1] = max(own[i], own[i + 1])
        return tuple(zip(lows, highs, strict=True))

    def undecidable_classes(self) -> tuple[str, ...]:
        """Classes no interval can be put in confidently: no wider than their two limits'
        uncertainties together (a decision must clear each limit by at least its own)."""
        return tuple(
            c.name
            for c, (u_lo, u_hi) in zip(self.classes, self.limit_uncertainties(), strict=True)
            if c.max_value - c.min_value <= u_lo + u_hi
        )

    def class_of(self, value: float) -> str | None:
        """The class whose range holds ``value`` (None: outside every class)."""
        for c in self.classes:
            if c.contains_value(value):
                return c.name
        return None

    def with_classes(self, classes: tuple[RipenessClass, ...], **changes: Any) -> ProduceProfile:
        return replace(self, classes=classes, **changes)


def validate_stop_rule(rule: StopRule, *, where: str = "profile") -> None:
    """Reject a stopping rule that cannot work: a negative or non-numeric force, a count < 1."""
    force = rule.min_force_n
    if isinstance(force, bool) or not isinstance(force, int | float) or not 0 <= force < math.inf:
        raise ProfileError(
            f"{where}: [stop] min_force_n = {force!r} must be a force >= 0 N",
            hint="write e.g. min_force_n = 1.5",
        )
    for key, example in (("min_loading_frames", 6), ("stable_updates", 3)):
        value = getattr(rule, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProfileError(
                f"{where}: [stop] {key} = {value!r} must be a whole number >= 1",
                hint=f"write e.g. {key} = {example}",
            )


def validate_classes(classes: tuple[RipenessClass, ...], *, where: str = "profile") -> None:
    """Reject empty, unnamed, duplicated, inverted, unordered or overlapping classes."""
    if not classes:
        raise ProfileError(f"{where} has no [[classes]]", hint="add at least one class range")
    names = [c.name for c in classes]
    for c in classes:
        if not c.name:
            raise ProfileError(f"{where}: a class has no name", hint='add name = "ripe"')
        if math.isnan(c.min_value) or math.isnan(c.max_value) or not c.min_value < c.max_value:
            raise ProfileError(
                f"{where}: class {c.name!r} has min {c.min_value} >= max {c.max_value}",
                hint="each class is a range [min, max) with min < max",
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ProfileError(f"{where}: class name(s) {dupes} repeat", hint="name each class once")
    for a, b in itertools.pairwise(classes):
        if b.min_value < a.min_value:
            raise ProfileError(
                f"{where}: classes are not in ascending order: {b.name!r} "
                f"(from {b.min_value}) comes after {a.name!r} (from {a.min_value})",
                hint="list [[classes]] from the lowest range to the highest",
            )
        if b.min_value < a.max_value:
            raise ProfileError(
                f"{where}: classes {a.name!r} [{a.min_value}, {a.max_value}) and {b.name!r} "
                f"[{b.min_value}, {b.max_value}) overlap",
                hint=f"end {a.name!r} where {b.name!r} starts (max = {b.min_value})",
            )


def produce_dirs() -> list[Path]:
    env = os.environ.get("TACTILE_PRODUCE_DIR")
    return [*([Path(env)] if env else []), Path.cwd() / "produce", artifact_dir("produce")]


def list_produce_profiles() -> dict[str, Path]:
    """Profile name -> file, the first directory wins."""
    found: dict[str, Path] = {}
    for d in produce_dirs():
        for p in sorted(d.glob("*.toml")) if d.is_dir() else []:
            found.setdefault(p.stem, p)
    return found


#: Keys a profile may hold, per table (anything else is refused: a typo must not leave a default).
TOP_KEYS = (
    "name",
    "description",
    "quantity",
    "interval",
    "max_force_n",
    "regrasp",
    "stop",
    "classes",
    "sim",
)
FORCE_KEYS = ("value", "uncertainty", "source")
REGRASP_KEYS = ("max_regrasps",)
STOP_KEYS = ("min_force_n", "min_loading_frames", "stable_updates")
CLASS_KEYS = ("name", "min", "max", "uncertainty", "banded", "source")
#: ``[sim]`` numbers the simulator's ``ProduceSpec`` takes (the first seven are required there).
SIM_SPEC_KEYS = (
    "radius_mm",
    "radius_sd_mm",
    "aspect_sd",
    "skin_thickness_mm",
    "skin_modulus_pa",
    "flesh_unripe_pa",
    "flesh_overripe_pa",
    "flesh_log10_sd",
    "poisson",
)
SIM_KEYS = (*SIM_SPEC_KEYS, "class_boundaries_log10_pa", "source")


def _refuse_unknown(data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """An unknown key is an error naming it, the closest allowed key and the allowed ones."""
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise ProfileError(
                f"{where}: unknown key {key!r}",
                hint=f"{guess}allowed: {', '.join(allowed)} (docs/sorting.md)",
            )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(
            f"{where}: {key} = {value!r} must be a table", hint=f"write it as [{key}] with its keys"
        )
    return value


def _number(
    data: dict[str, Any],
    key: str,
    where: str,
    default: float | None = None,
    *,
    minimum: float | None = None,
) -> float:
    """``data[key]`` as a float; a missing key takes ``default`` (None: required)."""
    if key not in data and default is None:
        raise ProfileError(f"{where}: {key} is missing", hint=f"write e.g. {key} = 1.0")
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(
            f"{where}: {key} = {value!r} is not a number", hint=f"write e.g. {key} = 1.0"
        )
    if minimum is not None and not (math.isfinite(value) and value >= minimum):
        raise ProfileError(
            f"{where}: {key} = {value!r} must be a finite number >= {minimum:g}",
            hint=f"write e.g. {key} = {max(minimum, 1.0):.1f}",
        )
    return float(value)


def _integer(
    data: dict[str, Any], key: str, where: str, default: int, *, minimum: int, example: int
) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProfileError(
            f"{where}: {key} = {value!r} must be a whole number >= {minimum}",
            hint=f"write e.g. {key} = {example}",
        )
    return value


def _text(data: dict[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ProfileError(
            f"{where}: {key} = {value!r} is not a string", hint=f'write e.g. {key} = "text"'
        )
    return value


def _valued(data: dict[str, Any], key: str, where: str) -> tuple[float, float, str]:
    """``key = 8.0`` or ``[key] value/uncertainty/source`` -> (value, uncertainty, source)."""
    item = data.get(key)
    if isinstance(item, dict):
        sub = f"{where} [{key}]"
        _refuse_unknown(item, FORCE_KEYS, sub)
        return (
            _number(item, "value", sub),
            _number(item, "uncertainty", sub, 0.0, minimum=0.0),
            _text(item, "source", sub, ""),
        )
    return _number(data, key, where), 0.0, ""


def _sim_table(data: dict[str, Any], where: str) -> dict[str, Any]:
    sim = _table(data, "sim", where)
    sub = f"{where} [sim]"
    _refuse_unknown(sim, SIM_KEYS, sub)
    for key in SIM_SPEC_KEYS:
        if key in sim:
            _number(sim, key, sub)
    if "source" in sim:
        _text(sim, "source", sub, "")
    bounds = sim.get("class_boundaries_log10_pa", [])
    if not isinstance(bounds, list) or any(
        isinstance(b, bool) or not isinstance(b, int | float) for b in bounds
    ):
        raise ProfileError(
            f"{sub}: class_boundaries_log10_pa = {bounds!r} is not a list of numbers",
            hint="e.g. class_boundaries_log10_pa = [5.4, 6.0] for three classes",
        )
    return dict(sim)


def profile_from_dict(data: dict[str, Any], *, path: Path | None = None) -> ProduceProfile:
    """A validated profile from parsed TOML: every key known, every value of its type and
    range, else a :class:`ProfileError` naming the key, the file and the fix."""
    name = data.get("name", path.stem if path else "profile")
    where = f"produce profile {name!r}" + (f" ({path})" if path else "")
    name = _text(data, "name", where, str(name))
    _refuse_unknown(data, TOP_KEYS, where)
    raw_classes = data.get("classes")
    if not isinstance(raw_classes, list) or not all(isinstance(c, dict) for c in raw_classes):
        raise ProfileError(f"{where} has no [[classes]] tables", hint="see docs/sorting.md")
    classes = []
    for i, c in enumerate(raw_classes):
        sub = f"{where} [[classes]] {c.get('name', f'#{i + 1}')!r}"
        _refuse_unknown(c, CLASS_KEYS, sub)
        source = _text(c, "source", sub, "")
        # a fitted file from before the key: its limits are banded (decisions unchanged)
        banded = c.get("banded", source.startswith(FITTED_SOURCE_PREFIX))
        if not isinstance(banded, bool):
            raise ProfileError(
                f"{sub}: banded = {banded!r} must be true or false",
                hint="true only where min/max already exclude their uncertainty (a fitted "
                "profile); leave it out for literature limits",
            )
        classes.append(
            RipenessClass(
                name=_text(c, "name", sub, ""),
                min_value=_number(c, "min", sub, -math.inf),
                max_value=_number(c, "max", sub, math.inf),
                uncertainty=_number(c, "uncertainty", sub, 0.0, minimum=0.0),
                source=source,
                banded=banded,
            )
        )
    force, force_sd, force_src = _valued(data, "max_force_n", where)
    regrasp = _table(data, "regrasp", where)
    _refuse_unknown(regrasp, REGRASP_KEYS, f"{where} [regrasp]")
    stop = _table(data, "stop", where)
    sub = f"{where} [stop]"
    _refuse_unknown(stop, STOP_KEYS, sub)
    default = StopRule()
    rule = StopRule(
        min_force_n=_number(stop, "min_force_n", sub, default.min_force_n, minimum=0.0),
        min_loading_frames=_integer(
            stop, "min_loading_frames", sub, default.min_loading_frames, minimum=1, example=6
        ),
        stable_updates=_integer(
            stop, "stable_updates", sub, default.stable_updates, minimum=1, example=3
        ),
    )
    interval = data.get("interval", 95)
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise ProfileError(f"{where}: interval = {interval!r} is not 68 or 95", hint="use 68 or 95")
    return ProduceProfile(
        name=name,
        quantity=_text(data, "quantity", where, "log10_modulus_pa"),
        classes=tuple(classes),
        max_force_n=force,
        max_force_uncertainty_n=force_sd,
        max_force_source=force_src,
        interval=interval,
        max_regrasps=_integer(
            regrasp, "max_regrasps", f"{where} [regrasp]", 2, minimum=0, example=2
        ),
        stop=rule,
        description=_text(data, "description", where, ""),
        sim=_sim_table(data, where),
        path=path,
    )


def load_produce_profile(name_or_path: str | Path) -> ProduceProfile:
    """A profile by name (``tomato``) or by path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        known = list_produce_profiles()
        if str(name_or_path) not in known:
            raise ProfileError(
                f"unknown produce profile {str(name_or_path)!r}",
                hint=f"use one of {sorted(known)} or a path to a .toml file",
            )
        path = known[str(name_or_path)]
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ProfileError(f"produce profile {path} does not exist", hint="check the path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(
            f"produce profile {path} is not valid TOML ({exc})",
            hint="see docs/sorting.md for the format",
        ) from exc
    return profile_from_dict(data, path=path)


def _toml_number(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(round(float(x), 6))


def profile_to_toml(profile: ProduceProfile) -> str:
    """The profile as TOML text (what ``tactile sort fit`` writes)."""
    lines = [
        f"name = {_quote(profile.name)}",
        f"description = {_quote(profile.description)}",
        f'quantity = "{profile.quantity}"',
        f"interval = {profile.interval}",
        "",
        "[max_force_n]",
        f"value = {_toml_number(profile.max_force_n)}",
        f"uncertainty = {_toml_number(profile.max_force_uncertainty_n)}",
        f"source = {_quote(profile.max_force_source)}",
        "",
        "[regrasp]",
        f"max_regrasps = {profile.max_regrasps}",
        "",
        "[stop]",
        f"min_force_n = {_toml_number(profile.stop.min_force_n)}",
        f"min_loading_frames = {profile.stop.min_loading_frames}",
        f"stable_updates = {profile.stop.stable_updates}",
    ]
    for c in profile.classes:
        lines += [
            "",
            "[[classes]]",
            f"name = {_quote(c.name)}",
            f"min = {_toml_number(c.min_value)}",
            f"max = {_toml_number(c.max_value)}",
            f"uncertainty = {_toml_number(c.uncertainty)}",
            *([f"banded = true{_BANDED_NOTE}"] if c.banded else []),
            f"source = {_quote(c.source)}",
        ]
    if profile.sim:
        lines += ["", "[sim]"]
        for k, v in profile.sim.items():
            lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


_BANDED_NOTE = "  # min/max already exclude the uncertainty: decisions do not widen them"


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return _quote(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_number(float(v))


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
