#!/usr/bin/env bash
# The cockpit demo, one command: starts a silo (unless --api names a running one), loads a realistic
# hardware district over the HTTP API and MQTT, and keeps it moving so the cockpit at / changes live.
#
#   scripts/demo.sh                      # silo on http://127.0.0.1:8080, broker on 127.0.0.1:1883
#   scripts/demo.sh --port 18080 --mqtt-port 11883
#   scripts/demo.sh --api http://127.0.0.1:8080 --mqtt-port 1883 --key KEY   # a silo already running
#
# The silo it starts takes the administrator's key demo-admin-key (or IB_KEY, or --key); when the district
# is loaded it prints the cockpit's address and the key that opens it. --no-build uses the binaries as built.
#
# The silo it starts takes MQTT without credentials (--Mqtt:RequireCredentials=false: a demo on
# loopback); with --api, every terminal asks the brain for its own MQTT credential first.
#
# What it loads (scripts/demo/district.json): 51 firms on every link of the chain, from steel strip
# and heat treatment to knife, scissors and lock makers to wholesale, e-commerce and logistics;
# 100 production orders with their routings (knives: 下料 to 包装 in ten steps; scissors; locks ...)
# and due dates, a few of them late, at risk, done or not yet planned; terminals, three of them in
# fault; three pooled-procurement bundles (one closed); 29 days of recorded district output.
# Then it drives: the firms' terminals count on every few seconds, and `brain simulate` adds
# simulated knife, scissors and lock makers publishing over MQTT. Ctrl-C stops what it started.
#
# Needs: curl, jq, mosquitto_pub (Debian: mosquitto-clients), the .NET 10 SDK and Node.js (to build).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8080
MQTT_PORT=1883
API=""
KEY="${IB_KEY:-demo-admin-key}"
STORAGE=""
SIMULATE=1
DRIVE=1
SIM_ENTERPRISES=6
BUILD=1

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --mqtt-port) MQTT_PORT="$2"; shift 2 ;;
    --api) API="$2"; shift 2 ;;
    --key) KEY="$2"; shift 2 ;;
    --storage) STORAGE="$2"; shift 2 ;;
    --sim-enterprises) SIM_ENTERPRISES="$2"; shift 2 ;;
    --no-simulate) SIMULATE=0; shift ;;
    --load-only) DRIVE=0; SIMULATE=0; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option $1" >&2; usage 2 ;;
  esac
done

for tool in curl jq mosquitto_pub; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is missing (apt-get install curl jq mosquitto-clients)" >&2; exit 1; }
done

DATA=scripts/demo/district.json
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\033[36mdemo:\033[0m %s\n' "$*"; }
api() { # METHOD PATH [JSON]
  local method=$1 path=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -sS -o "$WORK/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "$body" "$API$path"
  else
    curl -sS -o "$WORK/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $KEY" "$API$path"
  fi
}
must() { # METHOD PATH JSON: fails the demo on an error answer
  local code
  code=$(api "$@")
  case "$code" in 2??) ;; *) echo "demo: $1 $2 answered $code: $(cat "$WORK/answer")" >&2; exit 1 ;; esac
}
CREDENTIALS=0
mkdir -p "$WORK/credentials"
publish() { # TOPIC PAYLOAD [retain]: as the terminal of the topic ib/{enterprise}/{terminal}/...
  local auth=()
  if [ "$CREDENTIALS" = 1 ]; then
    local firm terminal file
    firm=$(cut -d/ -f2 <<<"$1"); terminal=$(cut -d/ -f3 <<<"$1"); file="$WORK/credentials/$firm.$terminal"
    if [ ! -f "$file" ]; then
      must POST "/api/enterprises/$firm/terminals/$terminal/credential"
      jq -r '.username, .password' "$WORK/answer" >"$file"
    fi
    auth=(-u "$(sed -n 1p "$file")" -P "$(sed -n 2p "$file")")
  fi
  mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -V mqttv5 -q 1 "${auth[@]}" ${3:+-r} -t "$1" -m "$2"
}
now_ms() { date +%s%3N; }

