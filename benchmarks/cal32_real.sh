#!/usr/bin/env bash
# cal32: per-session golf-ball rig calibration (docs/calibration.md, `tactile calibrate rig` on
# wedge-reference-v3) and blind/hybrid/auto estimates of both real sessions with it, for the
# tactile tree TREE (its root on PYTHONPATH). Scored by benchmarks/cal32_real_score.py.
#   benchmarks/cal32_real.sh TREE_ROOT NAME OUTDIR
set -euo pipefail
TREE=$1; NAME=$2; OUT=$3
DATA=${TACTILE_SHARED_DATA:-/work/shared/data}
mkdir -p "$OUT"
T() { PYTHONPATH=$TREE OMP_NUM_THREADS=1 nice -n 19 taskset -c 1 /work/main/.venv/bin/tactile "$@"; }
cd "$TREE"
T calibrate rig "$DATA"/reference_grasps/golf_ball_{1,2,3}.avi --rigid-size-mm 42.67 \
    --calibration wedge-reference-v3 --id "cal32-0612-$NAME" --out "$OUT/rig_0612_$NAME.json" \
    --overwrite --json > "$OUT/rigfit_0612_$NAME.json"
T calibrate rig "$DATA"/reference_grasps_2023-12-16/golf_ball__t=*.avi --rigid-size-mm 42.67 \
    --calibration wedge-reference-v3 --id "cal32-1612-$NAME" --out "$OUT/rig_1612_$NAME.json" \
    --overwrite --json > "$OUT/rigfit_1612_$NAME.json"
for S in 0612 1612; do
  for E in blind hybrid auto; do
    T estimate /tmp/data/ref_${S}_nolabel.h5 --calibration "$OUT/rig_${S}_$NAME.json" \
        --estimator $E --json > "$OUT/est_${S}_${NAME}_$E.json" || true
  done
done
