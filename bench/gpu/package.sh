#!/usr/bin/env bash
# Packs the Pipeline side of the GPU comparison for a machine with no .NET (run here, where the SDK is):
#   bench/gpu/build/app.tar.xz             Pipeline.Bench.Training, framework-dependent, linux-x64, WITHOUT libtorch's
#                                          CPU natives (-p:PipelineTorchBackend=byo): the GPU machine's PyTorch supplies
#                                          libtorch ("bring your own libtorch", README "Torch backends")
#   bench/gpu/build/dotnet-runtime.tar.xz  this machine's .NET runtime (dotnet host + Microsoft.NETCore.App only)
# Both are git-ignored; hand them to the GPU machine beside the work tree (the device tool: carry bench/gpu/build).
# package-cli.sh packs the `pipeline` CLI the same way (lib.sh holds what both do).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=lib.sh
. "$here/lib.sh"
publish_byo "$root/bench/Pipeline.Bench.Training" app "$here/build"
pack_dotnet_runtime "$here/build"
du -h "$here/build"/app.tar.xz "$here/build"/dotnet-runtime.tar.xz
