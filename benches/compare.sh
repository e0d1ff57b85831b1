#!/usr/bin/env bash
# Side by side, in one session on one machine: radcohort and PyRadiomics 3.1
# extracting PyRadiomics' reference cases, then radcohort across a cohort at
# 1 and N threads. Prints a Markdown table for BENCHMARKS.md.
#
# usage: benches/compare.sh [PYRADIOMICS_VENV]
# Needs ../shared (RADCOHORT_REFERENCE) and network access the first time,
# to build the PyRadiomics environment with ../shared/tools/pyradiomics-env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
reference=${RADCOHORT_REFERENCE:-$(pwd)/../shared/reference}
tools=$reference/../tools
venv=${1:-$HOME/.cache/radcohort-ref/pyradiomics}
out=target/bench
mkdir -p "$out"

bash "$tools/pyradiomics-env.sh" "$venv" >&2
# Run the bench binary itself, not through cargo: a process's peak RSS
# survives exec on Linux, so under `cargo bench` it would be cargo's.
executable=$(cargo bench --bench extract --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')
bench() { "$executable" "$@" 2>/dev/null; }

results=$out/results.jsonl
: > "$results"
for run in "brain1 default 5" "breast1 default 5" "lung1 default 3" "brain1 filters 3" "breast1 filters 3"; do
  set -- $run
  case=$1 params=$reference/pyradiomics/params/$2.yaml repeats=$3
  echo "measuring $case $2" >&2
  ours=$(bench "$case" "$params" --threads 1 --repeats "$repeats")
  ours_all=$(bench "$case" "$params" --threads "$(nproc)" --repeats "$repeats")
  theirs=$("$venv/bin/python" "$tools/pyradiomics-features.py" \
    "$reference/pyradiomics/cases/${case}_image.nii.gz" "$reference/pyradiomics/cases/${case}_label.nii.gz" \
    "$params" "$repeats" | "$venv/bin/python" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"seconds": d["seconds"], "features": len(d["features"])}))')
  echo "{\"case\": \"$case\", \"params\": \"$2\", \"ours\": $ours, \"ours_all\": $ours_all, \"pyradiomics\": $theirs}" >> "$results"
done

# Whole commands, as a user runs them: process start, imports and file
# reading included (PyRadiomics' command line against `radcohort features`).
wall() { # median wall seconds of 3 runs of "$@"
  "$venv/bin/python" - "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
PY
}
cargo build --release --quiet >&2
for run in "lung1 default" "brain1 filters"; do
  set -- $run
  image=$reference/pyradiomics/cases/${1}_image.nii.gz mask=$reference/pyradiomics/cases/${1}_label.nii.gz
  params=$reference/pyradiomics/params/$2.yaml
  echo "measuring whole commands $1 $2" >&2
  theirs=$(wall "$venv/bin/pyradiomics" "$image" "$mask" --param "$params")
  ours=$(wall target/release/radcohort features --image "$image" --mask "$mask" --params "$params")
  echo "{\"command\": \"$1 $2\", \"pyradiomics\": $theirs, \"ours\": $ours}" >> "$results"
done

# A cohort: the sample study at 1 and all threads.
study=$out/sample
rm -rf "$study"
cargo run --release --quiet -- sample-study --out "$study" >&2
cohort1=$(bench --cohort "$study/study.db" sample_study/params_filters.yaml --threads 1)
cohortn=$(bench --cohort "$study/study.db" sample_study/params_filters.yaml --threads "$(nproc)")
echo "{\"cohort1\": $cohort1, \"cohortn\": $cohortn}" >> "$results"

"$venv/bin/python" - "$results" <<'PY'
import json, platform, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {platform.system()} {platform.release()}\n")
print("| case | params | features | PyRadiomics 3.1 s | radcohort 1 thread s | ratio | radcohort all threads s | ratio | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    if "case" not in r:
        continue
    p, o, a = r["pyradiomics"]["seconds"], r["ours"]["seconds_median"], r["ours_all"]["seconds_median"]
    print(f"| {r['case']} | {r['params']} | {r['ours']['features']} | {p:.3f} | {o:.4f} | {p/o:.0f}× | {a:.4f} | {p/a:.0f}× | {r['ours']['peak_rss_mb']:.0f} |")
print("\nWhole commands (median of 3, process start and imports included):\n")
print("| case and params | `pyradiomics` s | `radcohort features` s | ratio |")
print("|---|---:|---:|---:|")
for r in rows:
    if "command" in r:
        print(f"| {r['command']} | {r['pyradiomics']:.2f} | {r['ours']:.3f} | {r['pyradiomics']/r['ours']:.0f}× |")
c = rows[-1]
one, many = c["cohort1"], c["cohortn"]
print(f"\nCohort (sample study, {one['cases']} cases, params_filters.yaml): {one['seconds']:.1f} s on 1 thread, "
      f"{many['seconds']:.1f} s on {many['threads']} threads: speed-up {one['seconds']/many['seconds']:.2f}× "
      f"(peak RSS {many['peak_rss_mb']:.0f} MB).")
PY