# ---- the silo ------------------------------------------------------------------------------
if [ -z "$API" ]; then
  API="http://127.0.0.1:$PORT"
  STORAGE=${STORAGE:-$WORK/data}
  if [ "$BUILD" = 1 ] || [ ! -f silo/bin/Release/net10.0/IndustryBrain.Silo.dll ]; then
    say "building the silo and the brain CLI (Release) ..."
    dotnet build silo -c Release -v quiet -nologo >/dev/null
    dotnet build client -c Release -v quiet -nologo >/dev/null || SIMULATE=0
  fi
  say "starting a silo on $API (MQTT 127.0.0.1:$MQTT_PORT, state in $STORAGE, administrator's key $KEY)"
  dotnet silo/bin/Release/net10.0/IndustryBrain.Silo.dll --urls "$API" --Mqtt:Port="$MQTT_PORT" \
    --Storage:Path="$STORAGE" --Auth:AdminKey="$KEY" --Mqtt:RequireCredentials=false --Orleans:SiloPort=$((PORT + 3111)) --Orleans:GatewayPort=$((PORT + 3222)) \
    >"$WORK/silo.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -fs "$API/health" >/dev/null 2>&1 && break
    kill -0 "${PIDS[0]}" 2>/dev/null || { echo "demo: the silo stopped:" >&2; tail -20 "$WORK/silo.log" >&2; exit 1; }
    sleep 0.5
  done
else
  API=${API%/}
  CREDENTIALS=1
  [ -n "$STORAGE" ] && say "--storage is ignored with --api"
fi
curl -fs "$API/health" >/dev/null || { echo "demo: no silo answers at $API/health" >&2; exit 1; }

# ---- the district ----------------------------------------------------------------------------
say "registering $(jq '.firms | length' $DATA) firms across the chain ..."
jq -r '.firms[] | "\(.id)\t\({name, uscc, chainNode, park, tier} | tojson)"' $DATA | while IFS=$'\t' read -r firm body; do
  must PUT "/api/enterprises/$firm" "$body"
done

say "planning $(jq '[.firms[].orders[] | select(.status != "unplanned")] | length' $DATA) orders with routings and due dates ..."
jq -r --argjson now "$(date +%s)" '.routings as $r | .firms[] | .id as $f | .orders[] | select(.status != "unplanned")
  | "/api/enterprises/\($f)/orders/\(.order)\t"
    + ({product, quantity, unitPrice, due: (($now + .dueDays * 86400) | floor | todate), routing: $r[.routing]} | tojson)' $DATA |
while IFS=$'\t' read -r path body; do
  must PUT "$path" "$body"
done

