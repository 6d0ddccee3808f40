#!/bin/bash
R=/tmp/review22; O=$R/out; PY=/work/main/.venv/bin/python
M=/work/review22/benchmarks/results/given34; V=/work/review22/benchmarks/results/review22
while ! grep -q "^rc=" $R/f3504.log; do sleep 10; done
cat $R/f3504.log
date -u; uptime
for T in main change; do
  D=$R/main; [ $T = change ] && D=/work/review22
  (cd $D && OMP_NUM_THREADS=1 PYTHONPATH=$D nice -n 19 taskset -c 0 $PY $M/measure.py $O/f3504_$T.jsonl $R/f3504.h5)
  date -u
done
uptime
$PY $M/compare.py $O/f3504_main.jsonl $O/f3504_change.jsonl > $O/f3504_compare.txt
$PY $M/variants.py $O/f3504_main.jsonl > $O/f3504_variants.txt
$PY $V/soft.py $O/f3504_main.jsonl $O/f3504_change.jsonl > $O/f3504_soft.txt
date -u
