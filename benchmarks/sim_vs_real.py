"""Simulated vs real grasps of the same objects, through the same measurement pipeline.

``python benchmarks/sim_vs_real.py --real REAL1.h5 REAL2.h5 --out docs/img --grasps 6``
simulates the
five real reference objects (the golf ball, the three 50 mm elastic balls, the foam brick; E,
shape and size from the label table) on randomised rigs (:mod:`tactile.sim.rigs`), rendered as
the real Wedge camera records them (raw 640x480, MJPG) and named with the real calibration
(``wedge-reference-v3``), and sends simulated and real grasps through the *same* code: the
loading-phase logic, the intensity contact method, the depth model and the network's inputs
(:func:`tactile.estimators.neural.data.prepare_grasp`). It writes one PNG of per-feature
histograms (simulated vs each real session) and prints the medians. The real grasps are imported
without labels; nothing is fitted to them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from tactile.sim.grasp import SimGraspConfig, as_wedge_raw, simulate_grasp
from tactile.sim.objects import SimObject
from tactile.sim.rigs import RigRanges, apply_rig, draw_rig

#: The real reference objects as simulated objects (labels from the authors' table).
TWIN_OBJECTS: dict[str, SimObject] = {
    "golf_ball": SimObject(
        shape="sphere", radius_mm=21.335, modulus_pa=8.5e8, poisson=0.35, name="golf_ball",
        dimple_pitch_mm=4.4, dimple_depth_mm=0.25, material="plastic",
    ),
    "purple_ball_hardest": SimObject(
        shape="sphere", radius_mm=25.0, modulus_pa=2.04e5, poisson=0.49,
        name="purple_ball_hardest", material="rubber",
    ),
    "green_ball_softer": SimObject(
        shape="sphere", radius_mm=25.0, modulus_pa=9.36e4, poisson=0.49,
        name="green_ball_softer", material="rubber",
    ),
    "orange_ball_softest": SimObject(
        shape="sphere", radius_mm=25.0, modulus_pa=3.19e4, poisson=0.49,
        name="orange_ball_softest", material="rubber",
    ),
    "foam_brick": SimObject(
        shape="box", size_mm=(70.0, 45.0, 50.0), modulus_pa=3.0e5, poisson=0.2,
        name="foam_brick", material="foam", foam=True, roughness_mm=0.03,
    ),
}  # fmt: skip

#: Per-grasp features compared (name, unit).
FEATURES: tuple[tuple[str, str], ...] = (
    ("peak_force_n", "N"),
    ("width_at_contact_mm", "mm"),
    ("closure_at_peak_mm", "mm"),
    ("contact_area_at_peak_mm2", "mm²"),
    ("gel_depth_at_peak_mm", "mm"),
    ("image_p99_at_peak", "grey levels"),
    ("loading_frames", "frames"),
)


def grasp_features(inputs: object, feats: object) -> dict[str, float]:
    """The compared features of one grasp from its network inputs and processing features."""
    force = np.asarray(inputs.force)  # type: ignore[attr-defined]
    width = np.asarray(inputs.width)  # type: ignore[attr-defined]
    geometry = np.asarray(inputs.geometry)  # type: ignore[attr-defined]
    return {
        "peak_force_n": float(np.expm1(force[0, -1])),
        "width_at_contact_mm": float(np.exp(geometry[0])),
        "closure_at_peak_mm": float(width[0, -1]),
        "contact_area_at_peak_mm2": float(np.expm1(force[1, -1])),
        "gel_depth_at_peak_mm": float(np.exp(force[5, -1])),
        "image_p99_at_peak": float(np.expm1(force[2, -1])),
        "loading_frames": float(feats.peak_index - feats.contact_index + 1),  # type: ignore[attr-defined]
    }


def simulated_rows(n_grasps: int, seed: int) -> list[dict[str, object]]:
    """Features of ``n_grasps`` simulated grasps per twin object, each on its own random rig."""
    from tactile.errors import TactileError
    from tactile.estimators.neural.data import prepare_grasp
    from tactile.estimators.neural.model import model_config

    cfg0 = replace(
        as_wedge_raw(SimGraspConfig.realistic()), processing_calibration_id="wedge-reference-v3"
    )
    config = model_config("mt-rig")
    rows: list[dict[str, object]] = []
    for j, (name, obj) in enumerate(TWIN_OBJECTS.items()):
        for k in range(n_grasps):
            rng = np.random.default_rng(np.random.SeedSequence([seed, j, k]))
            cfg = apply_rig(cfg0, draw_rig(rng, RigRanges()))
            grasp = simulate_grasp(obj, cfg, seed=int(rng.integers(2**31)))
            try:
                inputs, feats, _ = prepare_grasp(grasp, config, analytical=None)
            except TactileError as exc:
                rows.append({"object": name, "source": "sim", "error": exc.message})
                continue
            rows.append({"object": name, "source": "sim", **grasp_features(inputs, feats)})
    return rows


def real_rows(path: Path, session: str) -> list[dict[str, object]]:
    """Features of every grasp of a real grasp file (imported without labels)."""
    from tactile.errors import TactileError
    from tactile.estimators.neural.data import prepare_stored
    from tactile.estimators.neural.model import model_config
    from tactile.io import GraspReader

    reader = GraspReader(path)
    config = model_config("mt-rig")
    rows: list[dict[str, object]] = []
    for gid in reader.ids():
        try:
            inputs, feats, _, meta = prepare_stored(reader, gid, config, analytical=None)
        except TactileError as exc:
            rows.append({"object": gid, "source": session, "error": exc.message})
            continue
        rows.append({"object": meta.object_id, "source": session, **grasp_features(inputs, feats)})
    return rows


def plot(rows: list[dict[str, object]], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sources = sorted({str(r["source"]) for r in rows}, key=lambda s: (s != "sim", s))
    fig, axes = plt.subplots(2, 4, figsize=(16, 7))
    for ax, (key, unit) in zip(axes.flat, FEATURES, strict=False):
        values = {
            s: [float(r[key]) for r in rows if r["source"] == s and key in r]  # type: ignore[arg-type]
            for s in sources
        }
        finite = [v for vs in values.values() for v in vs if np.isfinite(v)]
        if not finite:
            continue
        bins = np.linspace(min(finite), max(finite), 16)
        for s in sources:
            ax.hist(values[s], bins=bins, alpha=0.45, density=True, label=f"{s} ({len(values[s])})")
        ax.set_title(f"{key} [{unit}]", fontsize=9)
    axes.flat[-1].axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(
        "Same objects, same pipeline (wedge-reference-v3, intensity contact): simulated on "
        "randomised rigs vs the two real sessions",
        fontsize=10,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--real", type=Path, nargs="+", required=True, help="imported real grasp files")
    p.add_argument("--out", type=Path, default=Path("docs/img"))
    p.add_argument("--grasps", type=int, default=6, help="simulated grasps per object")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None, help="write every row to this file")
    args = p.parse_args(argv)
    rows = simulated_rows(args.grasps, args.seed)
    for path in args.real:
        rows += real_rows(path, path.stem)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {plot(rows, args.out / 'sim_vs_real_features.png')}")
    for key, _ in FEATURES:
        line = [f"{key:<26}"]
        for src in sorted({str(r["source"]) for r in rows}):
            for obj in TWIN_OBJECTS:
                v = [
                    float(r[key])
                    for r in rows
                    if r["source"] == src and r["object"] == obj and key in r
                ]  # type: ignore[arg-type]
                if v:
                    line.append(f"{src[:8]}/{obj[:6]} {np.median(v):.3g}")
        print("  ".join(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
