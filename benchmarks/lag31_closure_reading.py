"""Why the rig fit reads the golf ball's closure short on simulated rigs (helper lag31).

    python benchmarks/lag31_closure_reading.py sim --rigs 40 --seed 3131 OUT.jsonl
    python benchmarks/lag31_closure_reading.py real OUT.jsonl
    python benchmarks/lag31_closure_reading.py report SIM.jsonl [SIM.jsonl ...]

For each fresh randomised rig (``draw_rig`` seeded as ``bench_imprint_split.fresh_rigs``,
``apply_rig`` on ``SimGraspConfig.wedge_raw()`` with base ``wedge-reference-v3``) the three
calibration presses are re-simulated exactly as :func:`tactile.sim.rigs.press_signals` does
(same seeds, same random draws; checked equal), keeping the truth: the gel-to-gel gap, the
noise-free force and the encoder position (motor = gap − c·F plus the offset). Per press:

* ``S`` = the exact model's closure at the read hold force (the rig's own gel, simulator law,
  plus c_true·F) minus the closure ``fit_rig`` reads (contact width − hold width);
* split exactly into ``contact`` (true encoder at the touch − read contact width), ``hold``
  (read hold width − true encoder over the same hold frames), ``force`` (the model at the read
  vs the true hold force) and ``model`` (the model at the true hold force − the true closure);
* ``contact`` again on ideal signals (true force, true encoder every frame: the estimators'
  own definition) and on a ladder of the reading's faults;
* per estimator of ``contact_width`` (hinge 1.5, hinge 1, force onset).

A what-if recomputes c_rig with ``contact`` corrections. Pure measurement, nothing in
``tactile/`` changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rig_split import _base_config

from tactile.estimators.neural.rig import REFERENCE_SPHERE_DIAMETER_MM
from tactile.processing.grasp_geometry import contact_width, hold_point
from tactile.processing.grasp_signals import correct_signals
from tactile.processing.rig_fit import fit_rig, rigid_sphere_gel_closure_mm
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.gripper import encoder_width_mm, plan_motion, relaxation_factor
from tactile.sim.objects import SimObject
from tactile.sim.rigs import (
    CALIBRATION_PRESSES,
    RigRanges,
    apply_rig,
    draw_rig,
    press_signals,
)
from tactile.sim.sensors import frame_times, noisy_force, noisy_width

SIZE = REFERENCE_SPHERE_DIAMETER_MM


def _truth(cfg: Any, seed: int) -> dict[str, Any]:
    """``press_signals`` step by step, keeping what it throws away."""
    ball = SimObject(shape="sphere", radius_mm=SIZE / 2.0, modulus_pa=1e11, poisson=0.3)
    gel = GelModel.from_calibration(cfg.calibration)
    pad = cfg.calibration.pad_size_mm or (35.0, 25.5)
    curve = contact_curve(ball, gel, pad_x_mm=pad[0], pad_y_mm=pad[1])
    rng = np.random.default_rng(seed)
    motion = plan_motion(ball.size_z_mm, curve, cfg.gripper, cfg.fps, cfg.max_frames)
    t_s, keep = frame_times(motion.t_s.size, cfg.fps, cfg.noise, rng)
    gap = motion.width_mm[keep]
    relax = relaxation_factor(
        motion.t_s[keep], motion.stop_time_s, cfg.relaxation_fraction, cfg.relaxation_time_s
    )
    force = curve.at(np.maximum((ball.size_z_mm - gap) / 2.0, 0.0))["force_n"] * relax
    drift = cfg.noise.motion_force_n_per_mm * (gap[0] - gap)
    force_read = noisy_force(force + drift, t_s, cfg.noise, rng)
    enc = encoder_width_mm(gap, force, cfg.gripper)
    width_read = noisy_width(enc, t_s, cfg.noise, rng)
    return {
        "t": t_s,
        "gap": gap,
        "force": force,
        "force_read": force_read,
        "enc": enc,
        "width_read": width_read,
        "curve": curve,
    }


def _read(t: np.ndarray, f: np.ndarray, w: np.ndarray, c_rig: float) -> tuple[Any, Any, Any]:
    c = correct_signals(t, f, w, c_rig)
    return c, contact_width(c.force_n, c.width_mm), hold_point(c.force_n, c.width_mm)


def _ladder(cfg: Any, tr: dict[str, Any], seed: int, c_rig: float) -> dict[str, float]:
    """Contact width read with the reading's faults added one at a time (own random draws)."""
    n = cfg.noise
    t, enc, force = tr["t"], tr["enc"], tr["force"]
    drift = n.motion_force_n_per_mm * (tr["gap"][0] - tr["gap"])
    steps = {
        "ideal": (force, enc),
    }
    rng = np.random.default_rng(seed + 777)
    f_noisy = noisy_force(force, t, n, rng)
    steps["+force noise"] = (f_noisy, enc)
    lat = replace(
        n,
        width_noise_sd_mm=0.0,
        width_resolution_mm=0.0,
        width_update_period_s=0.0,
    )
    steps["+latency"] = (f_noisy, noisy_width(enc, t, lat, rng))
    steps["+steps,res,noise"] = (f_noisy, noisy_width(enc, t, n, rng))
    steps["+motion force"] = (f_noisy + drift, steps["+steps,res,noise"][1])
    out = {}
    for name, (f, w) in steps.items():
        cw = contact_width(f, w) if name == "ideal" else _read(t, f, w, c_rig)[1]
        out[name] = float(cw.width_mm)
        for k, v in cw.estimates_mm.items():
            out[f"{name}:{k}"] = float(v)
    return out


