#!/usr/bin/env bash
# How libtorch's OpenMP waiters (GNU libgomp) should wait: a training run's time for each wait setting, alone and
# beside one other busy torch process (a second `pipeline run` training the same example in a loop, with the same
# setting, as when a user runs two experiments side by side). Issue 23's targets for the CLI's default: alone within
# 5 % of the fastest setting, and beside the busy process within 2.5x of its own time alone.
#
#   bench/omp/run.sh [--repeats N] [--example FILE] [--set PATH=VALUE]...
#
# Each measurement is a fresh `pipeline run` with an empty cache; the figure is the trained stage's "seconds" in
# results.json (the training alone, not .NET's start), median of the repeats. Settings: the CLI's default (nothing
# set: pipeline sets GOMP_SPINCOUNT=10000 before libtorch loads), libgomp's own default (GOMP_SPINCOUNT=300000),
# OMP_WAIT_POLICY=PASSIVE (no spinning) and OMP_WAIT_POLICY=ACTIVE. Writes bench/omp/results/<UTC time>.md and prints it.
# Measure on a quiet machine: other work on the cores is exactly what the "alone" column must not see.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
repeats=3
example="$root/examples/hello.pipe"
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --example) example="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    *) echo "usage: bench/omp/run.sh [--repeats N] [--example FILE] [--set PATH=VALUE]..." >&2; exit 2 ;;
  esac
done

dotnet build "$root/src/Cli" -c Release -nologo -v q >/dev/null
cli=(dotnet "$root/src/Cli/bin/Release/net10.0/pipeline.dll")
work="$(mktemp -d -t pipeline-omp.XXXXXX)"
background=""
cleanup() {
  # The background loop runs in its own process group (setsid): end that group, which this script started, only.
  if [ -n "$background" ]; then kill -- "-$background" 2>/dev/null || true; wait "$background" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

settings=("default" "GOMP_SPINCOUNT=300000" "OMP_WAIT_POLICY=PASSIVE" "OMP_WAIT_POLICY=ACTIVE")

# One run with SETTING (or none); prints the seconds of the slowest trained stage in its results.json.
measure() {
  local setting="$1" out="$work/run-$RANDOM$RANDOM"
  local variables=(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT)
  [ "$setting" = "default" ] || variables+=("$setting")
  PIPELINE_CACHE="$out/cache" "${variables[@]}" "${cli[@]}" run "$example" "${sets[@]}" --out "$out/results" --quiet >"$out.log" 2>&1 \
    || { echo "run failed ($setting):" >&2; tail -5 "$out.log" >&2; exit 1; }
  python3 - "$out/results/results.json" <<'PY'
import json, sys
stages = json.load(open(sys.argv[1]))["stages"].values()
print(max(s["seconds"] for s in stages if not s["cached"]))
PY
  rm -rf "$out" "$out.log"
}

median() { python3 -c 'import statistics, sys; print(f"{statistics.median(float(a) for a in sys.argv[1:]):.2f}")' "$@"; }

start_background() {
  local setting="$1"
  local variables=(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT)
  [ "$setting" = "default" ] || variables+=("$setting")
  setsid bash -c 'while true; do c="$(mktemp -d)"; PIPELINE_CACHE="$c" "$@" >/dev/null 2>&1; rm -rf "$c"; done' _ \
    "${variables[@]}" "${cli[@]}" run "$example" "${sets[@]}" --out "$work/background" --quiet &
  background=$!
  sleep 5 # past .NET's start and libtorch's load, into training
}

stop_background() {
  kill -- "-$background" 2>/dev/null || true
  wait "$background" 2>/dev/null || true
  background=""
}

stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
mkdir -p "$root/bench/omp/results"
report="$root/bench/omp/results/$stamp.md"
{
  echo "# OpenMP wait settings, $stamp"
  echo
  echo "$(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg); example: ${example#"$root"/} ${sets[*]}; $repeats run(s) per cell, median of the trained stage's seconds"
  echo
  echo "| setting | alone (s) | beside one busy torch process (s) | beside / alone |"
  echo "| --- | --- | --- | --- |"
} >"$report"

for setting in "${settings[@]}"; do
  alone=(); beside=()
  for _ in $(seq "$repeats"); do alone+=("$(measure "$setting")"); done
  start_background "$setting"
  for _ in $(seq "$repeats"); do beside+=("$(measure "$setting")"); done
  stop_background
  a="$(median "${alone[@]}")"; b="$(median "${beside[@]}")"
  ratio="$(python3 -c "print(f'{$b / $a:.2f}' if $a > 0 else 'n/a')")"
  label="$setting"; [ "$setting" = "default" ] && label="pipeline's default (GOMP_SPINCOUNT=10000)"
  echo "| $label | $a | $b | $ratio |" >>"$report"
done

echo >>"$report"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$report"
cat "$report"
