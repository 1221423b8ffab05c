#!/usr/bin/env bash
# The scale benchmark of real data (issue 24): N pairs of synthetic-world videos written as mp4 files with ffmpeg,
# then, each step a fresh process (Pipeline.Bench.Training data-*, DataScale.cs):
#   1. ffmpeg alone decoding every file, one process per core, with the decoded-video store's own ffmpeg arguments
#      (the baseline: the store's first load should be within 1.5x of it);
#   2. the first load through the decoded-video store (decodes every video): videos/s and videos/s per core;
#   3. the second load (reopens the store, decodes nothing): seconds;
#   4. one epoch of VideoReward training at the mini example's sizes from the store, and the same epoch's minibatches
#      only loaded: the share of a step spent loading data;
# with each step's peak resident memory. Targets (issue 24): reopen of 50,000 pairs < 5 s, loading < 5 % of a step,
# peak RSS for 50,000 pairs < 2 GB at 16x16x8, first load within 1.5x of ffmpeg alone.
#
#   bench/data/run.sh [--pairs 2000] [--dir DIR] [--workers N]
#
# The videos go to DIR (default: a temporary folder, removed at the end); 2,000 pairs are 4,000 mp4 files of about
# 2 KB. Writes bench/data/results/<UTC time>.md (git-ignored) and prints it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pairs=2000
dir=""
workers="$(nproc)"
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    *) echo "usage: bench/data/run.sh [--pairs N] [--dir DIR] [--workers N]" >&2; exit 2 ;;
  esac
done

if [ -z "$dir" ]; then
  dir="$(mktemp -d -t pipeline-data-bench.XXXXXX)"
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

dotnet build "$root/bench/Pipeline.Bench.Training" -c Release -nologo -v q >/dev/null
app=(dotnet "$root/bench/Pipeline.Bench.Training/bin/Release/net10.0/Pipeline.Bench.Training.dll")
log="$dir/steps.jsonl"
: >"$log"

echo "making $pairs pairs in $dir ..." >&2
"${app[@]}" data-make --dir "$dir" --pairs "$pairs" --workers "$workers" | tee -a "$log" >&2

# VideoFileReader.DecodeBytes's arguments at the benchmark's sampling (16x16), the output thrown away.
echo "ffmpeg alone, $workers at a time ..." >&2
start=$(date +%s.%N)
find "$dir/videos" -name '*.mp4' -print0 | xargs -0 -P "$workers" -n 1 sh -c \
  'ffmpeg -v error -nostdin -threads 1 -i "$0" -map 0:v:0 -fps_mode passthrough -filter_threads 1 -vf format=rgb24,scale=16:16:flags=area -f rawvideo -pix_fmt rgb24 pipe:1 >/dev/null'
end=$(date +%s.%N)
python3 -c 'import json, sys; n, w, s = int(sys.argv[1]) * 2, int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3]); print(json.dumps({"step": "ffmpeg", "videos": n, "workers": w, "seconds": s, "videos_per_second": n / s, "videos_per_second_per_core": n / s / w}))' \
  "$pairs" "$workers" "$start" "$end" | tee -a "$log" >&2

echo "first load (decodes), reopen, one epoch ..." >&2
"${app[@]}" data-load --dir "$dir" --store "$dir/store" --workers "$workers" | tee -a "$log" >&2
"${app[@]}" data-load --dir "$dir" --store "$dir/store" --workers "$workers" | tee -a "$log" >&2
"${app[@]}" data-epoch --dir "$dir" --store "$dir/store" --size mini | tee -a "$log" >&2

mkdir -p "$root/bench/data/results"
out="$root/bench/data/results/$(date -u +%Y%m%dT%H%M%SZ).md"
python3 - "$log" "$pairs" >"$out" <<'PY'
import json, os, platform, sys
steps = [json.loads(line) for line in open(sys.argv[1])]
make, ffmpeg, first, reopen, epoch = steps
pairs = int(sys.argv[2])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"# Data at scale: {pairs} pairs ({2 * pairs} mp4 files)\n")
print(f"{os.cpu_count()} cores ({cpu}), load average {os.getloadavg()[0]:.1f} at the end; {first['workers']} decoders.\n")
print("| measure | value |")
print("| --- | --- |")
print(f"| mp4 files written (synthetic world, H.264) | {make['seconds']:.1f} s, {make['mp4_bytes'] / 1e6:.1f} MB |")
print(f"| ffmpeg alone, every file | {ffmpeg['seconds']:.1f} s, {ffmpeg['videos_per_second']:.1f} videos/s, {ffmpeg['videos_per_second_per_core']:.1f} per core |")
print(f"| first load through the store (decoded {first['videos_decoded']}) | {first['seconds']:.1f} s, {first['videos_per_second']:.1f} videos/s, {first['videos_per_second_per_core']:.1f} per core, peak RSS {first['peak_rss_mb']:.0f} MiB |")
print(f"| first load ÷ ffmpeg alone (target ≤ 1.5) | {first['seconds'] / ffmpeg['seconds']:.2f} |")
print(f"| reopen (decoded {reopen['videos_decoded']}) | {reopen['seconds']:.2f} s, peak RSS {reopen['peak_rss_mb']:.0f} MiB |")
print(f"| one epoch, VideoReward mini, {epoch['steps']} steps of {epoch['batch']} ({epoch['device']}) | {epoch['ms_per_step']:.1f} ms/step, peak RSS {epoch['peak_rss_mb']:.0f} MiB |")
print(f"| its minibatches loaded alone | {epoch['loading_ms_per_step']:.2f} ms/step, {100 * epoch['loading_share']:.2f} % of a step (target < 5 %) |")
PY
cat "$out"
