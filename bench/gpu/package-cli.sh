#!/usr/bin/env bash
# Packs the `pipeline` CLI for a GPU machine that has PyTorch but no .NET SDK (run here, where the SDK is):
#   bench/gpu/build/pipeline-cli.tar.xz    the CLI, framework-dependent, linux-x64, with the bring-your-own-libtorch
#                                          backend (no libtorch natives: the GPU machine's PyTorch supplies them)
#   bench/gpu/build/dotnet-runtime.tar.xz  this machine's .NET runtime (dotnet host + Microsoft.NETCore.App only)
# Then, on the GPU machine, from the work tree: bench/gpu/pipeline-gpu.sh run examples/videoalign-mini.pipe --out runs/mini
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
publish_byo "$root/src/Cli" pipeline-cli "$here/build"
pack_dotnet_runtime "$here/build"
du -h "$here/build"/pipeline-cli.tar.xz "$here/build"/dotnet-runtime.tar.xz