say "terminals report their state (three in fault) ..."
jq -r '.firms[] | .id as $f | .faults as $faults | range(1; .terminals + 1) as $t
  | ("T" + ($t | tostring | if length < 2 then "0" + . else . end)) as $name
  | ([$faults[] | select(.terminal == $name)] | first) as $fault
  | "ib/\($f)/\($name)/status\t" + ({state: (if $fault then "fault" else "running" end), seq: 1, fault: ($fault.fault // null)} | tojson)' $DATA |
while IFS=$'\t' read -r topic payload; do publish "$topic" "$payload" retain; done

send_readings() { # SEQ TS ONLY SHIFT [FIRM]
  jq -c --arg firm "${5:-}" '.firms[] | select($firm == "" or .id == $firm)' "$DATA_NOW" |
  jq -c --argjson routings "$(jq -c .routings "$DATA_NOW")" --argjson seq "$1" --arg ts "$2" --arg only "$3" --argjson shift "$4" \
    -f scripts/demo/readings.jq | jq -r '"\(.topic)\t\(.payload)"' |
  while IFS=$'\t' read -r topic payload; do
    publish "$topic" "$payload"
  done
}

DATA_NOW=$WORK/district.json
cp $DATA "$DATA_NOW"
say "terminals publish their counts (the at-risk orders first as they stood four hours ago) ..."
send_readings "$(now_ms)" "$(date -u -d '-4 hours' +%Y-%m-%dT%H:%M:%SZ)" at-risk -0.06
sleep 1.5
send_readings "$(now_ms)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "" 0

say "opening three pooled-procurement bundles and pledging ..."
jq -c --argjson now "$(date +%s)" '.bundles[]' $DATA | while read -r bundle; do
  id=$(jq -r .bundle <<<"$bundle")
  code=$(api GET "/api/bundles/$id")
  if [ "$code" = 404 ]; then
    must PUT "/api/bundles/$id" "$(jq -c --argjson now "$(date +%s)" '.terms | del(.closesInDays) + {closesAt: (($now + .closesInDays * 86400) | floor | todate)}' <<<"$bundle")"
    jq -r '.pledges | to_entries[] | "\(.key)\t\(.value)"' <<<"$bundle" | while IFS=$'\t' read -r firm quantity; do
      must PUT "/api/bundles/$id/pledges/$firm" "{\"quantity\":$quantity}"
    done
    [ "$(jq -r .close <<<"$bundle")" = true ] && must POST "/api/bundles/$id/close"
  elif [ "$code" != 200 ]; then
    say "bundles answered $code; skipping them"
    break
  fi
done

say "recording 29 days of district output before today ..."
sleep 2.5
api GET /api/cockpit >/dev/null
today_units=$(jq '.outputToday.units' "$WORK/answer")
today_value=$(jq '.outputToday.value' "$WORK/answer")
must PUT /api/cockpit/daily "$(jq -nc --argjson units "$today_units" --argjson value "$today_value" --argjson now "$(date +%s)" '
  ([$units, 20000] | max) as $u | ([$value, 600000] | max) as $v
  | {days: [range(1; 30) as $d | ($now - $d * 86400) as $t | ($t | strftime("%u") | tonumber) as $dow
      | (1.05 + 0.12 * ((($d * 7919) % 23) / 23 - 0.5) - (if $dow >= 6 then 0.35 else 0 end) - $d * 0.004) as $k
      | {date: ($t + 28800 | strftime("%Y-%m-%d")), units: ($u * $k | floor), value: ($v * $k | floor)}]}')"

say "qiaofeng's dispatch board: a day and a night shift, its ERP documents, a key of its own ..."
BOARD_FIRM=qiaofeng
BOARD_KEY=""
must PUT "/api/enterprises/$BOARD_FIRM/shifts" '{"shifts":[{"start":"08:00","end":"20:00"},{"start":"20:00","end":"08:00"}]}'
curl -sS -o "$WORK/answer" -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: text/csv' \
  --data-binary @scripts/demo/qiaofeng-erp.csv "$API/api/enterprises/$BOARD_FIRM/erp/import"
if [ "$(api POST /api/keys "{\"role\":\"enterprise\",\"enterprise\":\"$BOARD_FIRM\"}")" = 201 ]; then
  BOARD_KEY=$(jq -r .key "$WORK/answer")
fi

ready() {
  printf '\n\033[1;32mdemo: ready.\033[0m The cockpit: \033[1m%s/\033[0m  key: \033[1m%s\033[0m\n' "$API" "$KEY"
  printf '      重庆桥丰 (qiaofeng) dispatch board: \033[1m%s/board/%s\033[0m  key: \033[1m%s\033[0m\n' "$API" "$BOARD_FIRM" "${BOARD_KEY:-$KEY}"
  printf '      Open the address, enter the key when the page asks for it (it is kept for the browser session).\n'
  printf '      For curl and brain:  export IB_KEY=%s   (the view as JSON: %s/api/cockpit)\n\n' "$KEY" "$API"
}
ready
[ "$DRIVE" = 1 ] || exit 0

# ---- keep it moving ----------------------------------------------------------------------------
if [ "$SIMULATE" = 1 ] && [ -f client/bin/Release/net10.0/brain.dll ] \
   && dotnet client/bin/Release/net10.0/brain.dll simulate --help 2>/dev/null | grep -q -- --enterprises; then
  say "brain simulate: $SIM_ENTERPRISES simulated firms publish counts over MQTT"
  dotnet client/bin/Release/net10.0/brain.dll simulate --api "$API" --key "$KEY" --mqtt "mqtt://127.0.0.1:$MQTT_PORT" \
    --enterprises "$SIM_ENTERPRISES" --orders 2 --terminals 10 --rate 40 --batch 5 --duration 12h --no-verify \
    --prefix "sim$(date +%H%M)" $([ "$CREDENTIALS" = 1 ] && echo --terminal-credentials) >"$WORK/simulate.log" 2>&1 &
  PIDS+=($!)
elif [ "$SIMULATE" = 1 ]; then
  say "brain simulate is not available; the district's own terminals drive the cockpit"
fi

say "the district's terminals count on (Ctrl-C to stop; the cockpit: $API/ with the key $KEY) ..."
firms=($(jq -r '.firms[].id' $DATA))
tick=0
faulted=""
while true; do
  sleep 3
  tick=$((tick + 1))
  for _ in 1 2 3; do
    firm=${firms[$((RANDOM % ${#firms[@]}))]}
    step=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.01 + (r % 30) / 1000 }')
    jq --arg firm "$firm" --argjson step "$step" '.firms |= map(if .id == $firm
      then .orders |= map(if .status == "on-track" or .status == "unplanned"
        then .progress = ([.progress + $step, 1] | min) | (if .progress >= 1 then .status = "done" else . end) else . end)
      else . end)' "$DATA_NOW" >"$DATA_NOW.next" && mv "$DATA_NOW.next" "$DATA_NOW"
    send_readings "$(now_ms)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "" 0 "$firm"
  done
  if [ $((tick % 10)) = 0 ]; then
    # A terminal breaks down somewhere; the one that broke last time is repaired.
    [ -n "$faulted" ] && publish "$faulted" "{\"state\":\"running\",\"seq\":$(now_ms)}" retain
    firm=${firms[$((RANDOM % ${#firms[@]}))]}
    faulted="ib/$firm/T01/status"
    publish "$faulted" "{\"state\":\"fault\",\"seq\":$(now_ms),\"fault\":\"E-$((RANDOM % 40 + 1))\"}" retain
  fi
done
