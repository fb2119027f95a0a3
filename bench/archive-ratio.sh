#!/usr/bin/env bash
# The ingest with the history archive on against off (issue 15's aim: at least 90%), in rounds. Each round gives
# the archive an empty database (dropped and made again: what earlier rounds wrote, and the autovacuum it sets
# off, would otherwise weigh on the next ones), runs the ingest bench with the archive off, then on, and prints
# both rates and their ratio; at the end, the median. Every "on" run waits until the archive wrote every reading.
#
#   IB_POSTGRES=true deploy/cluster.sh start-postgres      # PostgreSQL on 127.0.0.1:15432, on this machine
#   dotnet build IndustryBrain.sln -c Release
#   bench/archive-ratio.sh [ROUNDS=6] [READINGS=10000000]
#
# Settings (environment): IB_PG_PORT=15432, IB_PG_BIN=(newest /usr/lib/postgresql/*/bin). The database it drops
# and makes is industry_brain on that server: never point it at one whose archive you keep.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
rounds="${1:-6}"
readings="${2:-10000000}"
pg_port="${IB_PG_PORT:-15432}"
pg_bin="${IB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
archive="IB__History__ConnectionString=Host=127.0.0.1;Port=$pg_port;Username=ib;Database=industry_brain"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# One run of the ingest bench: its output on stderr, and kept in $log.
bench() {
  dotnet run -c Release --no-build --project "$repo/bench/IndustryBrain.Bench" -- \
    --phases arrays --array-readings "$readings" --silo-env "$1" 2>&1 | tee -a /dev/stderr >"$log"
}

# The rate the bench printed for its one phase ("= 482,674 readings/s end to end"), as a number.
rate() { sed -nE 's/.*applied .* = ([0-9,]+) readings\/s end to end.*/\1/p' "$log" | tr -d , | tail -n 1; }

# What the archive wrote of them ("10,000,000 readings written, 0 not archived").
archived() { sed -nE 's/^ *archive: ([0-9,]+ readings written, [0-9,]+ not archived).*/\1/p' "$log"; }

ratios=()
for round in $(seq 1 "$rounds"); do
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U ib -d postgres -qc "DROP DATABASE IF EXISTS industry_brain WITH (FORCE)" \
    -c "CREATE DATABASE industry_brain" >/dev/null
  bench IB__History__Enabled=false
  off="$(rate)"
  bench "$archive"
  on="$(rate)"
  ratio="$(awk -v on="$on" -v off="$off" 'BEGIN { printf "%.1f", 100 * on / off }')"
  ratios+=("$ratio")
  echo "round $round: archive off $off readings/s, on $on readings/s: $ratio% ($(archived))"
done

printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END {
  m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
  printf "median of %d rounds: %.1f%% (from %.1f%% to %.1f%%)\n", NR, m, r[1], r[NR] }'
