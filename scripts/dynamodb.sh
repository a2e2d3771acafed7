#!/usr/bin/env bash
# Local DynamoDB-compatible server (npm's dynalite) on 127.0.0.1 with data kept on disk.
# Usage: scripts/dynamodb.sh start|stop|status|restart
# Env: DYNAMODB_PORT (8000), DYNAMODB_DATA (.data/dynamodb). Starting twice, or after a crash, just works.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${DYNAMODB_PORT:-8000}"
DATA="${DYNAMODB_DATA:-.data/dynamodb}"
RUN_DIR="$(dirname "$DATA")"
PID_FILE="$RUN_DIR/dynamodb-$PORT.pid"
LOG_FILE="$RUN_DIR/dynamodb-$PORT.log"
BIN=node_modules/.bin/dynalite

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  local state; state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  if [[ -n "$state" && "$state" != "Z" ]]; then echo "$pid"; return 0; fi
  rm -f "$PID_FILE"  # stale: the server died or the machine restarted
  return 1
}

start() {
  if pid="$(running_pid)"; then
    if port_open; then echo "dynamodb: already running (pid $pid, port $PORT)"; return 0; fi
    stop  # alive but not answering: replace it
  fi
  if port_open; then echo "dynamodb: port $PORT is taken by another process" >&2; return 1; fi
  [[ -x "$BIN" ]] || npm install --no-audit --no-fund --loglevel=error
  mkdir -p "$DATA"
  setsid nohup "$BIN" --host 127.0.0.1 --port "$PORT" --path "$DATA" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$LOG_FILE" 2>&1 < /dev/null &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 100); do
    if port_open; then echo "dynamodb: listening on http://127.0.0.1:$PORT (data in $DATA)"; return 0; fi
    if ! running_pid >/dev/null; then break; fi
    sleep 0.1
  done
  echo "dynamodb: failed to start; log follows" >&2; cat "$LOG_FILE" >&2; stop; return 1
}

stop() {
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "dynamodb: stopped"
  fi
  rm -f "$PID_FILE"
}

status() {
  if pid="$(running_pid)" && port_open; then echo "dynamodb: running (pid $pid, port $PORT)"; else echo "dynamodb: stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
