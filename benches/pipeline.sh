#!/usr/bin/env bash
# The whole signature workflow on the sample study, step by step, with the
# commands the README gives (sample study → extraction → training →
# scoring → analyze), then `analyze`'s work alone on a synthetic cohort of
# 10,000 patients with precomputed features (benches/analysis.rs). Prints
# a Markdown table for BENCHMARKS.md.
#
# usage: benches/pipeline.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
cargo build --release --quiet
radcohort=$(pwd)/target/release/radcohort
executable=$(pwd)/$(cargo bench --bench analysis --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

rows=()
step() {
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  rows+=("| $label | $(awk "BEGIN { printf \"%.2f\", $end - $start }") |")
}
step "sample-study (124 patients, images, ADC maps, database)" "$radcohort" sample-study --out study
db=study/study.db
step "extract DWI b=800, PyRadiomics defaults" "$radcohort" extract --db $db --params study/params_default.yaml --b-value 800 --jobs "$threads"
step "extract ADC maps, PyRadiomics defaults" "$radcohort" extract --db $db --params study/params_default.yaml --series-kind adc --jobs "$threads"
step "train lasso-logistic (10-fold CV)" "$radcohort" train --db $db --model lasso-logistic --out signature.json
step "train cpr" "$radcohort" train --db $db --model cpr --out cpr.json
step "train combined" "$radcohort" train --db $db --model combined --signature signature.json --cpr cpr.json --out nomogram.json
step "score" "$radcohort" score --db $db --signature signature.json
step "analyze (all analyses, tables, figures, report)" "$radcohort" analyze --db $db --signature signature.json --cpr cpr.json --combined nomogram.json --out results

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $threads threads"
echo
echo "| step (sample study) | seconds |"
echo "|---|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "| analyze on a synthetic cohort | patients | analyses s | tables, figures, report s |"
echo "|---|---:|---:|---:|"
for t in 1 "$threads"; do
  "$executable" --patients 10000 --threads "$t" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| {} thread(s) | {:,} | {:.3f} | {:.3f} |".format(r["threads"], r["patients"], r["analyze_s"], r["report_s"]))'
done
