#!/usr/bin/env bash
# The proof that a change computes the same numbers: runs the smoke example on seeds 7 and 8 and the main example on
# seed 7, each with a fresh cache, and prints the sha256 of each results.json with its timing fields ("seconds", the
# only fields docs/contracts.md lets differ between identical CPU runs) removed. Compare the lines before and after.
#   scripts/results-digest.sh            all three (about 5 minutes on the 2-core machine)
#   scripts/results-digest.sh --smoke    the smoke example only (about 20 s)
# KEEP=DIR keeps each run's output folder under DIR (to diff two results.json when the digests differ).
set -euo pipefail
# Sleeping OpenMP waiters: the wait policy changes no number, and spinning ones crawl on a shared 2-core machine.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d -t pipeline-digest.XXXXXX)"
trap 'rm -rf "$work"' EXIT

runs=("videoalign-smoke 7" "videoalign-smoke 8")
[ "${1:-}" = "--smoke" ] || runs+=("videoalign-mini 7")

for run in "${runs[@]}"; do
  read -r example seed <<<"$run"
  out="$work/$example-$seed"
  PIPELINE_CACHE="$work/cache-$example-$seed" "$root/pipeline" run "$root/examples/$example.pipe" --set "seed=$seed" --out "$out" >"$out.log" 2>&1 \
    || { echo "$example seed $seed: run failed" >&2; tail -20 "$out.log" >&2; exit 1; }
  digest=$(python3 - "$out/results.json" <<'PY'
import hashlib, json, sys
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "seconds"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
print(hashlib.sha256(json.dumps(strip(data), sort_keys=True).encode()).hexdigest())
PY
)
  echo "$example seed $seed: $digest"
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && rm -rf "${KEEP:?}/$example-$seed" && cp -r "$out" "$KEEP/$example-$seed"; fi
done
