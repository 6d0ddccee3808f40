"""How far ``fit_rig`` reads a simulated rig's compliance from the one simulated (helper cal32).

    python benchmarks/cal32_rig_error.py --seeds 3211 3212 --rigs 40 [--out ROWS.jsonl]

Rigs are drawn as ``bench_imprint_split.fresh_rigs`` / ``lag31_closure_reading.py`` draw them
(``draw_rig`` with ``SeedSequence([seed, k])``, ``apply_rig`` on ``SimGraspConfig.wedge_raw()``
with the processing calibration ``wedge-reference-v3``). Per rig: ``c_fit − c_true`` (mm/N)
with the calibration a user would have (the rig's stored calibration, fitted on v3's gel by
``apply_rig`` itself) and with the rig's TRUE gel as the base (the same three presses,
``press_signals`` with the seeds ``apply_rig`` uses). Runs with whichever ``tactile`` is on the
path, so main's and a branch's fits are compared on the same rigs and presses.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rig_split import _base_config

from tactile.estimators.neural.rig import REFERENCE_SPHERE_DIAMETER_MM
from tactile.processing.rig_fit import fit_rig
from tactile.sensor import get_calibration
from tactile.sim.rigs import CALIBRATION_PRESSES, RigRanges, apply_rig, draw_rig, press_signals


def rows(seed: int, n_rigs: int) -> list[dict[str, float]]:
    cfg0 = _base_config()
    base = get_calibration(cfg0.processing_calibration_id)
    out = []
    for k in range(n_rigs):
        draw = draw_rig(np.random.default_rng(np.random.SeedSequence([seed, k])), RigRanges())
        cfg = apply_rig(cfg0, draw)
        press_seed = int(1e6 * (draw.gel_thickness_mm % 1.0))  # as apply_rig seeds them
        presses = [press_signals(cfg, press_seed + i) for i in range(CALIBRATION_PRESSES)]
        true_cal = replace(
            base,
            gel_modulus_pa=draw.gel_modulus_pa,
            gel_thickness_mm=draw.gel_thickness_mm,
            gel_max_strain=draw.gel_max_strain,
            gel_model=cfg.calibration.gel_model,
        )
        c_true = draw.rig_compliance_mm_per_n
        fit_true = fit_rig(presses, true_cal, size_mm=REFERENCE_SPHERE_DIAMETER_MM)
        out.append(
            {
                "seed": seed,
                "rig": k,
                "c_true": c_true,
                "gel_pa": draw.gel_modulus_pa,
                "err_user": cfg.rig_calibration.rig_compliance_mm_per_n - c_true,
                "err_truegel": fit_true.rig_compliance_mm_per_n - c_true,
                "rejected_truegel": len(fit_true.rejected),
            }
        )
    return out


def summary(values: list[float]) -> str:
    v = np.asarray(values, dtype=np.float64)
    a = np.abs(v)
    return (
        f"signed median {np.median(v):+.4f}, |err| median {np.median(a):.4f}, "
        f"q90 {np.quantile(a, 0.9):.4f}, max {a.max():.4f} (n={v.size})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[3211, 3212])
    ap.add_argument("--rigs", type=int, default=40)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    import tactile

    print(f"tactile from {Path(tactile.__file__).parent}")
    table = [r for s in args.seeds for r in rows(s, args.rigs)]
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in table))
    for key, name in (("err_truegel", "rig's true gel"), ("err_user", "v3 gel (stored)")):
        print(f"c_fit - c_true, {name}: {summary([r[key] for r in table])}")
        for s in args.seeds:
            print(f"  seed {s}: {summary([r[key] for r in table if r['seed'] == s])}")


if __name__ == "__main__":
    main()
