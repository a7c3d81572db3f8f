#!/usr/bin/env bash
# HTTP load benchmark (issue 2): `epermit demo` with RESIDENTS residents on a free loopback
# port; wrk against GET /healthz (the baseline: routing + HTTP only) and against
# GET /api/v1/permits/{number} (routing + SQLite read + JSON) in the same run, in the order
# healthz, permit, permit, healthz (ABBA) so drift on a noisy machine hits both alike.
# Reported: the permit/healthz req/s ratio (target >= 0.5) and the permit p99 (target <= 10 ms).
# Issue 3: POST /api/v1/verify of the permit's QR (GET .../qr?format=text; wrk sends the POST
# through a small Lua script) in the same run, order healthz, permit, verify, verify, permit,
# healthz: the verify/healthz ratio and the verify p99 (no target; reported).
#
#   bench/load.sh
#
# Environment: LOAD_RESIDENTS (default 20000), LOAD_DURATION (per wrk run, default 10s),
# LOAD_CONNECTIONS (64), LOAD_THREADS (wrk threads, 2), LOAD_ROUNDS (ABBA rounds, 1),
# EPERMIT_LOG_LEVEL (the server's, default info: every request is logged, as in production),
# EPERMIT_BIN, EPERMIT_BENCH_DIR, KEEP=1.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

RESIDENTS="${LOAD_RESIDENTS:-20000}"
DURATION="${LOAD_DURATION:-10s}"
CONNECTIONS="${LOAD_CONNECTIONS:-64}"
THREADS="${LOAD_THREADS:-2}"
ROUNDS="${LOAD_ROUNDS:-1}"

need wrk
need python3

WORK="$(mktemp -d "$BENCH_TMP_BASE/epermit-load-XXXXXX")"
cleanup() {
  stop_demo
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== load: demo city with $RESIDENTS residents in $WORK"
start_demo "$WORK" "$RESIDENTS" 600 || die "the demo city did not start"
NUMBER="$(demo_permit_number "$WORK")"
BASE="http://127.0.0.1:$DEMO_PORT"
curl -sf "$BASE/api/v1/permits/$NUMBER" >/dev/null || die "GET /api/v1/permits/$NUMBER failed"
echo "server pid $DEMO_PID on $BASE, permit $NUMBER"

# The QR to verify, the JSON body and the wrk script that POSTs it.
QR="$(curl -sf "$BASE/api/v1/permits/$NUMBER/qr?format=text")" || die "GET /api/v1/permits/$NUMBER/qr failed"
python3 - "$QR" "$WORK/verify.json" "$WORK/verify.lua" <<'PY'
import json, sys
qr, body_path, lua_path = sys.argv[1].strip(), sys.argv[2], sys.argv[3]
body = json.dumps({"qr": qr})
open(body_path, "w").write(body)
# A Lua long string holds the JSON as is (the body has no "]]").
open(lua_path, "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          "wrk.body = [[" + body + "]]\n")
PY
VERDICT="$(curl -sf -H 'Content-Type: application/json' --data-binary "@$WORK/verify.json" "$BASE/api/v1/verify" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')" || die "POST /api/v1/verify failed"
echo "QR of ${#QR} characters; POST /api/v1/verify says: $VERDICT"

run_wrk() {  # NAME PATH OUT [LUA-SCRIPT]
  # wrk's own timeout bounds every request; -d bounds the run.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency ${4:+-s "$4"} "$BASE$2" >"$3"
  local errs
  errs="$(grep -E 'Non-2xx|Socket errors' "$3" || true)"
  printf '  %-8s %10s req/s  p99 %7s ms%s\n' "$1" "$(wrk_rps "$3")" "$(wrk_p99_ms "$3")" "${errs:+  ($errs)}"
}

for r in $(seq 1 "$ROUNDS"); do
  run_wrk healthz /healthz "$WORK/healthz-$r-a.txt"
  run_wrk permit "/api/v1/permits/$NUMBER" "$WORK/permit-$r-a.txt"
  run_wrk verify /api/v1/verify "$WORK/verify-$r-a.txt" "$WORK/verify.lua"
  run_wrk verify /api/v1/verify "$WORK/verify-$r-b.txt" "$WORK/verify.lua"
  run_wrk permit "/api/v1/permits/$NUMBER" "$WORK/permit-$r-b.txt"
  run_wrk healthz /healthz "$WORK/healthz-$r-b.txt"
done
rss="$(proc_mb "$DEMO_PID" VmRSS)"
stop_demo

# Means of the req/s; the p99 reported is the worst of the permit runs.
healthz_rps="$(for f in "$WORK"/healthz-*.txt; do wrk_rps "$f"; done | awk '{ s += $1; n++ } END { printf "%.0f", s / n }')"
permit_rps="$(for f in "$WORK"/permit-*.txt; do wrk_rps "$f"; done | awk '{ s += $1; n++ } END { printf "%.0f", s / n }')"
permit_p99="$(for f in "$WORK"/permit-*.txt; do wrk_p99_ms "$f"; echo; done | awk 'NF { if ($1 > m) m = $1 } END { printf "%.2f", m }')"
verify_rps="$(for f in "$WORK"/verify-*.txt; do wrk_rps "$f"; done | awk '{ s += $1; n++ } END { printf "%.0f", s / n }')"
verify_p99="$(for f in "$WORK"/verify-*.txt; do wrk_p99_ms "$f"; echo; done | awk 'NF { if ($1 > m) m = $1 } END { printf "%.2f", m }')"
healthz_p99="$(for f in "$WORK"/healthz-*.txt; do wrk_p99_ms "$f"; echo; done | awk 'NF { if ($1 > m) m = $1 } END { printf "%.2f", m }')"

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $((ROUNDS * 2)) runs each; healthz p99 $healthz_p99 ms; server RSS ${rss} MB"
awk -v p="$permit_rps" -v h="$healthz_rps" -v l="$permit_p99" 'BEGIN {
  printf "permit GET ratio: %d req/s vs healthz %d req/s = %.2f (target >= 0.5), p99 %.2f ms (target <= 10 ms)\n",
         p, h, (h > 0 ? p / h : 0), l }'
awk -v v="$verify_rps" -v h="$healthz_rps" -v l="$verify_p99" -v d="$VERDICT" 'BEGIN {
  printf "verify POST ratio: %d req/s vs healthz %d req/s = %.2f (reported, no target), p99 %.2f ms, verdict %s\n",
         v, h, (h > 0 ? v / h : 0), l, d }'
