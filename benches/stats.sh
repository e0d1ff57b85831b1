#!/usr/bin/env bash
# Side by side, in one session on one machine: radcohort's statistics and
# lifelines 0.30 / scikit-survival on the same synthetic cohorts (10k, 100k
# and 1M rows, 10 covariates), as ../shared/tools/lifelines-anchor.py draws
# them. Prints a Markdown table for BENCHMARKS.md.
#
# usage: benches/stats.sh [LIFELINES_VENV]
# Needs ../shared (RADCOHORT_REFERENCE) and network access the first time,
# to build the lifelines environment with ../shared/tools/lifelines-env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
reference=${RADCOHORT_REFERENCE:-$(pwd)/../shared/reference}
tools=$reference/../tools
venv=${1:-$HOME/.cache/radcohort-ref/lifelines}
out=target/bench
mkdir -p "$out"

bash "$tools/lifelines-env.sh" "$venv" >&2
executable=$(cargo bench --bench stats --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')
results=$out/stats.jsonl
: > "$results"
for n in 10000 100000 1000000; do
  cohort=$out/cohort_$n.csv
  "$venv/bin/python" benches/stats_cohort.py "$n" 10 "$cohort"
  echo "measuring n=$n" >&2
  theirs=$("$venv/bin/python" "$tools/lifelines-anchor.py" "$n" 10 |
    "$venv/bin/python" -c 'import json,sys
d = {}
for line in sys.stdin:
    key, _, value = line.partition(" ")
    if key.endswith("_s"):
        d[key] = float(value)
print(json.dumps(d))')
  ours1=$("$executable" "$cohort" --threads 1)
  oursn=$("$executable" "$cohort" --threads "$(nproc)")
  echo "{\"n\": $n, \"lifelines\": $theirs, \"ours1\": $ours1, \"oursn\": $oursn}" >> "$results"
done

"$venv/bin/python" - "$results" <<'PY'
import json, platform, subprocess, sys
import lifelines
rows = [json.loads(l) for l in open(sys.argv[1])]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpu}, {cores} cores, {platform.system()} {platform.release()}; lifelines {lifelines.__version__}\n")
print(f"| method | rows | lifelines / sksurv s | radcohort 1 thread s | ratio | radcohort {cores} threads s | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
names = [("km_s", "Kaplan–Meier"), ("logrank_s", "log-rank"), ("cox_efron_s", "Cox (Efron), 10 covariates"),
         ("cindex_s", "Harrell's C"), ("coxnet_10fold_path_s", "LASSO-Cox path + 10-fold CV")]
for key, label in names:
    for r in rows:
        theirs, one, many = r["lifelines"].get(key), r["ours1"].get(key), r["oursn"].get(key)
        if theirs is None or one is None:
            continue
        print(f"| {label} | {r['n']:,} | {theirs:.3f} | {one:.4f} | {theirs/one:.0f}× | {many:.4f} | {theirs/many:.0f}× |")
PY
