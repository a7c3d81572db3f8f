#!/usr/bin/env bash
# All benchmarks of issues 2, 3 and 4, in order: issuance (Google Benchmark), credentials
# (Google Benchmark: QR verification and QR + SD-JWT issuance), points (Google Benchmark: the
# Beijing table over 1,000,000 synthetic people), policy simulate (a draft Beijing table over
# 1,000,000 seeded people: time, peak memory), seeding + memory, HTTP load (with
# POST /api/v1/verify). `make bench` runs this after the release build. Each prints
# its figures and the ratio against its same-run baseline; nothing fails on a missed target
# (the machine may be noisy), only on a benchmark that could not run.
#
#   bench/run.sh                   full run (seeding 1,000,000 residents takes minutes)
#   SEED_RESIDENTS=100000 SIMULATE_PEOPLE=100000 bench/run.sh     quicker
#
# The summary lines are also written to build/release/bench/results.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_BIN="$ROOT/build/release/bench"
[ -x "$BENCH_BIN/issuance_bench" ] || {
  echo "run.sh: $BENCH_BIN/issuance_bench not built (cmake --preset release && cmake --build --preset release)" >&2
  exit 2
}
LOG="$BENCH_BIN/run.log"
RESULTS="$BENCH_BIN/results.txt"
: >"$LOG"

echo "### 1/6 issuance ($(date -u +%FT%TZ))" | tee -a "$LOG"
"$BENCH_BIN/issuance_bench" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 2/6 credentials: QR verification and issuance" | tee -a "$LOG"
"$BENCH_BIN/credential_bench" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 3/6 points: Beijing table, engine vs hand-written (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"
"$BENCH_BIN/points_bench" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 4/6 policy simulate: a draft Beijing table over a seeded population" | tee -a "$LOG"
"$ROOT/bench/simulate.sh" "${SIMULATE_PEOPLE:-1000000}" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 5/6 seeding and memory" | tee -a "$LOG"
"$ROOT/bench/seed_bench.sh" "${SEED_RESIDENTS:-1000000}" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 6/6 HTTP load" | tee -a "$LOG"
"$ROOT/bench/load.sh" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 7/7 transparency log: appends with signed heads, inclusion proofs" | tee -a "$LOG"
"$BENCH_BIN/audit_log_bench" 2>&1 | tee -a "$LOG"
echo | tee -a "$LOG"
echo "### 8/8 access checks: authorisation and consent on GET /api/v1/permits/{number}" | tee -a "$LOG"
"$BENCH_BIN/access_check_bench" 2>&1 | tee -a "$LOG"

{
  echo "epermit benchmarks, $(date -u +%F), $(nproc) cores"
  grep -E '^(issuance ratio|seed:|seed ratio|seed CPU|  \(diagnostic\)|server RSS|permit GET ratio|verify ratio|credential issuance ratio|verify POST ratio|points totals|points ledger counting|points explain|simulate run|leaf append|inclusion proof|access check|  \(diagnostic\) verifier)' "$LOG"
} | tee "$RESULTS"
