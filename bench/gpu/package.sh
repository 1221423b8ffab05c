#!/usr/bin/env bash
# Packs the Pipeline side of the GPU comparison for a machine with no .NET (run here, where the SDK is):
#   bench/gpu/build/app.tar.xz             Pipeline.Bench.Training, framework-dependent, linux-x64, WITHOUT libtorch's
#                                          CPU natives (-p:PipelineTorchBackend=byo): the GPU machine's PyTorch supplies
#                                          libtorch ("bring your own libtorch", README "Torch backends")
#   bench/gpu/build/dotnet-runtime.tar.xz  this machine's .NET runtime (dotnet host + Microsoft.NETCore.App only)
# Both are git-ignored; hand them to the GPU machine beside the work tree (the device tool: carry bench/gpu/build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/bench/gpu/build"
rm -rf "$build" && mkdir -p "$build/app"

# Its own artifacts folder: a restore with PipelineTorchBackend=byo in the projects' own obj/ folders would leave the
# checkout's next plain build (./pipeline, the tests) without libtorch's CPU natives.
dotnet publish "$root/bench/Pipeline.Bench.Training" -c Release -r linux-x64 --self-contained false \
  --artifacts-path "$build/artifacts" \
  -p:UseAppHost=false -p:PipelineTorchBackend=byo -p:GenerateDocumentationFile=false -o "$build/app" -nologo -v quiet
rm -rf "$build/artifacts"
# Debug symbols and docs are not needed to time steps; libtorch must not travel (the GPU machine has its own).
find "$build/app" \( -name '*.pdb' -o -name '*.dbg' -o -name '*.xml' -o -name 'libtorch*.so*' -o -name 'libc10*.so*' \) -delete
tar -C "$build" -cJf "$build/app.tar.xz" app && rm -rf "$build/app"

dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')"
tar -C "$dotnet_root" -cJf "$build/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$runtime"
du -h "$build"/*.tar.xz
