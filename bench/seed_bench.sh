#!/usr/bin/env bash
# Seeding benchmark (issue 2): `epermit demo` seeds RESIDENTS synthetic residents with their
# department records, then serves them. Reported:
#   - seeding rows/s (registrations + records + history rows; target >= 100,000 rows/s), and
#     the ratio against a bare SQLite bulk insert of the same number of rows of the same
#     average size, in the same batch size, run right after on the same disk (plus, as a
#     diagnostic, the same insert with one index on a random-order key);
#   - the server's resident memory (VmRSS) with that database open, after GET traffic
#     (target <= 150 MB), and its peak (VmHWM, which includes the seeding).
#
#   bench/seed_bench.sh [RESIDENTS]      default 1000000 (or $SEED_RESIDENTS)
#
# Environment: EPERMIT_BIN, EPERMIT_BENCH_DIR (temp base, must be a real disk),
# SEED_TIMEOUT (seconds to wait for the seeding, default 3600), SEED_TRAFFIC (seconds of
# GET traffic, default 10), KEEP=1 keeps the temp directory.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

RESIDENTS="${1:-${SEED_RESIDENTS:-1000000}}"
TIMEOUT="${SEED_TIMEOUT:-3600}"
TRAFFIC="${SEED_TRAFFIC:-10}"
BASELINE_BIN="${BULK_BIN:-$BENCH_ROOT/build/release/bench/bulk_insert_baseline}"
SEED_BATCH=5000  # residents per write transaction (service::SeedOptions::batch)

need wrk
need sqlite3
need python3
[ -x "$BASELINE_BIN" ] || die "$BASELINE_BIN not built"

WORK="$(mktemp -d "$BENCH_TMP_BASE/epermit-seed-XXXXXX")"
cleanup() {
  stop_demo
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== seed: $RESIDENTS residents into $WORK/city"
start_demo "$WORK" "$RESIDENTS" "$TIMEOUT" || die "epermit demo failed (see above)"
# CPU time of the node so far (seeding, plus opening the store): user + system, from
# /proc/PID/stat. On a shared machine rows per CPU-second is the steadier figure.
seed_cpu="$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$DEMO_PID/stat")"
line="$(grep -m1 'seeded [0-9]* residents' "$WORK/err.txt" || true)"
[ -n "$line" ] || die "no 'seeded' line in $WORK/err.txt"
read -r residents rows permits secs < <(echo "$line" |
  sed -n 's/.*seeded \([0-9]*\) residents (\([0-9]*\) rows, \([0-9]*\) permits) in \([0-9.]*\) s.*/\1 \2 \3 \4/p')
seed_rps="$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')"
db="$WORK/city/epermit.db"
db_mib="$(du -cm "$db" "$db-wal" 2>/dev/null | awk 'END { print $1 }')"
echo "seeded $residents residents: $rows rows, $permits permits in $secs s (database ${db_mib} MiB)"

# GET traffic over every issued permit, the review queue and the health check: a wrk script
# cycling through the paths, then a few single requests.
numbers="$(sqlite3 -readonly "file:$db?mode=ro" "SELECT number FROM permits ORDER BY number" 2>/dev/null || true)"
[ -n "$numbers" ] || numbers="$(demo_permit_number "$WORK")"
{
  echo "local paths = {"
  for n in $numbers; do echo "  \"/api/v1/permits/$n\","; done
  echo "  \"/api/v1/review-queue\", \"/healthz\"}"
  echo 'local i = 0'
  echo 'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end'
} >"$WORK/paths.lua"
rss_before="$(proc_mb "$DEMO_PID" VmRSS)"
wrk -t2 -c16 -d"${TRAFFIC}s" -s "$WORK/paths.lua" "http://127.0.0.1:$DEMO_PORT" >"$WORK/wrk.txt"
curl -sf "http://127.0.0.1:$DEMO_PORT/api/v1/openapi.json" >/dev/null
curl -sf "http://127.0.0.1:$DEMO_PORT/api/v1/permits/$(demo_permit_number "$WORK")" >/dev/null
traffic_rps="$(wrk_rps "$WORK/wrk.txt")"
rss="$(proc_mb "$DEMO_PID" VmRSS)"
hwm="$(proc_mb "$DEMO_PID" VmHWM)"
stop_demo

