#!/usr/bin/env bash
# `pipeline` on a GPU machine with PyTorch and no .NET SDK, from the work tree, after bench/gpu/package-cli.sh has
# built bench/gpu/build/{pipeline-cli,dotnet-runtime}.tar.xz where the SDK is:
#   bench/gpu/pipeline-gpu.sh doctor
#   bench/gpu/pipeline-gpu.sh run examples/videoalign-mini.pipe --out runs/mini
# It unpacks both archives once (into bench/gpu/build/unpacked), loads libtorch from the installed PyTorch's torch/lib
# (PIPELINE_LIBTORCH, when set, names another folder), and passes every argument to the CLI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/build"
unpacked="$build/unpacked"
for archive in dotnet-runtime pipeline-cli; do
  [ -f "$build/$archive.tar.xz" ] || { echo "pipeline-gpu: no $build/$archive.tar.xz; run bench/gpu/package-cli.sh where the .NET SDK is" >&2; exit 2; }
done
stamp="$unpacked/.unpacked"
if [ ! -f "$stamp" ] || [ "$build/pipeline-cli.tar.xz" -nt "$stamp" ] || [ "$build/dotnet-runtime.tar.xz" -nt "$stamp" ]; then
  rm -rf "$unpacked" && mkdir -p "$unpacked/dotnet"
  tar -C "$unpacked/dotnet" -xJf "$build/dotnet-runtime.tar.xz"
  tar -C "$unpacked" -xJf "$build/pipeline-cli.tar.xz"
  touch "$stamp"
fi

if [ -z "${PIPELINE_LIBTORCH:-}" ]; then
  for python in ${PYTHON:-} python3 /usr/bin/python3; do
    if PIPELINE_LIBTORCH="$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)"; then break; fi
  done
  [ -n "${PIPELINE_LIBTORCH:-}" ] || { echo "pipeline-gpu: no python with torch found; set PIPELINE_LIBTORCH to a libtorch folder" >&2; exit 2; }
fi
export PIPELINE_LIBTORCH
export LD_LIBRARY_PATH="$PIPELINE_LIBTORCH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_ROOT="$unpacked/dotnet"
exec "$DOTNET_ROOT/dotnet" "$unpacked/pipeline-cli/pipeline.dll" "$@"
