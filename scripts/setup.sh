#!/usr/bin/env bash
# Installs what Pipeline needs beyond the .NET SDK, and only what is missing: ffmpeg (real video files) and Debian's
# PyTorch (python3-torch 1.13, for the test that runs bench/gpu/run.sh's PyTorch side on the CPU; about 54 s to
# install here, 2026-11-27).
# Idempotent and quiet when everything is there. Run as root, or with sudo available, on Debian/Ubuntu.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
# Any python with torch will do (bench/gpu/run.sh tries $PYTHON, python3, then /usr/bin/python3).
has_torch=false
for python in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("torch") is None)' >/dev/null 2>&1; then has_torch=true; break; fi
done
$has_torch || missing+=(python3-torch)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (apt-get)" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