# Baseline: the same number of rows, of the seeded rows' average size (bytes of stored
# text), in transactions of the same number of rows, into a bare table on the same disk.
avg_bytes="$(sqlite3 -readonly "$db" "
  SELECT CAST(ROUND(
    ((SELECT TOTAL(LENGTH(CAST(kind AS BLOB)) + LENGTH(CAST(citizen_id AS BLOB)) + LENGTH(CAST(source AS BLOB))
                   + LENGTH(CAST(body AS BLOB)) + LENGTH(CAST(sealed AS BLOB)) + 8) FROM records)
     + (SELECT TOTAL(LENGTH(CAST(id AS BLOB)) + LENGTH(CAST(citizen_id AS BLOB)) + LENGTH(CAST(name AS BLOB))
                     + LENGTH(CAST(phone AS BLOB)) + LENGTH(CAST(city AS BLOB)) + LENGTH(CAST(division_code AS BLOB))
                     + LENGTH(CAST(address AS BLOB)) + LENGTH(CAST(basis AS BLOB)) + LENGTH(CAST(employer_uscc AS BLOB))
                     + LENGTH(CAST(registered_on AS BLOB)) + LENGTH(CAST(actor AS BLOB))
                     + LENGTH(CAST(sealed AS BLOB)) + 8) FROM registrations))
    / ((SELECT COUNT(*) FROM records) + (SELECT COUNT(*) FROM registrations))) AS INTEGER)")"
batch_rows=$(( rows * SEED_BATCH / (residents > 0 ? residents : 1) ))
[ "$batch_rows" -gt 0 ] || batch_rows=1
rm -rf "$WORK/city"  # free the disk before the baseline writes as much again
"$BASELINE_BIN" --db "$WORK/bulk.db" --rows "$rows" --bytes "$avg_bytes" --batch "$batch_rows" | tee "$WORK/bulk.txt"
bulk_rps="$(sed -n 's/.* = \([0-9]*\) rows\/s.*/\1/p' "$WORK/bulk.txt")"
bulk_cpu_rps="$(sed -n 's/.* = \([0-9]*\) rows per CPU s.*/\1/p' "$WORK/bulk.txt")"
# Diagnostic: the same with one index on a random-order key (the node indexes every row by
# person), to tell SQLite's own index cost from the seeder's.
"$BASELINE_BIN" --db "$WORK/bulk.db" --rows "$rows" --bytes "$avg_bytes" --batch "$batch_rows" --index 1 |
  tee "$WORK/bulk-index.txt"
bulk_index_rps="$(sed -n 's/.* = \([0-9]*\) rows\/s.*/\1/p' "$WORK/bulk-index.txt")"
rm -f "$WORK"/bulk.db*

echo
echo "seed: $residents residents, $rows rows in $secs s = $seed_rps rows/s (target >= 100000 rows/s)"
awk -v a="$seed_rps" -v b="$bulk_rps" -v n="$rows" -v sz="$avg_bytes" -v k="$batch_rows" 'BEGIN {
  printf "seed ratio: epermit %d rows/s vs bare SQLite bulk insert %d rows/s (%d rows of %d bytes, %d per txn) = %.2f\n",
         a, b, n, sz, k, (b > 0 ? a / b : 0) }'
awk -v a="$seed_rps" -v b="$bulk_index_rps" 'BEGIN {
  printf "  (diagnostic) bare bulk insert with one random-key index: %d rows/s; epermit / that = %.2f\n", b, (b > 0 ? a / b : 0) }'
awk -v r="$rows" -v c="$seed_cpu" -v b="$bulk_cpu_rps" 'BEGIN {
  a = (c > 0 ? r / c : 0);
  printf "seed CPU: %.1f CPU s = %d rows per CPU s; bare bulk insert %d rows per CPU s; ratio %.2f\n", c, a, b, (b > 0 ? a / b : 0) }'
echo "server RSS after GET traffic: ${rss} MB (target <= 150 MB); before traffic ${rss_before} MB, peak incl. seeding ${hwm} MB; traffic ${traffic_rps} req/s"
