# What the GPU scripts share; sourced, not run. Here (where the .NET SDK is): publishing for a GPU machine that has
# PyTorch but no .NET SDK (package.sh, package-cli.sh). There: sampling a process's GPU memory (run.sh, device-check.sh).

# publish_byo PROJECT NAME BUILD: publishes PROJECT framework-dependent for linux-x64 with the bring-your-own-libtorch
# backend (-p:PipelineTorchBackend=byo: no libtorch natives; the GPU machine's PyTorch supplies them) into
# BUILD/NAME.tar.xz, whose one folder is NAME.
publish_byo() {
  local project="$1" name="$2" build="$3"
  rm -rf "${build:?}/$name"
  mkdir -p "$build"
  # Its own artifacts folder: a restore with PipelineTorchBackend=byo in the projects' own obj/ folders would leave the
  # checkout's next plain build (./pipeline, the tests) without libtorch's CPU natives.
  dotnet publish "$project" -c Release -r linux-x64 --self-contained false \
    --artifacts-path "$build/artifacts-$name" \
    -p:UseAppHost=false -p:PipelineTorchBackend=byo -p:GenerateDocumentationFile=false -o "$build/$name" -nologo -v quiet
  rm -rf "${build:?}/artifacts-$name"
  # Debug symbols and docs are not needed there; libtorch must not travel (the GPU machine has its own).
  find "$build/$name" \( -name '*.pdb' -o -name '*.dbg' -o -name '*.xml' -o -name 'libtorch*.so*' -o -name 'libc10*.so*' \) -delete
  tar -C "$build" -cJf "$build/$name.tar.xz" "$name" && rm -rf "${build:?}/$name"
}

# pack_dotnet_runtime BUILD: this machine's .NET runtime (the dotnet host and Microsoft.NETCore.App only) as
# BUILD/dotnet-runtime.tar.xz.
pack_dotnet_runtime() {
  local build="$1" dotnet_root runtime
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  runtime="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')"
  tar -C "$dotnet_root" -cJf "$build/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$runtime"
}

# watch_memory NAME PID FILE: appends the peak GPU memory of process PID, as nvidia-smi lists it every 100 ms (the same
# measure for every process; TorchSharp has no allocator statistics), to FILE once PID ends. 0 MiB means nvidia-smi
# did not list the process (as inside some containers); without nvidia-smi it writes nothing.
watch_memory() {
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  local peak=0 used
  while kill -0 "$2" 2>/dev/null; do
    used="$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null | awk -F', ' -v p="$2" '$1 == p { print $2 }')"
    [ -n "$used" ] && [ "$used" -gt "$peak" ] && peak="$used"
    sleep 0.1
  done
  echo "peak GPU memory of the $1 process (nvidia-smi): $peak MiB" >> "$3"
}
