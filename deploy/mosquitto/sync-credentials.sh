#!/usr/bin/env bash
# Writes Mosquitto's password and ACL files from IndustryBrain's credential registry, with the rights the
# embedded broker enforces (each terminal writes only ib/{enterprise}/{terminal}/count and /status, reads
# only under its own prefix and ib/brain/state; the brain's own user reads and writes ib/#), then has
# Mosquitto reload them. The registry holds only salted hashes, already in Mosquitto's $7$ format: no
# terminal password is needed, or ever seen, here. Run it after issuing or revoking credentials, or
# every minute from cron / a Kubernetes CronJob.
#
#   sync-credentials.sh --out /mosquitto/config [--api http://silo:8080] [--key $ADMIN_KEY]
#                       [--brain-user industry-brain --brain-password $BRAIN_MQTT_PASSWORD]
#                       [--hup-pid PID | --hup-command 'docker compose kill -s HUP mosquitto']
#
# The key may also come from IB_KEY, the address from IB_API, the brain's password from IB_BRAIN_PASSWORD.
set -euo pipefail

api="${IB_API:-http://127.0.0.1:8080}"
key="${IB_KEY:-}"
out=""
brain_user="industry-brain"
brain_password="${IB_BRAIN_PASSWORD:-}"
hup_pid=""
hup_command=""

while [ $# -gt 0 ]; do
  case "$1" in
    --api) api="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --brain-user) brain_user="$2"; shift 2 ;;
    --brain-password) brain_password="$2"; shift 2 ;;
    --hup-pid) hup_pid="$2"; shift 2 ;;
    --hup-command) hup_command="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ -z "$out" ] || [ -z "$key" ]; then
  echo "usage: sync-credentials.sh --out DIR --key ADMIN_KEY [--api URL] [--brain-user U --brain-password P] [--hup-pid PID | --hup-command CMD]" >&2
  exit 2
fi

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The key goes in a header read from a file descriptor, never on a command line others can list.
fetch() {
  curl --fail --silent --show-error --max-time 60 \
    -H @<(printf 'Authorization: Bearer %s\n' "$key") \
    -o "$2" "$api$1"
}

fetch "/api/broker/passwd" "$work/passwd"
fetch "/api/broker/acl?brain=$brain_user" "$work/acl"

if [ -n "$brain_password" ]; then
  # mosquitto_passwd reads the password on its command line in batch mode; it runs only for the
  # brain's own account, on the machine that already holds it.
  mosquitto_passwd -b "$work/passwd" "$brain_user" "$brain_password"
fi

# The hashes are of long random secrets and useless to a reader, but there is no reason to show them:
# let only the broker's user read these files (chown them to it where the broker runs as another user).
# Renamed into place, so Mosquitto reloading at that moment reads the old files or the new, never half.
mv -f "$work/passwd" "$out/passwd.new" && mv -f "$out/passwd.new" "$out/passwd"
mv -f "$work/acl" "$out/acl.new" && mv -f "$out/acl.new" "$out/acl"

if [ -n "$hup_pid" ]; then
  kill -HUP "$hup_pid"
elif [ -n "$hup_command" ]; then
  eval "$hup_command"
fi

echo "wrote $out/passwd ($(grep -c ':' "$out/passwd" || true) users) and $out/acl"
