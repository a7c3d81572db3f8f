#!/usr/bin/env bash
# Issue 4's what-if benchmark: `epermit policy simulate` of a draft Beijing table over a
# synthetic population (bench/population_seed.cpp; N = 1,000,000 unless given), its wall time
# and peak memory (targets: ≤ 5 s, ≤ 1 GB), and a same-run baseline: SQLite alone reading what
# the simulation reads, every person digest in citizen-ID order, by the sqlite3 shell on the
# same file. The ratio says how much of the time is ours rather than reading.
#
#   bench/simulate.sh [PEOPLE]        (EPERMIT_BENCH_DIR: where the database goes; default $TMPDIR)
#
# The population is kept between runs in $DIR/epermit-simulate-PEOPLE.db (seeding 1,000,000
# people takes minutes); delete it to seed again.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/build/release"
PEOPLE="${1:-${SIMULATE_PEOPLE:-1000000}}"
DIR="${EPERMIT_BENCH_DIR:-${TMPDIR:-/tmp}}"
DB="$DIR/epermit-simulate-$PEOPLE.db"
for exe in "$BIN/epermit" "$BIN/bench/population_seed"; do
  [ -x "$exe" ] || {
    echo "simulate.sh: $exe not built (cmake --preset release && cmake --build --preset release)" >&2
    exit 2
  }
done
command -v sqlite3 >/dev/null || {
  echo "simulate.sh: the sqlite3 shell is missing (scripts/install-deps.sh installs it)" >&2
  exit 2
}

if [ ! -f "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  start=$SECONDS
  "$BIN/bench/population_seed" "$DB" "$PEOPLE"
  echo "simulate: seeded $PEOPLE people in $((SECONDS - start)) s"
fi
# Person digests (schema 4): a node keeps them current itself; a file loaded in bulk, or one
# made before schema 4, has everyone stale until refreshed (the first time: about a minute a
# million people). The simulation is correct either way, but reads stale people from the rows.
start=$SECONDS
"$BIN/epermit" --log-level warn db refresh-digests --db "$DB"
echo "simulate: digests refreshed in $((SECONDS - start)) s"
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

# The draft: Beijing's residence precondition lowered from 7 years of insurance to 5, and
# employment worth 4 points a year instead of 3 (both cited lines of the shipped table).
CURRENT="$ROOT/policies/110000/2020-01-01.toml"
DRAFT="$(mktemp --suffix=.toml)"
trap 'rm -f "$DRAFT"' EXIT
sed -e '0,/at_least = 84/s//at_least = 60/' -e '0,/per_year = 3$/s//per_year = 4/' "$CURRENT" >"$DRAFT"
if cmp -s "$CURRENT" "$DRAFT"; then
  echo "simulate.sh: the draft equals the current table (policies/110000 changed?)" >&2
  exit 2
fi

# Three rounds, each the baseline then the simulation; wall time and peak RSS of each child
# from wait4 (python's os module: no dependency on GNU time).
python3 - "$BIN/epermit" "$CURRENT" "$DRAFT" "$DB" "$ROOT/policies" <<'EOF'
import json, os, subprocess, sys, time
exe, current, draft, db, policies = sys.argv[1:]
SCAN = """
SELECT count(*), sum(length(citizen_id) + length(body)) FROM
  (SELECT citizen_id, body FROM person_digests ORDER BY citizen_id);
"""

def measure(argv):
    t = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - t
    if status != 0:
        sys.exit(f"{argv[0]} failed ({status})")
    return wall, usage.ru_maxrss // 1024, out


for run in (1, 2, 3):
    scan_s, _, scan_out = measure(["sqlite3", db, SCAN])
    sim_s, sim_mib, sim_out = measure([exe, "policy", "simulate", "--current", current, "--draft", draft,
                                       "--population", db, "--policies", policies])
    report = json.loads(sim_out)
    print(f"simulate run {run}: {report['people']} people in {sim_s:.2f} s, peak RSS {sim_mib} MiB "
          f"(targets <= 5 s, <= 1024 MiB); bare SQLite reading the same digests in order {scan_s:.2f} s; "
          f"simulate ratio {sim_s / scan_s:.2f} x the scan", flush=True)
    if run == 1:
        print("simulate changes: " + " ".join(f"{k}={v['people']}" for k, v in report["changes"].items()))
        print("  digests and bytes read by the baseline: " + " | ".join(scan_out.decode().split()))
print(f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}, {os.cpu_count()} cores")
EOF
