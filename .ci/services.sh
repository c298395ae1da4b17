#!/usr/bin/env bash
# Makes sure the local services the integration tests talk to are up; starts the ones that are
# down with the machine's own commands, and fails loudly (never skips) when one stays down.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure() {
  local name=$1 port=$2 start=$3
  if port_open "$port"; then
    echo "service $name: up on 127.0.0.1:$port"
    return 0
  fi
  echo "service $name: down, starting it"
  bash -c "$start" >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    if port_open "$port"; then
      echo "service $name: up on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  echo "FATAL: service $name is not reachable on 127.0.0.1:$port (start command: $start)" >&2
  return 1
}

failed=0
ensure postgresql 5432 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' || failed=1
ensure nats 4222 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log' || failed=1
exit $failed
