"""A tray of items to sort: simulated produce of known ripeness, or recorded grasps to replay.

``sim://?n=12&seed=1`` makes ``n`` fruit of the profile's kind (its ``[sim]`` table) with
ripeness spread evenly over [0, 1] (one draw per stratum, shuffled); each fruit's true class is
the class of its flesh modulus under ``[sim] class_boundaries_log10_pa`` (ascending, one
boundary between each pair of classes), which stays fixed when ``tactile sort fit`` moves the
thresholds the sorter uses. ``replay://FILE.h5`` is a tray of recorded grasps: one item per
object id, its grasps in file order (the first is the grasp, the others the re-grasps).
``rig://?n=12`` is a tray of ``n`` real items of unknown class that an operator places in the
gripper one after the other (``tactile sort --hardware``; :mod:`tactile.decisions.rig`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tactile.decisions.profiles import SIM_SPEC_KEYS, ProduceProfile, ProfileError
from tactile.errors import ConfigError

if TYPE_CHECKING:  # the simulator (scipy, PIL) loads only when a simulated tray is made
    from tactile.sim.objects import SimObject
    from tactile.sim.produce import ProduceSpec


@dataclass(frozen=True)
class TrayItem:
    item_id: str
    kind: str
    truth_class: str | None = None
    ripeness: float | None = None
    true_modulus_pa: float | None = None
    obj: SimObject | None = None  # a simulated fruit
    source: str = ""  # replay: the file
    grasp_ids: tuple[str, ...] = ()  # replay: the recorded grasps, in order

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "truth_class": self.truth_class,
            "ripeness": self.ripeness,
            "true_modulus_pa": self.true_modulus_pa,
            "source": self.source,
            "grasp_ids": list(self.grasp_ids),
        }


def produce_spec(profile: ProduceProfile) -> ProduceSpec:
    """The simulator's description of the profile's produce (its ``[sim]`` table)."""
    from tactile.sim.produce import ProduceSpec

    sim = profile.sim
    missing = [k for k in SIM_SPEC_KEYS[:7] if k not in sim]
    if missing:
        raise ProfileError(
            f"produce profile {profile.name!r} has no simulated produce ([sim] lacks "
            f"{', '.join(missing)})",
            hint="add a [sim] table (see produce/tomato.toml) or sort a replay:// or real tray",
        )
    values = {k: float(sim[k]) for k in SIM_SPEC_KEYS if k in sim}
    return ProduceSpec(kind=profile.name, **values)


def truth_boundaries(profile: ProduceProfile) -> tuple[float, ...]:
    """``[sim] class_boundaries_log10_pa``: where the true classes change (flesh log10 E)."""
    raw = profile.sim.get("class_boundaries_log10_pa")
    n = len(profile.classes)
    if not isinstance(raw, list) or len(raw) != n - 1:
        raise ProfileError(
            f"produce profile {profile.name!r}: [sim] class_boundaries_log10_pa must list "
            f"{n - 1} number(s), one between each pair of classes",
            hint="e.g. class_boundaries_log10_pa = [5.4, 6.0] for three classes",
        )
    bounds = tuple(float(b) for b in raw)
    if list(bounds) != sorted(bounds):
        raise ProfileError(
            f"produce profile {profile.name!r}: class_boundaries_log10_pa {list(bounds)} are "
            "not ascending",
            hint="list them from the softest class boundary up",
        )
    return bounds


def true_class(profile: ProduceProfile, flesh_modulus_pa: float) -> str:
    """The class of a fruit with this flesh modulus (classes ordered as the profile's)."""
    bounds = truth_boundaries(profile)
    names = profile.class_names
    value = math.log10(flesh_modulus_pa)
    ascending = profile.quantity == "log10_modulus_pa" or _stiffness_ascending(profile)
    i = int(np.searchsorted(np.asarray(bounds), value, side="right"))
    return names[i] if ascending else names[len(names) - 1 - i]


def _stiffness_ascending(profile: ProduceProfile) -> bool:
    # stiffness grows with the modulus, so class order is the same on both axes
    return True


def parse_tray_url(url: str) -> tuple[str, str, dict[str, str]]:
    """``sim://?n=12&seed=1`` / ``replay://file.h5`` / ``rig://?n=12`` -> (scheme, target,
    params); unknown keys are refused."""
    from urllib.parse import parse_qsl

    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in TRAY_KEYS:
        raise ConfigError(
            f"tray {url!r} is not sim://..., replay://FILE.h5 or rig://...",
            hint="use sim://?n=12&seed=1, replay://tray.h5, or rig://?n=12 with --hardware",
        )
    target, _, query = rest.partition("?")
    params = dict(parse_qsl(query))
    unknown = sorted(set(params) - set(TRAY_KEYS[scheme]))
    if unknown:
        allowed = ", ".join(TRAY_KEYS[scheme]) or "none"
        raise ConfigError(
            f"tray {url!r}: unknown key(s) {', '.join(unknown)}",
            hint=f"{scheme}:// trays take: {allowed}",
        )
    for key in ("n", "seed"):
        if key in params:
            try:
                int(params[key])
            except ValueError as exc:
                raise ConfigError(
                    f"tray {url!r}: {key}={params[key]!r} is not a whole number",
                    hint="e.g. n=12&seed=1",
                ) from exc
    return scheme, target, params


#: The query keys each kind of tray takes.
TRAY_KEYS: dict[str, tuple[str, ...]] = {"sim": ("n", "seed"), "replay": (), "rig": ("n",)}


def rig_tray(profile: ProduceProfile, n: int) -> list[TrayItem]:
    """``n`` real items of the profile's kind, class unknown, placed by an operator."""
    if n < 1:
        raise ConfigError(f"a tray needs at least one item, got n={n}", hint="use e.g. n=12")
    return [TrayItem(item_id=f"{profile.name}_{i + 1:02d}", kind=profile.name) for i in range(n)]


def sim_tray(profile: ProduceProfile, n: int, seed: int = 0) -> list[TrayItem]:
    """``n`` simulated fruit with ripeness spread evenly over [0, 1]."""
    from tactile.sim.produce import make_produce

    if n < 1:
        raise ConfigError(f"a tray needs at least one item, got n={n}", hint="use e.g. n=12")
    spec = produce_spec(profile)
    truth_boundaries(profile)  # fail early, before simulating anything
    rng = np.random.default_rng(seed)
    ripeness = (np.arange(n) + rng.uniform(0.0, 1.0, n)) / n
    rng.shuffle(ripeness)
    items = []
    for i, r in enumerate(ripeness):
        name = f"{profile.name}_{i + 1:02d}"
        obj = make_produce(spec, float(r), rng, name=name)
        items.append(
            TrayItem(
                item_id=name,
                kind=profile.name,
                truth_class=true_class(profile, obj.modulus_pa),
                ripeness=float(r),
                true_modulus_pa=obj.modulus_pa,
                obj=obj,
            )
        )
    return items


def replay_tray(path: str | Path) -> list[TrayItem]:
    """One item per object in a grasp file, with its grasps in order (truth from metadata)."""
    from tactile.io import GraspReader

    items: dict[str, list[str]] = {}
    metas: dict[str, Any] = {}
    with GraspReader(path) as reader:
        ids = reader.ids()
        if not ids:
            raise ConfigError(f"{path} holds no grasps", hint="record a tray first")
        for gid in ids:
            meta = reader.metadata(gid)
            key = str(meta.extra.get("item_id", meta.object_id))
            items.setdefault(key, []).append(gid)
            metas.setdefault(key, meta)
    tray = []
    for key, gids in items.items():
        meta = metas[key]
        tray.append(
            TrayItem(
                item_id=key,
                kind=str(meta.extra.get("produce", meta.extra.get("object_material", ""))),
                truth_class=meta.extra.get("truth_class"),
                ripeness=meta.extra.get("ripeness"),
                true_modulus_pa=meta.label_modulus_pa,
                source=str(path),
                grasp_ids=tuple(gids),
            )
        )
    return tray
