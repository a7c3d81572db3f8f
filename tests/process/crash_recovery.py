#!/usr/bin/env python3
"""Crash test: stream applications at a real node, SIGKILL it at a random moment,
restart, and check that every application that got a 2xx answer is stored and that
the database passes `epermit db check` (PRAGMA integrity_check and foreign keys).

Exit 0 and a final line "N passed, 0 failed" when every round holds."""
import argparse
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def start_node(binary, workdir, residents):
    proc = subprocess.Popen(
        [binary, "--log-level", "warn", "demo", "--dir", workdir, "--port", "0", "--residents", str(residents)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 300
    for line in proc.stdout:
        m = re.search(r"is running at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            # Keep draining stdout so the node never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, int(m.group(1))
        if time.time() > deadline:
            break
    proc.kill()
    raise RuntimeError("node did not start")


def candidates(db_path):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    rows = con.execute(
        "SELECT r.citizen_id, r.name FROM registrations r "
        "WHERE NOT EXISTS (SELECT 1 FROM applications a WHERE a.citizen_id = r.citizen_id) "
        "ORDER BY r.rowid").fetchall()
    con.close()
    return rows


def stream(port, people, acked, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for citizen_id, name in people:
        if stop.is_set():
            return
        body = json.dumps({"citizen_id": citizen_id, "name": name, "photo_ref": "photo:crash"})
        try:
            conn.request("POST", "/api/v1/applications", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            return  # the node was killed mid-request: no answer, no promise
        if 200 <= resp.status < 300:
            acked.append(json.loads(data)["application"]["id"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--residents", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"crash_recovery: seed {args.seed}, {args.rounds} rounds")
    passed = failed = 0
    all_acked = []
    with tempfile.TemporaryDirectory(prefix="epermit-crash-") as workdir:
        db_path = os.path.join(workdir, "epermit.db")
        for round_no in range(1, args.rounds + 1):
            proc, port = start_node(args.binary, workdir, args.residents)
            people = candidates(db_path)
            if not people:
                print("no residents left to apply; raise --residents")
                return 1
            acked, stop = [], threading.Event()
            t = threading.Thread(target=stream, args=(port, people, acked, stop))
            t.start()
            time.sleep(rng.uniform(0.05, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            stop.set()
            t.join()
            all_acked.extend(acked)

            check = subprocess.run([args.binary, "--log-level", "warn", "db", "check", "--db", db_path],
                                   capture_output=True, text=True)
            con = sqlite3.connect(db_path, timeout=30)
            stored = {row[0] for row in con.execute("SELECT id FROM applications")}
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()
            lost = [a for a in all_acked if a not in stored]
            ok = check.returncode == 0 and integrity == "ok" and not lost
            print(f"round {round_no}: {len(acked)} acknowledged, {len(all_acked)} in total, "
                  f"lost {len(lost)}, integrity {integrity}, db check exit {check.returncode}")
            if not ok:
                print(check.stdout, check.stderr)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