def run_rig(k: int, seed: int) -> list[dict[str, Any]]:
    cfg0 = _base_config()
    rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
    draw = draw_rig(rng, RigRanges())
    cfg = apply_rig(cfg0, draw)
    base_seed = int(1e6 * (draw.gel_thickness_mm % 1.0))
    presses = [press_signals(cfg, base_seed + i) for i in range(CALIBRATION_PRESSES)]
    from tactile.sensor import get_calibration

    base = get_calibration(cfg0.processing_calibration_id)
    fit = fit_rig(presses, base, size_mm=SIZE)
    c_true = draw.rig_compliance_mm_per_n
    true_cal = replace(
        base,
        gel_modulus_pa=draw.gel_modulus_pa,
        gel_thickness_mm=draw.gel_thickness_mm,
        gel_max_strain=draw.gel_max_strain,
        gel_model=cfg.calibration.gel_model,
    )
    rows = []
    for i, (p, rp) in enumerate(zip(presses, fit.presses, strict=True)):
        tr = _truth(cfg, base_seed + i)
        assert np.array_equal(tr["force_read"], p.force_n)
        assert np.array_equal(tr["width_read"], p.width_mm)
        curve = tr["curve"]
        # the reading with fit_rig's final compliance for the motion force (its second pass
        # uses its first pass's; the contact and hold numbers below are fit_rig's own)
        corr = correct_signals(p.t_s, p.force_n, p.width_mm, fit.rig_compliance_mm_per_n)
        cw = contact_width(corr.force_n, corr.width_mm)
        hold = hold_point(corr.force_n, corr.width_mm)
        # use fit_rig's own numbers for the read closure (second pass included)
        cw_read, f_read = rp.contact_width_mm, rp.hold_force_n
        hold_w_read = rp.contact_width_mm - rp.closure_mm
        held = corr.force_n >= 0.9 * float(np.max(corr.force_n))
        f_true = float(np.median(tr["force"][held]))
        enc_hold = float(np.median(tr["enc"][held]))
        enc_touch = SIZE + cfg.gripper.width_offset_mm
        c_true_closure = enc_touch - enc_hold

        def model(force: float, curve: Any = curve) -> float:
            return 2.0 * float(curve.delta_for_force(force)) + c_true * force

        s = model(f_read) - rp.closure_mm
        parts = {
            "contact": enc_touch - cw_read,
            "hold": hold_w_read - enc_hold,
            "force": model(f_read) - model(f_true),
            "model": model(f_true) - c_true_closure,
        }
        # the estimators' force at the read contact: the true force where the true encoder
        # passes the read contact width (on the loading branch)
        peak = int(np.argmax(tr["force"]))
        load_enc, load_f = tr["enc"][: peak + 1][::-1], tr["force"][: peak + 1][::-1]
        f_at_cw = float(np.interp(cw_read, load_enc, load_f))
        # the READ force at the read contact width (loading branch of the corrected signals,
        # above the rest level): what a processing fix could offset the model by
        fc = np.asarray(corr.force_n, dtype=np.float64)
        wc = np.asarray(corr.width_mm, dtype=np.float64)
        pk = int(np.argmax(fc))
        rest = float(np.median(fc[:5]))
        order = np.argsort(wc[: pk + 1])
        f_c_read = max(
            float(np.interp(cw_read, wc[: pk + 1][order], fc[: pk + 1][order])) - rest, 0.0
        )
        # what-if for the hold: the stair reading itself (lag-shifted, held value, no
        # interpolation towards the next change) over the same hold frames
        lag = 0.0 if corr.lag is None else corr.lag.lag_s
        t = np.asarray(p.t_s, dtype=np.float64)
        hold_w_stair = _stair_hold(t, np.asarray(p.width_mm, dtype=np.float64), lag, held)
        spikes = int(np.sum(np.asarray(p.force_n) < -10.0))
        ladder = _ladder(cfg, tr, base_seed + i, 0.0)
        fit_law = rigid_sphere_gel_closure_mm(f_read, SIZE / 2.0, true_cal)
        rows.append(
            {
                "rig": k,
                "press": i,
                "rejected": rp.grasp_id in fit.rejected,
                "c_true": c_true,
                "c_fit": fit.rig_compliance_mm_per_n,
                "c_press": rp.rig_compliance_mm_per_n,
                "gel_pa": draw.gel_modulus_pa,
                "gel_mm": draw.gel_thickness_mm,
                "gel_max_strain": draw.gel_max_strain,
                "gel_model": cfg.calibration.gel_model,
                "speed": draw.close_speed_mm_s,
                "period": draw.width_update_period_s,
                "latency": draw.width_latency_s,
                "resolution": draw.width_resolution_mm,
                "motion": draw.motion_force_n_per_mm,
                "target": draw.force_target_n,
                "f_read": f_read,
                "f_true": f_true,
                "closure_read": rp.closure_mm,
                "closure_true": c_true_closure,
                "model_read_f": model(f_read),
                "S": s,
                **parts,
                "gel_sim_2delta": 2.0 * float(curve.delta_for_force(f_read)),
                "gel_fitlaw": fit_law,
                "f_at_read_contact": f_at_cw,
                "f_c_read": f_c_read,
                "gel_fitlaw_at_fc": rigid_sphere_gel_closure_mm(f_c_read, SIZE / 2.0, true_cal),
                "spikes": spikes,
                "hold_stair": hold_w_stair - enc_hold,
                "hold_w_read_fn": hold.width_mm,
                "gripper_offset": cfg.gripper.width_offset_mm,
                "lag_read": None if corr.lag is None else corr.lag.lag_s,
                "motion_read": None if corr.motion is None else corr.motion.slope_n_per_mm,
                "estimates": {k2: enc_touch - v for k2, v in cw.estimates_mm.items()},
                "ladder": {k2: enc_touch - v for k2, v in ladder.items()},
                "hold_read_0": hold.width_mm,
            }
        )
    return rows


