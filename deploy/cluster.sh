#!/usr/bin/env bash
# IndustryBrain's production topology on one machine, on loopback only: Redis (append-only file),
# Mosquitto (MQTT 5, shared subscriptions) and three silos clustered through Redis, each with its own
# ports. The cluster tests drive this script; operators can use it to try the topology.
#
#   deploy/cluster.sh start            start Redis, Mosquitto and the silos; wait until each answers /health
#   deploy/cluster.sh stop             stop the silos (cleanly), then Mosquitto and Redis
#   deploy/cluster.sh status           what runs, and each silo's /health
#   deploy/cluster.sh kill-silo N      kill -9 silo N (1-based)
#   deploy/cluster.sh stop-silo N      stop silo N cleanly
#   deploy/cluster.sh start-silo N     start silo N again and wait for it
#   deploy/cluster.sh stop-broker      stop Mosquitto;   start-broker: start it again
#   deploy/cluster.sh start-broker-empty   start Mosquitto with nothing it saved (as with persistence off)
#   deploy/cluster.sh pause-silo N     freeze silo N (SIGSTOP), as a starved machine does; resume-silo N
#   deploy/cluster.sh stop-redis       stop Redis;       start-redis: start it again (same data)
#   deploy/cluster.sh stop-postgres    stop PostgreSQL (IB_POSTGRES=true); start-postgres: start it again (same data)
#
# Settings (environment), with their defaults:
#   IB_RUN_DIR=/tmp/industry-brain-cluster   pid files, logs, Redis data, Mosquitto config
#   IB_SILOS=3                               how many silos
#   IB_REDIS_PORT=16379  IB_MQTT_PORT=11883
#   IB_HTTP_PORTS="18081 18082 18083"  IB_SILO_PORTS="11121 11122 11123"  IB_GATEWAY_PORTS="30021 30022 30023"
#   IB_CLUSTER_ID=industry-brain             Orleans cluster id (and Redis key prefix)
#   IB_ADMIN_KEY=(made once, kept in the run dir)
#   IB_SILO_DLL=silo/bin/Release/net10.0/IndustryBrain.Silo.dll (built if missing)
#   IB_MQTT_PERSISTENCE=true                 Mosquitto keeps sessions and queued messages across restarts
#   IB_SILO_ARGS=""                          more switches for every silo, e.g. "--Orleans:Membership:ProbeTimeout=00:00:02"
#   IB_POSTGRES=false                        true: also a PostgreSQL for the history archive (History:ConnectionString of
#                                            every silo); false: each silo keeps its own archive file (its share only)
#   IB_PG_PORT=15432  IB_PG_BIN=(newest /usr/lib/postgresql/*/bin)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
run="${IB_RUN_DIR:-/tmp/industry-brain-cluster}"
silos="${IB_SILOS:-3}"
redis_port="${IB_REDIS_PORT:-16379}"
mqtt_port="${IB_MQTT_PORT:-11883}"
read -r -a http_ports <<<"${IB_HTTP_PORTS:-18081 18082 18083}"
read -r -a silo_ports <<<"${IB_SILO_PORTS:-11121 11122 11123}"
read -r -a gateway_ports <<<"${IB_GATEWAY_PORTS:-30021 30022 30023}"
cluster_id="${IB_CLUSTER_ID:-industry-brain}"
silo_dll="${IB_SILO_DLL:-$repo/silo/bin/Release/net10.0/IndustryBrain.Silo.dll}"
persistence="${IB_MQTT_PERSISTENCE:-true}"
read -r -a silo_args <<<"${IB_SILO_ARGS:-}"
postgres="${IB_POSTGRES:-false}"
pg_port="${IB_PG_PORT:-15432}"
pg_bin="${IB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

mkdir -p "$run"
say() { echo "cluster: $*"; }

