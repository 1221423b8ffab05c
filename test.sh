#!/usr/bin/env bash
# Runs the test suite (everything except [Trait("Category", "Slow")]); ./test.sh --slow runs the slow tests only.
# Each test run gets fresh temporary caches, so no test can pass on an earlier run's results.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

"$root/scripts/setup.sh"
filter="Category!=Slow"
if [ "${1:-}" = "--slow" ]; then filter="Category=Slow"; fi

# The test assemblies run in parallel, each with libtorch's OpenMP threads; spinning waiters then starve each other
# on two cores (README, Performance: a toy step took 348-470 ms instead of 4.4 ms under load). Sleeping waiters don't.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export PIPELINE_CACHE="$(mktemp -d -t pipeline-test-cache.XXXXXX)"
trap 'rm -rf "$PIPELINE_CACHE"' EXIT

log="$(mktemp -t pipeline-test-log.XXXXXX)"
set +e
dotnet test Pipeline.sln -c Release --filter "$filter" -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies, in the plain form CI reads.
sum() { grep -Eo "$1: +[0-9]+" "$log" | awk '{ total += $2 } END { print total + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
