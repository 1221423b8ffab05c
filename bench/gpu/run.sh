#!/usr/bin/env bash
# The GPU comparison: the same steps (flow matching, Flow-DPO, the reward model, Flow-NRG guided and unguided
# sampling) in Pipeline's runtime, through "bring your own libtorch" on the installed PyTorch's libraries, and in
# PyTorch eager (reference.py); prints ms/step for both, the ratios and the CUDA memory peaks.
#
#   bench/gpu/package.sh                      # once, where the .NET SDK is: builds bench/gpu/build/*.tar.xz
#   bench/gpu/run.sh [--size mini|large|toy] [--steps N] [--device cuda|cpu]
#
# On the GPU machine (no .NET) it unpacks build/dotnet-runtime.tar.xz and build/app.tar.xz into a temporary folder.
# --app DLL and --dotnet PATH use a built app and an installed dotnet instead (the CPU test does). With --device cpu
# the Pipeline side uses its own libtorch (the bundled CPU natives) unless PIPELINE_LIBTORCH is set: Debian's PyTorch
# 1.13 is too old for TorchSharp 0.107, which needs the libtorch 2.10 API. Results go to $OUT (default
# bench/gpu/results/<UTC time>): pipeline.json, pytorch.json (Adam foreach), pytorch-single.json (Adam per parameter),
# smi.txt, summary.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
size=mini steps=30 device=cuda app="" dotnet=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --app) app="$2"; shift 2 ;;
    --dotnet) dotnet="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out="${OUT:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
work="$(mktemp -d -t pipeline-gpu-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ -z "$dotnet" ]; then
  if [ -f "$here/build/dotnet-runtime.tar.xz" ]; then
    mkdir -p "$work/dotnet" && tar -C "$work/dotnet" -xJf "$here/build/dotnet-runtime.tar.xz"
    export DOTNET_ROOT="$work/dotnet"
    dotnet="$work/dotnet/dotnet"
  else
    dotnet="$(command -v dotnet)" || { echo "run.sh: no dotnet and no build/dotnet-runtime.tar.xz; run bench/gpu/package.sh first" >&2; exit 1; }
  fi
fi
if [ -z "$app" ]; then
  [ -f "$here/build/app.tar.xz" ] || { echo "run.sh: no build/app.tar.xz; run bench/gpu/package.sh first" >&2; exit 1; }
  tar -C "$work" -xJf "$here/build/app.tar.xz"
  app="$work/app/Pipeline.Bench.Training.dll"
fi

# A python with torch: $PYTHON, else python3, else the system's (pyenv shims can hide Debian's python3-torch).
python=""
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then python="$candidate"; break; fi
done
[ -n "$python" ] || { echo "run.sh: no python with torch (pip install torch, or apt-get install python3-torch)" >&2; exit 1; }

libtorch_args=()
if [ "$device" != cpu ]; then
  libtorch="$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
  export LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  libtorch_args=(--libtorch "$libtorch")
fi

# shellcheck source=lib.sh
. "$here/lib.sh"
: > "$out/smi.txt"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt" || true

"$dotnet" "$app" steps --size "$size" --steps "$steps" --device "$device" --json "$out/pipeline.json" "${libtorch_args[@]}" > "$out/pipeline.log" 2>&1 &
pid=$!; watch_memory Pipeline "$pid" "$out/smi.txt" & watcher=$!
wait "$pid" || { cat "$out/pipeline.log" >&2; exit 1; }
wait "$watcher"
# PyTorch twice: with its default multi-tensor (foreach) Adam, the target, and with per-parameter Adam beside it.
for adam in foreach single; do
  json="$out/pytorch.json"; [ "$adam" = single ] && json="$out/pytorch-single.json"
  "$python" "$here/reference.py" run --config "$out/pipeline.json" --json "$json" --device "$device" --adam "$adam" > "$out/pytorch-$adam.log" 2>&1 &
  pid=$!; watch_memory "PyTorch (Adam $adam)" "$pid" "$out/smi.txt" & watcher=$!
  wait "$pid" || { cat "$out/pytorch-$adam.log" >&2; exit 1; }
  wait "$watcher"
done
{ [ -s "$out/gpu.txt" ] && echo "GPU: $(cat "$out/gpu.txt")"; "$python" "$here/reference.py" compare "$out/pipeline.json" "$out/pytorch.json" --single "$out/pytorch-single.json" --smi "$out/smi.txt"; } | tee "$out/summary.md"
