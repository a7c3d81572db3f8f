#!/usr/bin/env python3
"""The trust list and the offline verifier as operators use them: `epermit trust
init|add|sign|show` (round trip, duplicate kid, wrong root key, altered list, missing
files) and `epermit verify` against a running demo node: fetch into a cache, then a real
QR code as text and as PNG (0), garbage (1), revoked after re-fetch (2), unknown issuer
(5), no cache, stale status list, stale or forged trust list (6)."""
import base64
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f"  {detail}"))


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=120)


def out_json(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {}


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_in(base, account):
    """A bearer token for a demo account; staff give the TOTP code `epermit user totp-code` prints."""
    body = {"username": account["username"], "password": account["password"], "session": "bearer"}
    if "totp_secret" in account:
        body["totp"] = run("user", "totp-code", account["totp_secret"]).stdout.strip()
    return json.loads(http("POST", base + "/api/v1/auth/login", body)[1])["access_token"]


def verdict(r):
    return r.returncode, out_json(r).get("code")


with tempfile.TemporaryDirectory(prefix="epermit-trust-") as d:
    for args in (["trust", "--help"], ["trust", "init", "--help"], ["trust", "add", "--help"],
                 ["trust", "sign", "--help"], ["trust", "show", "--help"], ["verify", "--help"]):
        r = run(*args)
        check("help: " + " ".join(args), r.returncode == 0 and "Usage" in r.stdout, r.stdout + r.stderr)
    r = run("verify", "--help")
    check("verify --help lists the exit codes and says fetching is plain http",
          "5 unknown issuer" in r.stdout and "Plain http" in r.stdout, r.stdout)

    demo_dir = os.path.join(d, "demo")
    # The node's log; in the run's log directory when make test scans it (scan_logs.py).
    log_dir = os.environ.get("EPERMIT_TEST_LOG_DIR") or d
    os.makedirs(log_dir, exist_ok=True)
    demo_log_path = os.path.join(log_dir, f"trust_verify-demo.{os.getpid()}.log")
    demo_log = open(demo_log_path, "w")
    proc = subprocess.Popen([BIN, "demo", "--dir", demo_dir, "--port", "0", "--residents", "50"],
                            stdout=subprocess.PIPE, stderr=demo_log, text=True)
    base = None
    deadline = time.time() + 120
    for line in proc.stdout:
        m = re.search(r"is running at (http://127\.0\.0\.1:\d+)/", line)
        if m:
            base = m.group(1)
            break
        if time.time() > deadline:
            break
    check("demo starts and prints its URL", base is not None)
    if base is None:
        proc.kill()
        print(open(demo_log_path).read())
        sys.exit(1)
    with open(os.path.join(demo_dir, "demo.json")) as f:
        demo = json.load(f)
    number = demo["residents"]["holds_permit"]["permit_number"]
    root_key = demo.get("verify", {}).get("root_key_file", "")
    check("demo.json has a verify section with fetch and verify commands",
          "--fetch " + base in demo.get("verify", {}).get("fetch", "")
          and "verify --cache" in demo["verify"].get("verify_text", "") and os.path.exists(root_key), demo.get("verify"))
    status, served = http("GET", base + "/.well-known/epermit-trust-list")
    check("the demo node serves its signed trust list", status == 200 and served.count(b".") == 2, served[:100])

    qr_url = f"{base}/api/v1/permits/{number}/qr"
    try:
        http("GET", qr_url + "?format=text")
        anonymous_qr = 200
    except urllib.error.HTTPError as e:
        anonymous_qr = e.code
    check("nobody signed out gets a holder's QR code: 401", anonymous_qr == 401, anonymous_qr)
    holder = {"Authorization": "Bearer " + sign_in(base, demo["residents"]["holds_permit"]["account"])}
    qr_text = http("GET", qr_url + "?format=text", headers=holder)[1].decode()
    paper_text = http("GET", qr_url + "?format=text&form=paper", headers=holder)[1].decode()
    png = os.path.join(d, "qr.png")
    with open(png, "wb") as f:
        f.write(http("GET", qr_url + "?format=png", headers=holder)[1])

    # --- no data yet: the verifier says so instead of guessing ---
    empty_cache = os.path.join(d, "never-fetched")
    check("verify without a cache exits 6 (missing data)",
          verdict(run("verify", "--cache", empty_cache, qr_text)) == (6, "cache.missing"),
          run("verify", "--cache", empty_cache, qr_text).stdout)
    xdg = os.path.join(d, "xdg")
    env = dict(os.environ, XDG_CACHE_HOME=xdg)
    r = run("verify", qr_text, env=env)
    check("verify with an empty default cache ($XDG_CACHE_HOME/epermit) exits 6", r.returncode == 6, r.stdout)

    # --- the online step, then offline decisions ---
    cache = os.path.join(d, "cache")
    r = run("verify", "--fetch", base, "--cache", cache)
    check("verify --fetch without --root-key is refused", r.returncode != 0 and "cli.usage" in r.stderr, r.stderr)
    r = run("verify", "--fetch", base, "--root-key", root_key, "--cache", cache)
    rep = out_json(r)
    check("verify --fetch stores the verified trust list and status list 0",
          r.returncode == 0 and rep.get("trust_list", {}).get("keys", 0) >= 1 and len(rep.get("status_lists", [])) == 1
          and os.path.exists(os.path.join(cache, "trust-list.jws")), r.stdout + r.stderr)
    r = run("verify", "--cache", cache, qr_text)
    v = out_json(r)
    check("a real QR code as text verifies: exit 0", r.returncode == 0 and v.get("verdict") == "valid"
          and v.get("permit", {}).get("number") == number, r.stdout + r.stderr)
    check("the verdict shows the masked citizen ID only",
          re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", v.get("permit", {}).get("citizen_id_masked", "")), v)
    r = run("verify", "--cache", cache, "--image", png)
    check("the same QR code as PNG (zbar) verifies: exit 0",
          r.returncode == 0 and out_json(r).get("permit", {}).get("number") == number, r.stdout + r.stderr)
    r = run("verify", "--fetch", base, "--root-key", root_key, qr_text, env=env)
    check("--fetch with a QR code fills the default cache and decides: exit 0",
          r.returncode == 0 and os.path.exists(os.path.join(xdg, "epermit", "trust-list.jws")), r.stdout + r.stderr)
    check("afterwards the default cache alone decides: exit 0", run("verify", qr_text, env=env).returncode == 0)

    r = run("verify", "--cache", cache, "this is not a permit")
    check("garbage text exits 1", r.returncode == 1 and out_json(r).get("verdict") == "forged_or_malformed", r.stdout)
    flipped = qr_text[:40] + ("A" if qr_text[40] != "A" else "B") + qr_text[41:]
    check("one changed character exits 1", run("verify", "--cache", cache, flipped).returncode == 1)
    r = run("verify", "--cache", cache, "--image", os.path.join(d, "missing.png"))
    check("a missing image exits 1 with a clear code", verdict(r) == (1, "file.missing"), r.stdout)
    r = run("verify", "--cache", cache)
    check("no QR code at all exits 1 (qr.missing)", verdict(r) == (1, "qr.missing"), r.stdout)

    # --- stale data: a fixed point in time (--at) past the status list's expiry ---
    now = int(time.time())
    check("the paper QR code (valid until the next endorsement) verifies now",
          run("verify", "--cache", cache, paper_text).returncode == 0)
    r = run("verify", "--cache", cache, "--at", str(now + 2 * 86400), paper_text)
    check("a status list past its expiry makes the verdict stale: exit 6",
          verdict(r) == (6, "status.missing") and "status.stale" in r.stderr, r.stdout + r.stderr)
    r = run("verify", "--cache", cache, "--at", str(now + 40 * 86400), paper_text)
    check("a trust list past its next_update makes the verdict stale: exit 6",
          verdict(r) == (6, "trust.stale"), r.stdout)
    r = run("verify", "--cache", cache, "--at", str(now + 2 * 86400), qr_text)
    check("a phone QR code past its own lifetime exits 4", r.returncode == 4, r.stdout)

    # --- trust init|add|sign|show ---
    root_dir = os.path.join(d, "root")
    r = run("trust", "init", "--dir", root_dir)
    info = out_json(r)
    priv_dir = os.path.join(root_dir, "private")
    key_files = [f for f in os.listdir(priv_dir) if f.endswith(".key")] if os.path.isdir(priv_dir) else []
    check("trust init makes a root key and prints its public half",
          r.returncode == 0 and info.get("alg") == "EdDSA" and len(key_files) == 1
          and os.path.exists(os.path.join(root_dir, "root-key.json")), r.stdout + r.stderr)
    if key_files:
        kpath = os.path.join(priv_dir, key_files[0])
        check("the private key is 0600 in a 0700 directory",
              stat.S_IMODE(os.stat(kpath).st_mode) == 0o600 and stat.S_IMODE(os.stat(priv_dir).st_mode) == 0o700
              and stat.S_IMODE(os.stat(root_dir).st_mode) == 0o700)
        secret = open(kpath, "rb").read()
        check("the private key is never printed",
              b64url(secret) not in r.stdout and secret.hex() not in r.stdout and set(info) ==
              {"kid", "alg", "x", "public_key_file"}, info)
    r = run("trust", "init", "--dir", root_dir)
    check("trust init refuses to replace a root key", r.returncode != 0 and "trust.root_exists" in r.stderr, r.stderr)
    my_root = os.path.join(root_dir, "root-key.json")

    draft = os.path.join(d, "draft.json")
    r = run("trust", "add", draft, "--key-dir", os.path.join(demo_dir, "keys"))
    city_kid = (out_json(r).get("added") or [""])[0]
    check("trust add takes a city node's key directory", r.returncode == 0 and city_kid.startswith("310000-"), r.stderr)
    r = run("trust", "add", draft, "--key-dir", os.path.join(demo_dir, "keys"))
    check("trust add refuses a duplicate kid", r.returncode != 0 and "trust.duplicate_kid" in r.stderr, r.stderr)
    r = run("trust", "add", draft, "--key-dir", os.path.join(d, "no-such-dir"))
    check("trust add on a missing directory fails clearly", r.returncode != 0 and "file.missing" in r.stderr, r.stderr)
    r = run("trust", "add", draft, "--key-file", my_root)
    check("trust add of a bare public key without --city is refused", r.returncode != 0 and "trust.key" in r.stderr,
          r.stderr)
    r = run("trust", "add", draft, "--key-file", my_root, "--city", "999999", "--valid-from", "2026-01-01")
    check("trust add refuses a city code that is not a city", r.returncode != 0 and "trust.key" in r.stderr, r.stderr)
    check("a refused add leaves the draft as it was", len(json.load(open(draft))["keys"]) == 1)
    r = run("trust", "sign", os.path.join(d, "no-draft.json"), "--root-dir", root_dir, "--out", "x")
    check("trust sign of a missing draft fails", r.returncode != 0, r.stderr)

    mine = os.path.join(d, "list.jws")
    r = run("trust", "sign", draft, "--root-dir", os.path.join(d, "no-root"), "--out", mine)
    check("trust sign without a root key fails clearly", r.returncode != 0 and "trust.root_missing" in r.stderr,
          r.stderr)
    r1 = run("trust", "sign", draft, "--root-dir", root_dir, "--out", mine)
    r2 = run("trust", "sign", draft, "--root-dir", root_dir, "--out", mine, "--days", "10")
    check("trust sign writes version 1, then 2", r1.returncode == 0 and out_json(r1).get("version") == 1
          and out_json(r2).get("version") == 2 and out_json(r2)["next_update"] - out_json(r2)["issued_at"] == 864000,
          r1.stdout + r1.stderr + r2.stdout + r2.stderr)
    r = run("trust", "sign", draft, "--root-dir", root_dir, "--out", mine, "--version", "2")
    check("trust sign refuses to reuse a version", r.returncode != 0 and "trust.version" in r.stderr, r.stderr)
    r = run("trust", "show", mine, "--root-key", my_root)
    shown = out_json(r)
    check("trust show verifies a genuine list", r.returncode == 0 and shown.get("signature") == "verified"
          and shown["list"]["version"] == 2 and shown["list"]["keys"][0]["kid"] == city_kid, r.stdout + r.stderr)
    r = run("trust", "show", mine)
    check("trust show without --root-key shows but does not vouch",
          r.returncode == 0 and out_json(r).get("signature") == "not_checked", r.stdout)
    r = run("trust", "show", mine, "--root-key", root_key)
    check("trust show with another root key: forged, exit 1",
          r.returncode == 1 and out_json(r).get("signature") == "forged", r.stdout + r.stderr)
    r = run("trust", "show", mine, "--root-key", my_root, "--at", str(now + 11 * 86400))
    check("trust show of a list past next_update: stale, exit 6",
          r.returncode == 6 and out_json(r).get("fresh") is False, r.stdout)
    r = run("trust", "show", os.path.join(d, "missing.jws"), "--root-key", my_root)
    check("trust show of a missing file fails with file.missing", r.returncode == 2 and "file.missing" in r.stderr)
    r = run("trust", "show", draft)
    check("trust show prints a draft as unsigned", r.returncode == 0 and out_json(r).get("kind") == "draft", r.stdout)

    # An altered list: the same signature over a payload with one more (attacker's) key.
    header, payload, sig = open(mine).read().strip().split(".")
    body = json.loads(b64url_decode(payload))
    extra = dict(body["keys"][0], kid="440300-20260101-beef", city="440300")
    body["keys"].append(extra)
    altered = os.path.join(d, "altered.jws")
    with open(altered, "w") as f:
        f.write(".".join([header, b64url(json.dumps(body).encode()), sig]))
    r = run("trust", "show", altered, "--root-key", my_root)
    check("trust show of an altered list: forged, exit 1", r.returncode == 1 and "trust.forged" in r.stderr,
          r.stdout + r.stderr)

    status_files = [os.path.join(cache, "status-lists", f) for f in os.listdir(os.path.join(cache, "status-lists"))]
    status_args = [a for f in status_files for a in ("--status-list", f)]
    r = run("verify", "--trust-list", mine, "--root-key", my_root, *status_args, qr_text)
    check("verify with our own signed trust list and a status list file: exit 0", r.returncode == 0,
          r.stdout + r.stderr)
    r = run("verify", "--trust-list", altered, "--root-key", my_root, *status_args, qr_text)
    check("verify with a forged trust list: exit 6 (trust.forged), never valid",
          verdict(r) == (6, "trust.forged"), r.stdout)
    r = run("verify", "--trust-list", mine, "--root-key", root_key, *status_args, qr_text)
    check("verify with a list not signed by the given root key: exit 6", verdict(r) == (6, "trust.forged"), r.stdout)

    # Unknown issuer: a genuine list that does not name the city's key.
    other = os.path.join(d, "other-root")
    run("trust", "init", "--dir", other)
    draft2 = os.path.join(d, "draft2.json")
    r = run("trust", "add", draft2, "--key-file", os.path.join(other, "root-key.json"), "--city", "440300",
            "--valid-from", "2020-01-01")
    check("trust add of a bare public key with --city and --valid-from", r.returncode == 0, r.stderr)
    without = os.path.join(d, "without-city.jws")
    run("trust", "sign", draft2, "--root-dir", root_dir, "--out", without)
    r = run("verify", "--trust-list", without, "--root-key", my_root, *status_args, qr_text)
    check("a QR code whose key the trust list does not name: exit 5",
          r.returncode == 5 and out_json(r).get("verdict") == "unknown_issuer", r.stdout)
    fake_status = os.path.join(d, "fake-status.jwt")
    with open(fake_status, "w") as f:
        f.write(open(status_files[0]).read()[:-10] + "AAAAAAAAAA")
    r = run("verify", "--trust-list", mine, "--root-key", my_root, "--status-list", fake_status, qr_text)
    check("a status list with a bad signature is ignored: exit 6", verdict(r) == (6, "status.missing"),
          r.stdout + r.stderr)

    # --- revocation reaches a verifier with its next fetch ---
    try:
        reviewer = {"Authorization": "Bearer " + sign_in(base, demo["accounts"]["demo-reviewer"])}
        status, _ = http("POST", f"{base}/api/v1/permits/{number}/revocation", {"reason": "test: revoked"}, reviewer)
    except urllib.error.HTTPError as e:
        status = e.code
    check("the permit is revoked", status == 200, status)
    check("before re-fetching, the cache still says what it knew: exit 0",
          run("verify", "--cache", cache, qr_text).returncode == 0)
    r = run("verify", "--fetch", base, "--root-key", root_key, "--cache", cache)
    check("re-fetch succeeds", r.returncode == 0, r.stdout + r.stderr)
    r = run("verify", "--cache", cache, qr_text)
    check("after re-fetching, the revoked permit's QR code exits 2",
          r.returncode == 2 and out_json(r).get("code") == "status.revoked", r.stdout)
    r = run("verify", "--cache", cache, "--image", png)
    check("and so does its PNG", r.returncode == 2, r.stdout)
    r = run("verify", "--fetch", "http://127.0.0.1:1", "--root-key", root_key, "--cache", cache)
    check("fetching from a dead node exits 6 and keeps the cache", r.returncode == 6 and "fetch.network" in r.stderr
          and run("verify", "--cache", cache, qr_text).returncode == 2, r.stderr)

    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = -1
    check("demo stops cleanly", rc == 0, rc)
    demo_log.close()

    # --- the transparency log of the demo node, checked offline, then tampered with ---
    demo_db = os.path.join(demo_dir, "epermit.db")
    r = run("audit", "verify", "--db", demo_db)
    report = out_json(r)
    check("audit verify of the demo's log exits 0 with heads and proofs checked",
          r.returncode == 0 and report.get("ok") is True and report.get("heads", 0) >= 1
          and report.get("proofs", 0) >= report.get("leaves", 1) > 0, r.stdout + r.stderr)
    con = sqlite3.connect(demo_db)
    con.execute("DROP TRIGGER history_no_update")
    con.execute("UPDATE history SET actor = actor || 'x' WHERE id = 3")
    con.commit()
    con.close()
    r = run("audit", "verify", "--db", demo_db)
    first = out_json(r).get("first", {})
    check("audit verify names the entry changed by one byte: exit 1",
          r.returncode == 1 and first.get("code") == "audit.entry_altered" and first.get("entry") == 2,
          r.stdout + r.stderr)
    r = run("audit", "verify", "--db", os.path.join(d, "no-such.db"))
    check("audit verify of a missing database exits 2", r.returncode == 2 and "db.missing" in r.stderr, r.stderr)

passed = sum(results)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
