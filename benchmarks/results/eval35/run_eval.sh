#!/bin/bash
# usage: run_eval.sh TREE OUTPREFIX ; runs from /work/eval35 (so ../shared/data resolves)
tree=$1; pre=$2
cd /work/eval35
for s in reference_grasps reference_grasps_2023-12-16; do
  for est in auto hybrid; do
    echo "== $s $est $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    PYTHONPATH=$tree OMP_NUM_THREADS=1 nice -n 19 taskset -c 0 /work/main/.venv/bin/tactile evaluate ../shared/data/$s --labels ../shared/data/objects_and_compliance.csv --calibration wedge-reference-v4 --estimator $est > ${pre}_${s}_${est}.txt 2>&1; echo "rc $?"
    PYTHONPATH=$tree OMP_NUM_THREADS=1 nice -n 19 taskset -c 0 /work/main/.venv/bin/tactile evaluate ../shared/data/$s --labels ../shared/data/objects_and_compliance.csv --calibration wedge-reference-v4 --estimator $est --json > ${pre}_${s}_${est}.json 2>${pre}_${s}_${est}.err; echo "rc $?"
  done
done
echo "end $(date -u +%H:%M:%S)"
