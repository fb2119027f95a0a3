#!/usr/bin/env bash
# Runs every test of IndustryBrain on a fresh Debian machine: installs what the tests need
# (mosquitto, redis, chromium, a CJK font), builds, checks formatting, and runs the whole suite.
# The last line is the tally, "N passed, N failed"; the exit code is dotnet test's.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-test-deps.sh
dotnet build IndustryBrain.sln -c Release
dotnet format IndustryBrain.sln --verify-no-changes --no-restore

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test IndustryBrain.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Each test assembly ends with a summary: with the normal console logger
#   "Total tests: 395" / "     Passed: 393" / "     Failed: 2",
# or, with the minimal one, "Passed!  - Failed:     0, Passed:   260, Skipped: ...".
passed=0
failed=0
while read -r kind count; do
  if [ "$kind" = passed ]; then passed=$((passed + count)); else failed=$((failed + count)); fi
done < <(sed -nE \
  -e 's/^\s+Passed: ([0-9]+)\s*$/passed \1/p' \
  -e 's/^\s+Failed: ([0-9]+)\s*$/failed \1/p' \
  -e 's/^\s*(Passed|Failed)!\s+-\s+Failed:\s+([0-9]+),\s+Passed:\s+([0-9]+),.*/passed \3\nfailed \2/p' "$log")
if [ "$failed" -gt 0 ]; then
  # CI keeps only the tail of the output: repeat each failure here, its message and what it printed
  # (at most 60 lines each), so the reason is next to the tally.
  echo "=== the failed tests, again ==="
  awk '/^  Failed [^ ]+ \[/ { on = 1; n = 0 }
       on && /^  (Passed|Skipped) / { on = 0 }
       on && n < 60 { print; n++ }' "$log"
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test failed (exit code $status) without a test failing: see the output above"
fi
echo "$passed passed, $failed failed"
exit "$status"