def _stair_hold(t: np.ndarray, w_raw: np.ndarray, lag_s: float, held: np.ndarray) -> float:
    """Median over the hold frames of the raw (stair) reading ``lag_s`` later, no interpolation."""
    j = np.clip(np.searchsorted(t, t + lag_s, side="right") - 1, 0, t.size - 1)
    return float(np.median(w_raw[j][held]))


def real(data: Path) -> list[dict[str, Any]]:
    """The real golf-ball presses: force at the read first squeeze, the width's update pattern
    during the hold, and c_rig with each what-if (gel as ``wedge-reference-v3`` models it)."""
    from tactile.io import load_grasps
    from tactile.sensor import get_calibration

    sessions = {
        "2023-12-06": sorted((data / "reference_grasps").glob("golf_ball_[0-9].avi")),
        "2023-12-16": sorted((data / "reference_grasps_2023-12-16").glob("golf_ball__t=*.avi")),
    }
    cal = get_calibration("wedge-reference-v3")
    out = []
    for name, files in sessions.items():
        grasps = [g for p in files for g in load_grasps(p)]
        fit = fit_rig(grasps, cal, size_mm=SIZE)
        for g, rp in zip(grasps, fit.presses, strict=True):
            corr = correct_signals(g.t_s, g.force_n, g.width_mm, fit.rig_compliance_mm_per_n)
            cw = contact_width(corr.force_n, corr.width_mm)
            fc = np.asarray(corr.force_n, dtype=np.float64)
            wc = np.asarray(corr.width_mm, dtype=np.float64)
            pk = int(np.argmax(fc))
            rest = float(np.median(fc[:5]))
            order = np.argsort(wc[: pk + 1])
            f_c = float(np.interp(rp.contact_width_mm, wc[: pk + 1][order], fc[: pk + 1][order]))
            f_c = max(f_c - rest, 0.0)
            held = fc >= 0.9 * float(np.max(fc))
            t = np.asarray(g.t_s, dtype=np.float64)
            w_raw = np.asarray(g.width_mm, dtype=np.float64)
            lag = 0.0 if corr.lag is None else corr.lag.lag_s
            hold_stair = _stair_hold(t, w_raw, lag, held)
            hold_read = rp.contact_width_mm - rp.closure_mm
            changes = np.flatnonzero(np.diff(w_raw) != 0.0)
            runs = np.diff(changes)
            hi = np.flatnonzero(held)
            fresh_in_hold = int(np.sum((changes + 1 >= hi.min()) & (changes + 1 <= hi.max())))
            gel_h = rigid_sphere_gel_closure_mm(rp.hold_force_n, SIZE / 2.0, cal)
            gel_c = rigid_sphere_gel_closure_mm(f_c, SIZE / 2.0, cal)
            closure_stair = rp.contact_width_mm - hold_stair
            out.append(
                {
                    "session": name,
                    "press": rp.grasp_id,
                    "rejected": rp.grasp_id in fit.rejected,
                    "hold_force_n": rp.hold_force_n,
                    "closure_mm": rp.closure_mm,
                    "estimates": {k: cw.width_mm - v for k, v in cw.estimates_mm.items()},
                    "starts_in_contact": cw.starts_in_contact,
                    "f_c_read": f_c,
                    "rest_force_n": rest,
                    "lag_s": lag,
                    "update_frames_median": float(np.median(runs)) if runs.size else None,
                    "hold_frames": int(held.sum()),
                    "hold_span_frames": int(hi.max() - hi.min() + 1),
                    "fresh_in_hold": fresh_in_hold,
                    "hold_read_minus_stair_mm": hold_read - hold_stair,
                    "c_press": rp.rig_compliance_mm_per_n,
                    "c_offset_model": (rp.closure_mm - (gel_h - gel_c)) / (rp.hold_force_n - f_c),
                    "c_offset_stair": (closure_stair - (gel_h - gel_c)) / (rp.hold_force_n - f_c),
                    "gel_closure_at_fc_mm": gel_c,
                }
            )
    return out


