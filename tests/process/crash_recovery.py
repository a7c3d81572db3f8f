#!/usr/bin/env python3
"""Crash test: stream applications at a real node, SIGKILL it at a random moment,
restart, and check that every application that got a 2xx answer is stored and that
the database passes `epermit db check` (PRAGMA integrity_check and foreign keys).
Each applicant signs in with their own account (made with `epermit user import`) first.

Exit 0 and a final line "N passed, 0 failed" when every round holds."""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sealed_fields  # noqa: E402  (beside this script)


# Every applicant signs in from 127.0.0.1, so the per-address sign-in limit is lifted here.
NODE_ENV = dict(os.environ, EPERMIT_AUTH_LOGIN_ATTEMPTS_PER_MINUTE="100000")
# When make test scans the run's logs (scan_logs.py), the node logs there, at info.
LOG_DIR = os.environ.get("EPERMIT_TEST_LOG_DIR")


def node_log():
    if not LOG_DIR:
        return subprocess.DEVNULL
    os.makedirs(LOG_DIR, exist_ok=True)
    return open(os.path.join(LOG_DIR, f"crash_recovery-node.{os.getpid()}.log"), "a")


def start_node(binary, workdir, residents):
    log = node_log()
    proc = subprocess.Popen(
        [binary, "--log-level", "info" if LOG_DIR else "warn", "demo", "--dir", workdir, "--port", "0",
         "--residents", str(residents)],
        stdout=subprocess.PIPE, stderr=log, text=True, env=NODE_ENV)
    if log is not subprocess.DEVNULL:
        log.close()  # the node has its own copy
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
    """(citizen ID, name) of the registered residents with no application yet. Both are sealed
    at rest: citizen_id holds a blind index, so the join still pairs a person's rows."""
    keys = sealed_fields.load_keys(os.path.join(os.path.dirname(db_path), "keys", "data-keys.keyring"))
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    rows = con.execute(
        "SELECT r.sealed FROM registrations r "
        "WHERE NOT EXISTS (SELECT 1 FROM applications a WHERE a.citizen_id = r.citizen_id) "
        "ORDER BY r.rowid").fetchall()
    con.close()
    people = []
    for (sealed,) in rows:
        citizen_id, name = sealed_fields.open_sealed(keys, "registrations", sealed)[:2]
        people.append((citizen_id.decode(), name.decode()))
    return people


def make_accounts(binary, db_path, workdir, people, password):
    """One resident account per candidate, all with `password`: {citizen_id: username}."""
    path = os.path.join(workdir, "accounts.jsonl")
    with open(path, "w") as f:
        for i, (citizen_id, _) in enumerate(people):
            f.write(json.dumps({"username": f"crash-{i}", "role": "resident", "citizen_id": citizen_id,
                                "password": password}) + "\n")
    r = subprocess.run([binary, "--log-level", "warn", "user", "import", "--db", db_path, path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("user import failed: " + r.stderr)
    return {citizen_id: f"crash-{i}" for i, (citizen_id, _) in enumerate(people)}


def sign_in_all(port, usernames, password):
    """A bearer token for each account ({citizen_id: token}); sessions live in the database,
    so the tokens outlast the node being killed and restarted."""
    tokens = {}

    def sign_in(item):
        citizen_id, username = item
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(50):
            conn.request("POST", "/api/v1/auth/login",
                         json.dumps({"username": username, "password": password, "session": "bearer"}),
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            body = json.loads(resp.read())
            if resp.status != 503:  # auth.busy: the node bounds concurrent hashes; wait and retry
                break
            time.sleep(0.2)
        if resp.status != 200:
            raise RuntimeError(f"sign-in refused: {resp.status} {body}")
        tokens[citizen_id] = body["access_token"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(sign_in, usernames.items()))
    return tokens


def stream(port, people, tokens, acked, stop):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for citizen_id, name in people:
        if stop.is_set():
            return
        body = json.dumps({"citizen_id": citizen_id, "name": name, "photo_ref": "photo:crash"})
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + tokens[citizen_id]}
        try:
            conn.request("POST", "/api/v1/applications", body, headers)
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
    ap.add_argument("--accounts", type=int, default=500)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"crash_recovery: seed {args.seed}, {args.rounds} rounds")
    passed = failed = 0
    all_acked = []
    with tempfile.TemporaryDirectory(prefix="epermit-crash-") as workdir:
        db_path = os.path.join(workdir, "epermit.db")
        # Seed the city once, give the first applicants accounts while it is down, then sign
        # them all in so that the rounds spend their time applying.
        proc, _ = start_node(args.binary, workdir, args.residents)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        password = secrets.token_urlsafe(16)
        usernames = make_accounts(args.binary, db_path, workdir, candidates(db_path)[:args.accounts], password)
        proc, port = start_node(args.binary, workdir, args.residents)
        tokens = sign_in_all(port, usernames, password)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        for round_no in range(1, args.rounds + 1):
            proc, port = start_node(args.binary, workdir, args.residents)
            people = [p for p in candidates(db_path) if p[0] in tokens]
            if not people:
                proc.kill()
                proc.wait()
                print(f"every account holder has applied; stopping after {round_no - 1} rounds")
                break
            acked, stop = [], threading.Event()
            t = threading.Thread(target=stream, args=(port, people, tokens, acked, stop))
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
    if not all_acked:
        # A node that refused every application would lose nothing: that proves nothing.
        print("no application was acknowledged in any round")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
