#!/bin/bash
R=/tmp/review22; O=$R/out; PY=/work/main/.venv/bin/python; TC=/work/main/.venv/bin/tactile
M=/work/review22/benchmarks/results/given34
declare -A TREE=([main]=$R/main [change]=/work/review22)
date -u; uptime
for T in main change; do
  (cd ${TREE[$T]} && OMP_NUM_THREADS=1 PYTHONPATH=${TREE[$T]} nice -n 19 taskset -c 0 $PY $M/measure.py $O/f3503_$T.jsonl /tmp/given34/f3503.h5)
done
date -u; uptime
$PY $M/compare.py $O/f3503_main.jsonl $O/f3503_change.jsonl > $O/f3503_compare.txt
for T in main change; do for f in ref_0612 ref_1612; do
  (cd ${TREE[$T]} && OMP_NUM_THREADS=1 PYTHONPATH=${TREE[$T]} nice -n 19 taskset -c 0 $TC estimate /tmp/data/$f.h5 --estimator auto --json > $O/c4_${T}_$f.json)
  (cd ${TREE[$T]} && OMP_NUM_THREADS=1 PYTHONPATH=${TREE[$T]} nice -n 19 taskset -c 0 $TC estimate /tmp/data/${f}_nolabel.h5 --estimator blind --json > $O/c5_${T}_$f.json)
done; done
for f in ref_0612 ref_1612; do cmp $O/c5_main_$f.json $O/c5_change_$f.json && echo "C5 $f identical"; done
date -u; uptime
for T in main change; do for d in reference_grasps reference_grasps_2023-12-16; do
  (cd ${TREE[$T]} && OMP_NUM_THREADS=1 PYTHONPATH=${TREE[$T]} nice -n 19 taskset -c 0 $TC evaluate ../shared/data/$d --labels ../shared/data/objects_and_compliance.csv --calibration wedge-reference-v4 > $O/eval_${T}_$d.txt 2>&1)
done; done
date -u; uptime
