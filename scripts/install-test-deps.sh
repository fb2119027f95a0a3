#!/usr/bin/env bash
# Installs the real components the tests run against, from Debian's packages (PostgreSQL for the history
# archive's tests: they initdb and start their own throwaway server, as an unprivileged user when root).
# The tests start their own brokers and servers on free ports, so nothing already running is touched.
set -euo pipefail
need=()
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi "wenquanyi" || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the services it just installed; the tests do not need them, so leave the machine as it was.
  for service in mosquitto redis-server postgresql; do
    if printf '%s\n' "${need[@]}" | grep -qx "$service" && command -v systemctl >/dev/null; then
      $SUDO systemctl disable --now "$service" 2>/dev/null || true
    fi
  done
fi
