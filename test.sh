#!/usr/bin/env bash
# Runs every test of IndustryBrain on a fresh Debian machine: installs what the tests need
# (mosquitto, redis, chromium, a CJK font), builds, and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-test-deps.sh
dotnet build IndustryBrain.sln -c Release
dotnet format IndustryBrain.sln --verify-no-changes --no-restore
dotnet test IndustryBrain.sln -c Release --no-build --logger "console;verbosity=normal"
