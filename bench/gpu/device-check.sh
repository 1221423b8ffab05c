#!/usr/bin/env bash
# Everything the GPU path is judged on, in one run on a GPU machine that has PyTorch but neither the .NET SDK nor ffmpeg
# (about 6 minutes on an H200; the device tool allows 8):
#   1. run.sh at mini and at large: Pipeline against PyTorch eager, PyTorch's Adam both foreach and per parameter;
#   2. the main example (examples/videoalign-mini.pipe): wall time, peak GPU memory, exit code (no ffmpeg there, so
#      report.md has no GIFs and the run says so in one warning);
#   3. the smoke example twice, each with a fresh cache: are the results.json identical, timings aside?
#   4. the smoke example killed (SIGKILL) after its first checkpoint and run again: resumed, and identical to 3?
# Prepare here, where the SDK is: bench/gpu/package.sh && bench/gpu/package-cli.sh (the device tool then carries
# bench/gpu/build). Then there:  bench/gpu/device-check.sh           (OUT=folder for the results; default a temp one)
#                                bench/gpu/device-check.sh --quick   (toy benchmark sizes and the smoke example in place of
#                                                                     the main one: a rehearsal, on a CPU too with --device cpu)
# Writes $OUT/device-check.md (the table to copy into bench/README.md) and every log beside it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
quick=false device=cuda
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --device) device="$2"; shift 2 ;;
    *) echo "device-check: unknown option $1" >&2; exit 2 ;;
  esac
done
out="${OUT:-$(mktemp -d -t pipeline-device-check.XXXXXX)}"
mkdir -p "$out"
# shellcheck source=lib.sh
. "$here/lib.sh"
summary="$out/device-check.md"
# Called by path, never through a shell function: pipeline-gpu.sh execs dotnet, so a background run's $! is the .NET
# process itself (which nvidia-smi lists, and which kill -9 must hit).
pipeline="$here/pipeline-gpu.sh"
say() { echo "$*" | tee -a "$summary"; }
# results.json without its timings, the only fields two identical runs may differ in (docs/contracts.md); with a
# second argument also without "cached" and "resumed_from_step", which a resumed run's stages change.
digest() { python3 -c 'import hashlib, json, sys
drop = {"seconds"} | ({"cached", "resumed_from_step"} if len(sys.argv) > 2 else set())
strip = lambda n: {k: strip(v) for k, v in n.items() if k not in drop} if isinstance(n, dict) else [strip(v) for v in n] if isinstance(n, list) else n
print(hashlib.sha256(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True).encode()).hexdigest())' "$@" 2>/dev/null || echo "none"; }

: > "$summary"
say "# Device check, $(date -u +%Y-%m-%dT%H:%MZ)"
command -v nvidia-smi >/dev/null 2>&1 && say "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
say "ffmpeg: $(command -v ffmpeg || echo 'not installed')"
"$pipeline" doctor > "$out/doctor.txt" 2>&1
say "doctor: $(grep -iE 'auto|device' "$out/doctor.txt" | head -3 | tr '\n' ' ')"

# 1. The step comparison.
sizes="mini large"; steps=40
$quick && sizes="toy" && steps=8
for size in $sizes; do
  say ""
  say "## Steps at $size ($steps steps each)"
  if OUT="$out/steps-$size" "$here/run.sh" --size "$size" --steps "$steps" --device "$device" > "$out/steps-$size.log" 2>&1; then
    cat "$out/steps-$size/summary.md" >> "$summary"
  else
    say "run.sh failed (exit $?): $(tail -3 "$out/steps-$size.log" | tr '\n' ' ')"
  fi
done

# 2. The main example.
example=videoalign-mini; $quick && example=videoalign-smoke
say ""
say "## examples/$example.pipe, fresh cache"
start=$(date +%s.%N)
PIPELINE_CACHE="$out/cache-main" "$pipeline" run "$root/examples/$example.pipe" --out "$out/main" > "$out/main.log" 2>&1 &
pid=$!; : > "$out/main-smi.txt"; watch_memory main "$pid" "$out/main-smi.txt" & watcher=$!
wait "$pid"; status=$?; wait "$watcher"
say "exit code $status, wall $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s; $(cat "$out/main-smi.txt" 2>/dev/null)"
say "warnings: $(grep -c 'warning PIPE' "$out/main.log") ($(grep -o 'warning PIPE4[0-9]*' "$out/main.log" | sort -u | tr '\n' ' '))"
[ -f "$out/main/results.json" ] && say "stage seconds: $(python3 - "$out/main/results.json" <<'PY'
import json, sys
stages = json.load(open(sys.argv[1]))["stages"]
print(", ".join(f"{name} {stage['seconds']:.1f}" for name, stage in stages.items()))
PY
)"

# 3. Determinism: the smoke example twice.
say ""
say "## Determinism: examples/videoalign-smoke.pipe twice, fresh caches"
for i in 1 2; do
  PIPELINE_CACHE="$out/cache-smoke-$i" "$pipeline" run "$root/examples/videoalign-smoke.pipe" --out "$out/smoke-$i" > "$out/smoke-$i.log" 2>&1
  say "run $i: exit $?, results.json sha256 (timings removed) $(digest "$out/smoke-$i/results.json")"
done
if [ "$(digest "$out/smoke-1/results.json")" = "$(digest "$out/smoke-2/results.json")" ]; then say "identical: yes"; else
  say "identical: NO"; python3 - "$out/smoke-1/results.json" "$out/smoke-2/results.json" >> "$summary" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def walk(x, y, path=""):
    if isinstance(x, dict):
        for k in x:
            if k != "seconds": walk(x[k], y.get(k) if isinstance(y, dict) else None, f"{path}/{k}")
    elif isinstance(x, list):
        for i, (u, v) in enumerate(zip(x, y or [])): walk(u, v, f"{path}[{i}]")
    elif x != y: print(f"- {path}: {x} vs {y}")
walk(a, b)
PY
fi

# 4. Kill and resume: SIGKILL once any stage has written a checkpoint (steps slowed to 50 ms so that it happens mid-stage),
# then run again with the same cache.
say ""
say "## Resume: the smoke example killed after its first checkpoint"
export PIPELINE_CHECKPOINT_EVERY=5
PIPELINE_CACHE="$out/cache-resume" PIPELINE_FAULTS=step_delay_ms=50 "$pipeline" run "$root/examples/videoalign-smoke.pipe" --out "$out/killed" > "$out/killed.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  compgen -G "$out/cache-resume/stages/.checkpoints/*/trainer-*.json" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; killed=$?
PIPELINE_CACHE="$out/cache-resume" "$pipeline" run "$root/examples/videoalign-smoke.pipe" --out "$out/resumed" > "$out/resumed.log" 2>&1
say "killed run: exit $killed; rerun: exit $?; $(grep -m1 '^resumed ' "$out/resumed.log" || echo 'no stage resumed')"
if [ "$(digest "$out/resumed/results.json" facts)" = "$(digest "$out/smoke-1/results.json" facts)" ]; then say "same results as an uninterrupted run: yes"; else say "same results as an uninterrupted run: NO"; fi
unset PIPELINE_CHECKPOINT_EVERY
echo "device-check: $summary"