admin_key() {
  if [ -n "${IB_ADMIN_KEY:-}" ]; then echo "$IB_ADMIN_KEY"; return; fi
  if [ ! -s "$run/admin-key" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$run/admin-key")
  fi
  cat "$run/admin-key"
}

alive() { [ -s "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

wait_port() { # port seconds
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

stop_pid() { # name signal seconds
  local name=$1 signal=$2 seconds=$3
  alive "$name" || { rm -f "$run/$name.pid"; return 0; }
  local pid; pid=$(cat "$run/$name.pid")
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
  rm -f "$run/$name.pid"
}

start_redis() {
  alive redis && return 0
  command -v redis-server >/dev/null || { say "redis-server is not installed (scripts/install-test-deps.sh)"; exit 1; }
  mkdir -p "$run/redis"
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$run/redis" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --protected-mode yes --logfile "$run/redis.log" </dev/null >>"$run/redis.log" 2>&1 &
  echo $! >"$run/redis.pid"
  wait_port "$redis_port" 20 || { say "Redis did not open port $redis_port"; exit 1; }
  say "Redis on 127.0.0.1:$redis_port (append-only file in $run/redis)"
}

start_broker() {
  alive mosquitto && return 0
  command -v mosquitto >/dev/null || { say "mosquitto is not installed (scripts/install-test-deps.sh)"; exit 1; }
  mkdir -p "$run/mosquitto"
  # max_queued_messages: Mosquitto silently drops QoS 1 messages past this queue for a slow subscriber
  # while acknowledging them to the publisher; keep it far above what a silo can fall behind.
  # max_inflight_messages 0: the silo's MQTT 5 Receive Maximum (65535) governs what is in flight to it.
  cat >"$run/mosquitto.conf" <<EOF
listener $mqtt_port 127.0.0.1
allow_anonymous true
user $(id -un)
max_queued_messages 1000000
max_queued_bytes 0
max_inflight_messages 0
max_inflight_bytes 0
sys_interval 1
persistence $persistence
persistence_location $run/mosquitto/
autosave_interval 30
log_dest file $run/mosquitto.log
log_type error
log_type warning
log_type notice
EOF
  mosquitto -c "$run/mosquitto.conf" </dev/null >>"$run/mosquitto.log" 2>&1 &
  echo $! >"$run/mosquitto.pid"
  wait_port "$mqtt_port" 20 || { say "Mosquitto did not open port $mqtt_port"; exit 1; }
  say "Mosquitto on 127.0.0.1:$mqtt_port"
}

# PostgreSQL refuses to run as root: as root it runs as the postgres user, in a folder that user owns.
pg() { # tool args...
  local tool=$1; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pg_bin/$tool" "$@"; else "$pg_bin/$tool" "$@"; fi
}

pg_up() { [ -f "$run/postgres/data/postmaster.pid" ] && pg pg_ctl -D "$run/postgres/data" status >/dev/null 2>&1; }

start_postgres() {
  [ "$postgres" = true ] || return 0
  [ -x "$pg_bin/pg_ctl" ] || { say "PostgreSQL is not installed (scripts/install-test-deps.sh), or set IB_PG_BIN"; exit 1; }
  pg_up && return 0
  mkdir -p "$run/postgres"
  [ "$(id -u)" -ne 0 ] || chown postgres "$run/postgres"
  if [ ! -f "$run/postgres/data/PG_VERSION" ]; then
    # Loopback only, trust: the script's PostgreSQL is for trying the topology on one machine, never exposed.
    pg initdb -D "$run/postgres/data" -U ib --auth=trust -E UTF8 --locale=C >"$run/postgres/initdb.log" 2>&1
  fi
  pg pg_ctl -D "$run/postgres/data" -l "$run/postgres/server.log" -w -t 60 \
    -o "-p $pg_port -k $run/postgres -c listen_addresses=127.0.0.1" start >/dev/null
  pg psql -h 127.0.0.1 -p "$pg_port" -U ib -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'industry_brain'" | grep -q 1 \
    || pg psql -h 127.0.0.1 -p "$pg_port" -U ib -d postgres -qc "CREATE DATABASE industry_brain" >/dev/null
  say "PostgreSQL on 127.0.0.1:$pg_port (database industry_brain)"
}

stop_postgres() {
  [ -f "$run/postgres/data/PG_VERSION" ] || return 0
  pg_up || return 0
  pg pg_ctl -D "$run/postgres/data" -m fast -w -t 60 stop >/dev/null
}

history_args() {
  if [ "$postgres" = true ]; then
    printf '%s\n' --History:ConnectionString "Host=127.0.0.1;Port=$pg_port;Username=ib;Database=industry_brain"
  fi
}

ensure_built() {
  if [ ! -f "$silo_dll" ]; then
    say "building the silo (Release)"
    dotnet build "$repo/silo" -c Release -v q -nologo >/dev/null
  fi
}

launch_silo() { # n
  local n=$1 i=$(($1 - 1))
  alive "silo-$n" && return 0
  mkdir -p "$run/silo-$n"
  local history=()
  mapfile -t history < <(history_args)
  dotnet "$silo_dll" \
    --urls "http://127.0.0.1:${http_ports[$i]}" \
    --Cluster:Redis "127.0.0.1:$redis_port" \
    --Mqtt:Broker "mqtt://127.0.0.1:$mqtt_port" \
    --Orleans:SiloPort "${silo_ports[$i]}" \
    --Orleans:GatewayPort "${gateway_ports[$i]}" \
    --Orleans:SiloName "silo-$n" \
    --Orleans:ClusterId "$cluster_id" \
    --Storage:Path "$run/silo-$n" \
    --Auth:AdminKey "$(admin_key)" \
    "${history[@]}" "${silo_args[@]}" </dev/null >>"$run/silo-$n.log" 2>&1 &
  echo $! >"$run/silo-$n.pid"
}

wait_silo() { # n seconds
  local n=$1 i=$(($1 - 1)) deadline=$((SECONDS + $2))
  until curl -fs -o /dev/null -H "Authorization: Bearer $(admin_key)" "http://127.0.0.1:${http_ports[$i]}/health"; do
    alive "silo-$n" || { say "silo $n exited; see $run/silo-$n.log"; tail -n 20 "$run/silo-$n.log" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { say "silo $n not healthy after $2 s; see $run/silo-$n.log"; return 1; }
    sleep 0.3
  done
  say "silo $n on http://127.0.0.1:${http_ports[$i]} (silo port ${silo_ports[$i]}, gateway ${gateway_ports[$i]})"
}

start_all() {
  ensure_built
  start_redis
  start_postgres
  start_broker
  for n in $(seq 1 "$silos"); do launch_silo "$n"; done
  for n in $(seq 1 "$silos"); do wait_silo "$n" 120; done
  say "admin key in $run/admin-key; stop with: $0 stop"
}

stop_all() {
  for n in $(seq 1 "$silos"); do
    alive "silo-$n" && kill -TERM "$(cat "$run/silo-$n.pid")" 2>/dev/null || true
  done
  for n in $(seq 1 "$silos"); do stop_pid "silo-$n" TERM 60; done
  stop_pid mosquitto TERM 20
  stop_pid redis TERM 30 # Redis flushes its append-only file on SIGTERM
  stop_postgres
  say "stopped"
}

status() {
  for name in redis mosquitto $(seq -f "silo-%g" 1 "$silos"); do
    if alive "$name"; then echo "$name: running (pid $(cat "$run/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if [ "$postgres" = true ]; then
    if pg_up; then echo "postgres: running (127.0.0.1:$pg_port)"; else echo "postgres: stopped"; fi
  fi
  for n in $(seq 1 "$silos"); do
    local i=$((n - 1))
    echo "silo-$n /health: $(curl -sS -H "Authorization: Bearer $(admin_key)" "http://127.0.0.1:${http_ports[$i]}/health" 2>&1 || true)"
  done
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  status) status ;;
  kill-silo) stop_pid "silo-${2:?silo number}" 9 5 ;;
  stop-silo) stop_pid "silo-${2:?silo number}" TERM 60 ;;
  start-silo) ensure_built; launch_silo "${2:?silo number}"; wait_silo "$2" 120 ;;
  stop-broker) stop_pid mosquitto TERM 20 ;;
  start-broker) start_broker ;;
  start-broker-empty) alive mosquitto || rm -f "$run/mosquitto/mosquitto.db"; start_broker ;;
  pause-silo) alive "silo-${2:?silo number}" && kill -STOP "$(cat "$run/silo-$2.pid")" ;;
  resume-silo) alive "silo-${2:?silo number}" && kill -CONT "$(cat "$run/silo-$2.pid")" ;;
  stop-redis) stop_pid redis TERM 30 ;;
  start-redis) start_redis ;;
  stop-postgres) stop_postgres ;;
  start-postgres) postgres=true; start_postgres ;;
  *) sed -n '2,30p' "$0"; exit 2 ;;
esac
