#!/usr/bin/env bash
# The terminal UI's latency on a synthetic study of 10,000 patients: builds
# the release binary and benches/tui.rs (`cargo bench` uses the release
# profile), drives the TUI in an 80x24 pseudo-terminal and prints a
# Markdown table for BENCHMARKS.md. The study is generated once and cached
# in target/bench/ (or $CARGO_TARGET_DIR/bench/).
#
# usage: benches/tui.sh [PATIENTS] [PRESSES] [LAUNCHES]
# Run it on a quiet machine: every figure is a wall-clock latency.
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-10000}
presses=${2:-50}
launches=${3:-5}

# Progress and the bench's own report go to stderr; stdout is one JSON line.
json=$(cargo bench --locked --bench tui -- --patients "$patients" --presses "$presses" --launches "$launches")

echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(uname -sr); commit $(git rev-parse --short HEAD)"
echo
python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
def ok(value, target):
    return "yes" if value < target else "no"
print(f"{r['patients']:,} patients, {r['cols']}x{r['rows']} terminal\n")
print("| measurement | median ms | p95 ms | presses | target | met? |")
print("|---|---:|---:|---:|---|---|")
print(f"| time to first frame (start → first row and status bar) | {r['first_frame_ms']:.0f} | max {r['first_frame_max_ms']:.0f} | {r['launches']} launches | < 200 ms | {ok(r['first_frame_ms'], 200)} |")
rows = [("down", "`j` (row down)"), ("page_down", "`PgDn`"), ("sort", "sort `]` / `[`"),
        ("filter_apply", "filter `cohort = validation`: Enter → count"),
        ("filter_clear", "clear the filter (`/`, Ctrl-U): Enter → count")]
for key, label in rows:
    m = r[key]
    if m is None:
        print(f"| {label} | n/a (no change) | | | median < 16 ms | — |")
    else:
        print(f"| {label} | {m['median_ms']:.1f} | {m['p95_ms']:.1f} | {m['presses']} | median < 16 ms | {ok(m['median_ms'], 16)} |")
mb = r["peak_memory_mib"] * 1024 * 1024 / 1e6
print(f"| peak memory (VmHWM before quitting) | {mb:.0f} MB ({r['peak_memory_mib']:.0f} MiB) | | | < 100 MB | {ok(mb, 100)} |")
PY
