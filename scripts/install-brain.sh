#!/usr/bin/env bash
# Installs the `brain` command line as a .NET tool, built from this repository (no package feed):
#
#   scripts/install-brain.sh                    # for your user: ~/.dotnet/tools/brain
#   scripts/install-brain.sh --tool-path DIR    # into DIR instead (DIR/brain)
#
# It packs client/ into artifacts/brain/ and installs the package from there; run it again after
# pulling changes (it replaces the installed tool). Remove it with `dotnet tool uninstall -g IndustryBrain.Cli`.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOL_PATH=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-path) TOOL_PATH="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-brain: unknown option $1" >&2; exit 2 ;;
  esac
done

PACKAGES=artifacts/brain
rm -rf "$PACKAGES"
echo "install-brain: packing client/ into $PACKAGES ..."
dotnet pack client -c Release -o "$PACKAGES" -nologo -v quiet >/dev/null

# Only the folder just packed is a source: nothing is fetched.
CONFIG=$(mktemp)
trap 'rm -f "$CONFIG"' EXIT
cat >"$CONFIG" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="brain" value="$(pwd)/$PACKAGES" />
  </packageSources>
</configuration>
XML

if [ -n "$TOOL_PATH" ]; then
  where=(--tool-path "$TOOL_PATH")
  command="$TOOL_PATH/brain"
else
  where=(--global)
  command="$HOME/.dotnet/tools/brain"
fi
dotnet tool uninstall "${where[@]}" IndustryBrain.Cli >/dev/null 2>&1 || true
dotnet tool install "${where[@]}" IndustryBrain.Cli --configfile "$CONFIG" >/dev/null
echo "install-brain: installed $command"
if [ -z "$TOOL_PATH" ] && ! command -v brain >/dev/null 2>&1; then
  echo "install-brain: ~/.dotnet/tools is not on your PATH; add it:  export PATH=\"\$PATH:\$HOME/.dotnet/tools\""
fi
