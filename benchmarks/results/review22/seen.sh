#!/bin/bash
R=/tmp/review22; O=$R/out; PY=/work/main/.venv/bin/python
M=/work/review22/benchmarks/results/given34; V=/work/review22/benchmarks/results/review22
F="/tmp/data/sim_below.h5 /tmp/data/sim_test.h5 /tmp/data/sim_val.h5 /tmp/data/rr4.h5 /tmp/given32/f3501.h5 /tmp/given32/f3502.h5"
date -u; uptime
for T in main change; do
  D=$R/main; [ $T = change ] && D=/work/review22
  (cd $D && OMP_NUM_THREADS=1 PYTHONPATH=$D nice -n 19 taskset -c 0 $PY $M/measure.py $O/seen_$T.jsonl $F)
  date -u
done
$PY $M/compare.py $O/seen_main.jsonl $O/seen_change.jsonl > $O/seen_compare.txt
$PY $V/soft.py $O/seen_main.jsonl $O/seen_change.jsonl > $O/seen_soft.txt
date -u; uptime
