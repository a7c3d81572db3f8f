# shellcheck shell=bash
# Helpers shared by the benchmark scripts (sourced, not run). Everything listens on
# 127.0.0.1 only; every server started here is stopped by its own pid.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EPERMIT_BIN="${EPERMIT_BIN:-$BENCH_ROOT/build/release/epermit}"
export BENCH_TMP_BASE="${EPERMIT_BENCH_DIR:-${TMPDIR:-/tmp}}"

DEMO_PID=""
DEMO_PORT=""

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is missing (scripts/install-deps.sh installs it)"
}

# start_demo DIR RESIDENTS TIMEOUT_SECONDS
# Starts `epermit demo` on a free loopback port (stdout in DIR/out.txt, stderr in DIR/err.txt)
# and waits until it prints "is running at http://127.0.0.1:PORT/". Sets DEMO_PID, DEMO_PORT.
# Returns 1 when the server exits before serving (its stderr is shown).
start_demo() {
  local dir="$1" residents="$2" timeout="$3"
  [ -x "$EPERMIT_BIN" ] || die "$EPERMIT_BIN not built (cmake --preset release && cmake --build --preset release)"
  mkdir -p "$dir"
  "$EPERMIT_BIN" --log-level "${EPERMIT_LOG_LEVEL:-info}" demo --dir "$dir/city" --port 0 \
    --residents "$residents" --reset >"$dir/out.txt" 2>"$dir/err.txt" &
  DEMO_PID=$!
  local waited=0
  while ! grep -q "is running at http://127.0.0.1:" "$dir/out.txt" 2>/dev/null; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then
      wait "$DEMO_PID" 2>/dev/null || true
      DEMO_PID=""
      echo "$(basename "$0"): epermit demo exited before serving:" >&2
      cat "$dir/err.txt" >&2
      return 1
    fi
    if [ "$waited" -ge $((timeout * 10)) ]; then
      stop_demo
      die "epermit demo not serving after ${timeout} s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  DEMO_PORT="$(sed -n 's#.*is running at http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$dir/out.txt" | head -n1)"
  [ -n "$DEMO_PORT" ] || die "no port in $dir/out.txt"
}

# Stops the demo server started by start_demo (SIGTERM, then SIGKILL after 10 s).
stop_demo() {
  [ -n "$DEMO_PID" ] || return 0
  if kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -TERM "$DEMO_PID" 2>/dev/null || true
    local tries=0
    while [ "$tries" -lt 100 ] && kill -0 "$DEMO_PID" 2>/dev/null; do
      sleep 0.1
      tries=$((tries + 1))
    done
    if kill -0 "$DEMO_PID" 2>/dev/null; then kill -KILL "$DEMO_PID" 2>/dev/null || true; fi
  fi
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=""
}

# The holder's permit number from DIR/city/demo.json.
demo_permit_number() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["residents"]["holds_permit"]["permit_number"])' \
    "$1/city/demo.json"
}

# VmRSS / VmHWM of a pid in MB (10^6 bytes; /proc reports KiB), one decimal.
proc_mb() {
  awk -v key="$2:" '$1 == key { printf "%.1f", $2 * 1024 / 1e6 }' "/proc/$1/status"
}

# wrk output -> requests per second.
wrk_rps() {
  awk '/^Requests\/sec:/ { print $2 }' "$1"
}

# wrk --latency output -> the 99% latency in milliseconds.
wrk_p99_ms() {
  awk '$1 == "99%" {
         v = $2; unit = v; gsub(/[0-9.]/, "", unit); sub(/[a-z]+$/, "", v);
         if (unit == "us") v = v / 1000; else if (unit == "s") v = v * 1000; else if (unit == "m") v = v * 60000;
         printf "%.2f", v }' "$1"
}