def _stats(x: Any) -> str:
    v = np.asarray(x, dtype=np.float64)
    v = v[np.isfinite(v)]
    q05, q95 = np.quantile(v, [0.05, 0.95])
    return (
        f"{np.median(v):+.3f} | {q05:+.3f} … {q95:+.3f} | {np.quantile(np.abs(v), 0.9):.3f} "
        f"| {np.abs(v).max():.3f}"
    )


def _rig_errors(rows: list[dict[str, Any]], per_press: Any) -> np.ndarray:
    """c_rig − c_true per rig: median of the kept presses' values, clipped at 0 as fit_rig."""
    out = []
    for k in sorted({r["rig"] for r in rows}):
        rs = [r for r in rows if r["rig"] == k and not r["rejected"]]
        out.append(max(float(np.median([per_press(r) for r in rs])), 0.0) - rs[0]["c_true"])
    return np.array(out)


WHAT_IFS: dict[str, Any] = {
    "fit_rig as stored (v3 gel)": lambda r: r["c_press"],
    "true gel, closure as read": lambda r: (r["closure_read"] - r["gel_fitlaw"]) / r["f_read"],
    "true gel, true touch (oracle)": lambda r: (
        (r["closure_read"] + r["contact"] - r["gel_fitlaw"]) / r["f_read"]
    ),
    "true gel, true touch and hold (oracle)": lambda r: (
        (r["closure_read"] + r["contact"] + r["hold"] - r["gel_fitlaw"]) / r["f_read"]
    ),
    "true gel, hinge 1.5 contact only": lambda r: (
        (
            r["closure_read"]
            + r["contact"]
            - r["estimates"].get("hinge_1.5", r["contact"])
            - r["gel_fitlaw"]
        )
        / r["f_read"]
    ),
    "FIX A: true gel, model from the read force at the read touch": lambda r: (
        (r["closure_read"] - (r["gel_fitlaw"] - r["gel_fitlaw_at_fc"]))
        / (r["f_read"] - r["f_c_read"])
    ),
    "FIX A + B (hold from the stair reading)": lambda r: (
        (
            r["closure_read"]
            + r["hold"]
            - r["hold_stair"]
            - (r["gel_fitlaw"] - r["gel_fitlaw_at_fc"])
        )
        / (r["f_read"] - r["f_c_read"])
    ),
}


