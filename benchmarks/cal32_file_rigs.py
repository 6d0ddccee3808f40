"""Stored rig calibrations of a simulated file vs the rigs drawn (helper cal32).

    python benchmarks/cal32_file_rigs.py FILE.h5 [FILE.h5 ...]

Per grasp: the calibration's ``rig_compliance_mm_per_n`` (fitted at generation time on the
rig's simulated golf-ball presses, on the processing calibration's gel) minus the rig's drawn
compliance (``meta.extra["rig_rig_compliance_mm_per_n"]``).
"""

from __future__ import annotations

import sys

import numpy as np

from tactile.io import GraspReader
from tactile.sensor import resolve_calibration


def main() -> None:
    for path in sys.argv[1:]:
        errs, fc = [], []
        reader = GraspReader(path)
        for g in reader.ids():
            meta = reader.read_signals(g).meta
            true = meta.extra.get("rig_rig_compliance_mm_per_n")
            if true is None:
                continue
            cal = resolve_calibration(meta)
            errs.append(cal.rig_compliance_mm_per_n - float(true))
            f_c = getattr(cal, "rig_contact_force_n", None)  # absent before cal32
            fc.append(np.nan if f_c is None else f_c)
        e = np.asarray(errs)
        print(
            f"{path}: {e.size} rigs, c_fit - c_true signed median {np.median(e):+.4f}, "
            f"|err| median {np.median(np.abs(e)):.4f}, q90 {np.quantile(np.abs(e), 0.9):.4f}, "
            f"max {np.abs(e).max():.4f} mm/N; F_c median "
            + (f"{np.nanmedian(fc):.3f} N" if np.isfinite(fc).any() else "not stored")
        )


if __name__ == "__main__":
    main()