def _gel_what_if(scale: float | None, offset: bool) -> Any:
    """Per-press c_rig with the true gel's modulus x ``scale`` (None: the base calibration's
    gel, ``wedge-reference-v3``), the model from zero force or (``offset``) from F_c."""
    from tactile.sensor import get_calibration

    base = get_calibration("wedge-reference-v3")

    def per_press(r: dict[str, Any]) -> float:
        cal = base
        if scale is not None:
            cal = replace(
                base,
                gel_modulus_pa=r["gel_pa"] * scale,
                gel_thickness_mm=r["gel_mm"],
                gel_max_strain=r["gel_max_strain"],
                gel_model=r["gel_model"],
            )
        gel_h = rigid_sphere_gel_closure_mm(r["f_read"], SIZE / 2.0, cal)
        if not offset:
            return (r["closure_read"] - gel_h) / r["f_read"]
        gel_c = rigid_sphere_gel_closure_mm(r["f_c_read"], SIZE / 2.0, cal)
        return (r["closure_read"] - (gel_h - gel_c)) / (r["f_read"] - r["f_c_read"])

    return per_press


def report(paths: list[Path]) -> None:
    for path in paths:
        rows = [json.loads(line) for line in path.open()]
        kept = [r for r in rows if not r["rejected"]]
        print(
            f"## {path.name}: {len(rows)} presses, {len(kept)} kept, "
            f"{len({r['rig'] for r in rows})} rigs"
        )
        print("\nshortfall parts (mm; + = closure read short): median | 5–95 % | q90 |.| | max")
        for k in ("S", "contact", "hold", "force", "model"):
            print(f"| {k} | {_stats([r[k] for r in kept])} |")
        print(f"| S / F_hold (mm/N) | {_stats([r['S'] / r['f_read'] for r in kept])} |")
        print(
            f"| fit law − sim law (gel closure) | "
            f"{_stats([r['gel_fitlaw'] - r['gel_sim_2delta'] for r in kept])} |"
        )
        print("\ncontact part, ladder (touch − read contact width, mm)")
        for step in ("ideal", "+force noise", "+latency", "+steps,res,noise", "+motion force"):
            cells = [_stats([r["ladder"][step] for r in kept])]
            for e in ("hinge_1.5", "hinge_1", "force_onset"):
                v = [r["ladder"].get(f"{step}:{e}") for r in kept]
                cells.append(f"{np.median([x for x in v if x is not None]):+.3f}")
            print(f"| {step} | " + " | ".join(cells) + " |")
        picks: dict[str, int] = {}
        for r in kept:
            es = r["estimates"]
            med = float(np.median(list(es.values())))
            name = next((k for k, v in es.items() if abs(v - med) < 1e-9), "mean of two")
            picks[name] = picks.get(name, 0) + 1
        print("median estimate picked:", picks)
        print(f"read force at the read touch (N): {_stats([r['f_c_read'] for r in kept])}")
        print(f"spikes (< −10 N) in presses: {sum(r['spikes'] > 0 for r in rows)}")
        print(f"hold, stair reading (mm): {_stats([r['hold_stair'] for r in kept])}")
        print("\nby gel modulus (contact part median, S/F median):")
        for lo, hi in ((1.5e5, 2.5e5), (2.5e5, 4e5), (4e5, 6.1e5)):
            sub = [r for r in kept if lo <= r["gel_pa"] < hi]
            if sub:
                print(
                    f"| {lo / 1e3:.0f}–{hi / 1e3:.0f} kPa | {len(sub)} | "
                    f"{np.median([r['contact'] for r in sub]):+.3f} | "
                    f"{np.median([r['f_c_read'] for r in sub]):.2f} | "
                    f"{np.median([r['S'] / r['f_read'] for r in sub]):+.4f} |"
                )
        print("by width resolution x update period (hold part median, q90):")
        for lo, hi in ((0.0, 0.05), (0.05, 0.2)):
            for plo, phi in ((0.03, 0.09), (0.09, 0.16)):
                sub = [r for r in kept if lo <= r["resolution"] < hi and plo <= r["period"] < phi]
                if sub:
                    h = [r["hold"] for r in sub]
                    print(
                        f"| res {lo}–{hi} mm, period {plo}–{phi} s | {len(sub)} | "
                        f"{np.median(h):+.3f} | {np.quantile(h, 0.9):+.3f} |"
                    )
        print("rank correlation of the contact part / hold part with the rig's parameters:")
        y1 = np.array([r["contact"] for r in kept])
        y2 = np.array([r["hold"] for r in kept])
        for k in (
            "close_speed",
            "period",
            "latency",
            "resolution",
            "motion",
            "c_true",
            "gel_pa",
            "gel_mm",
            "target",
        ):
            key = "speed" if k == "close_speed" else k
            x = np.array([r[key] for r in kept], dtype=np.float64)
            rx = np.argsort(np.argsort(x))
            c1 = np.corrcoef(rx, np.argsort(np.argsort(y1)))[0, 1]
            c2 = np.corrcoef(rx, np.argsort(np.argsort(y2)))[0, 1]
            print(f"| {k} | {c1:+.2f} | {c2:+.2f} |")
        print("\nc_rig − c_true per rig (mm/N): median | 5–95 % | q90 |.| | max |.|")
        for name, fn in WHAT_IFS.items():
            print(f"| {name} | {_stats(_rig_errors(rows, fn))} |")
        print("\nFIX A with a wrong gel (the true gel's modulus x s; v3: the base calibration):")
        print("as read, then FIX A: c_rig − c_true per rig, median | 5–95 % | q90 |.| | max |.|")
        for scale in (0.5, 0.7, 1.0, 1.4, 2.0, None):
            print(
                f"| x{scale or 'v3'} | {_stats(_rig_errors(rows, _gel_what_if(scale, False)))} "
                f"| {_stats(_rig_errors(rows, _gel_what_if(scale, True)))} |"
            )
        print()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sim", help="fresh randomised rigs, truth kept")
    s.add_argument("--rigs", type=int, default=40)
    s.add_argument("--seed", type=int, default=3131)
    s.add_argument("out", type=Path)
    r = sub.add_parser("real", help="the real golf-ball presses")
    r.add_argument("--data", type=Path, default=Path("../shared/data"))
    r.add_argument("out", type=Path)
    q = sub.add_parser("report", help="tables from sim outputs")
    q.add_argument("paths", type=Path, nargs="+")
    a = ap.parse_args()
    if a.cmd == "report":
        report(a.paths)
        return
    with a.out.open("w") as fh:
        if a.cmd == "real":
            for row in real(a.data):
                fh.write(json.dumps(row) + "\n")
            return
        for k in range(a.rigs):
            for row in run_rig(k, a.seed):
                fh.write(json.dumps(row) + "\n")
            fh.flush()


if __name__ == "__main__":
    main()
