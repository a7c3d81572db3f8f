#!/usr/bin/env python3
"""The epermit binary as an operator uses it: --help at every level, db migrate/check
(including a corrupted file), records import (good and bad files, all or nothing),
serve with a TOML config plus an EPERMIT_* override, and a clean SIGTERM shutdown; the
points of a person from the database and the points calculator (`points calc`)."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f"  {detail}"))


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=120)


def citizen_id(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[s % 11]


def count(db, table):
    con = sqlite3.connect(db)
    n = con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    con.close()
    return n


with tempfile.TemporaryDirectory(prefix="epermit-cli-") as d:
    for args in (["--help"], ["serve", "--help"], ["demo", "--help"], ["records", "--help"],
                 ["records", "import", "--help"], ["db", "--help"], ["db", "migrate", "--help"],
                 ["db", "check", "--help"], ["points", "--help"], ["points", "calc", "--help"],
                 ["policy", "simulate", "--help"], ["user", "--help"], ["user", "add", "--help"],
                 ["user", "import", "--help"], ["user", "reset", "--help"], ["user", "disable", "--help"]):
        r = run(*args)
        check("help: " + " ".join(args), r.returncode == 0 and "Usage" in r.stdout, r.stdout + r.stderr)

    db = os.path.join(d, "city.db")
    r = run("db", "migrate", "--db", db)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("db migrate creates the schema, every step in order",
          out.get("schema_version", 0) >= 3 and out.get("applied") == list(range(1, out["schema_version"] + 1)),
          r.stdout + r.stderr)
    r = run("db", "migrate", "--db", db)
    check("db migrate is idempotent", r.returncode == 0 and json.loads(r.stdout)["applied"] == [], r.stderr)
    r = run("db", "check", "--db", db)
    check("db check passes a healthy database", r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout)
    r = run("db", "check", "--db", os.path.join(d, "missing.db"))
    check("db check on a missing file fails clearly", r.returncode != 0 and "No database" in r.stderr, r.stderr)

    # Operators' account tools: generated secrets printed once, stored only as hashes.
    cid = citizen_id("36042619900101011")
    r = run("user", "add", "--db", db, "--username", "zhang-wei", "--role", "resident", "--citizen-id", cid)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("user add prints a generated password once", r.returncode == 0 and len(out.get("password", "")) >= 16
          and "totp_secret" not in out, r.stdout + r.stderr)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT password_hash FROM accounts WHERE username = 'zhang-wei'").fetchone()
    con.close()
    check("the database keeps an Argon2id hash, not the password",
          stored and stored[0].startswith("$argon2id$") and out.get("password", "?") not in stored[0], stored)
    r = run("user", "add", "--db", db, "--username", "rev-li", "--role", "reviewer")
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("a staff account gets a TOTP secret and otpauth URI", r.returncode == 0 and len(out.get("totp_secret", "")) >= 32
          and out.get("otpauth_uri", "").startswith("otpauth://totp/"), r.stdout + r.stderr)
    code = run("user", "totp-code", out.get("totp_secret", "AAAA")).stdout.strip()
    check("user totp-code prints six digits", re.fullmatch(r"\d{6}", code), code)
    accounts_before = count(db, "accounts")
    for args, expect, name in (
            (["--username", "zhang-wei", "--role", "resident", "--citizen-id", citizen_id("36042619900101022")],
             "account.exists", "a taken user name"),
            (["--username", "zhang-wei-2", "--role", "resident", "--citizen-id", cid],
             "account.exists", "a second account for one resident"),
            (["--username", "x", "--role", "resident", "--citizen-id", cid], "account.bad_username", "a short user name"),
            (["--username", "nobody-1", "--role", "emperor"], "account.bad_role", "an unknown role"),
            (["--username", "nobody-2", "--role", "resident"], "account.citizen_id_required", "a resident without an ID"),
            (["--username", "nobody-3", "--role", "department"], "account.kinds_required", "a department without kinds"),
    ):
        r = run("user", "add", "--db", db, *args)
        check(f"user add refuses {name} ({expect})", r.returncode == 1 and expect in r.stderr, r.stderr)
    r = subprocess.run([BIN, "user", "add", "--db", db, "--username", "weak-one", "--role", "resident", "--citizen-id",
                        citizen_id("36042619900101033"), "--password-stdin"], input="password123\n",
                       capture_output=True, text=True)
    check("user add refuses a common password", r.returncode == 1 and "password." in r.stderr, r.stderr)
    check("refused accounts are not created", count(db, "accounts") == accounts_before)
    r = run("user", "reset", "--db", db, "--username", "zhang-wei")
    check("user reset prints a new password", r.returncode == 0 and json.loads(r.stdout).get("password"), r.stderr)
    r = run("user", "disable", "--db", db, "--username", "zhang-wei")
    check("user disable", r.returncode == 0 and json.loads(r.stdout).get("disabled") is True, r.stderr)
    con = sqlite3.connect(db)
    disabled = con.execute("SELECT disabled FROM accounts WHERE username = 'zhang-wei'").fetchone()
    con.close()
    check("the account is stored as disabled", disabled and disabled[0] == 1, disabled)
    r = run("user", "disable", "--db", db, "--username", "no-such-user")
    check("user disable of an unknown account exits 1", r.returncode == 1 and "account.not_found" in r.stderr, r.stderr)

    # Encryption at rest (issue 5): the data keys are in their own owner-only file, not in the
    # database; the resident's ID number is not in the file; rotate-key re-seals under a new key.
    key_file = os.path.join(d, "keys", "data-keys.keyring")
    check("the data-key file is beside the database, outside it, owner-only",
          os.path.exists(key_file) and (os.stat(key_file).st_mode & 0o777) == 0o600, key_file)

    def file_bytes(path):
        data = b""
        for f in (path, path + "-wal"):
            if os.path.exists(f):
                with open(f, "rb") as fh:
                    data += fh.read()
        return data

    check("the resident's ID number is not in the database file", cid.encode() not in file_bytes(db))
    with open(key_file) as f:
        old_key = json.load(f)["keys"][0]["id"]
    r = run("db", "rotate-key", "--db", db)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    with open(key_file) as f:
        now_keys = [k["id"] for k in json.load(f)["keys"]]
    check("db rotate-key re-seals every row under a new key and retires the old one",
          r.returncode == 0 and out.get("from") == old_key and out.get("to") not in (None, old_key)
          and out.get("rows_resealed", 0) >= 2 and now_keys == [out.get("to")], r.stdout + r.stderr)
    r = run("user", "add", "--db", db, "--username", "zhang-wei-3", "--role", "resident", "--citizen-id", cid)
    check("after rotation the ID's blind index still finds the resident's account (account.exists)",
          r.returncode == 1 and "account.exists" in r.stderr, r.stderr)
    r = run("db", "check", "--db", db)
    check("db check passes after rotation", r.returncode == 0, r.stdout + r.stderr)
    os.rename(key_file, key_file + ".away")
    accounts_before = count(db, "accounts")
    r = run("user", "add", "--db", db, "--username", "no-key-1", "--role", "reviewer")
    check("without its data key the node refuses to work on the database (store.key_missing)",
          r.returncode != 0 and "store.key_missing" in r.stderr and count(db, "accounts") == accounts_before, r.stderr)
    os.replace(key_file + ".away", key_file)
    batch = os.path.join(d, "accounts.jsonl")
    with open(batch, "w") as f:
        f.write(json.dumps({"username": "batch-1", "role": "verifier"}) + "\n\n")
        f.write(json.dumps({"username": "batch-2", "role": "department", "kinds": ["social_insurance"]}) + "\n")
        f.write('{"username": "batch-3", "role": 7}\n')
    r = run("user", "import", "--db", db, batch)
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    check("user import creates accounts up to a bad line and names it",
          r.returncode == 1 and [x["username"] for x in lines] == ["batch-1", "batch-2"] and "Line 4" in r.stderr,
          r.stdout + r.stderr)

    good = [
        {"kind": "person", "citizen_id": cid, "source": "gaj", "name": "张伟", "ethnicity": "汉"},
        {"kind": "social_insurance", "citizen_id": cid, "source": "rsj", "city": "310000", "scheme": "employee",
         "risk": "pension", "from": "2025-01", "to": "2025-12"},
    ]
    good_file = os.path.join(d, "good.ndjson")
    with open(good_file, "w") as f:
        f.write("\n".join(json.dumps(x, ensure_ascii=False) for x in good) + "\n")
    r = run("records", "import", good_file, "--db", db, "--city", "310000")
    check("records import of a good file", r.returncode == 0 and json.loads(r.stdout)["imported"] == 2, r.stderr)
    before = count(db, "records")
    bad_file = os.path.join(d, "bad.ndjson")
    with open(bad_file, "w") as f:
        f.write(json.dumps(good[0], ensure_ascii=False) + "\n")
        f.write(json.dumps({**good[1], "risk": "lottery"}) + "\n")
        f.write("{not json\n")
    r = run("records", "import", bad_file, "--db", db, "--city", "310000")
    check("records import of a bad file fails with file:line errors",
          r.returncode == 2 and f"{bad_file}:2: risk" in r.stderr and f"{bad_file}:3:" in r.stderr, r.stderr)
    check("records import of a bad file stores nothing", count(db, "records") == before)

    # Points of a person from the node's database (read only).
    r = run("points", "--citizen-id", cid, "--db", db, "--city", "310000", "--date", "2026-01-15")
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("points of a person from the database", r.returncode == 0 and out.get("city") == "310000"
          and out.get("citizen_id") == cid[:6] + "********" + cid[-4:] and "total" in out, r.stdout + r.stderr)
    si = next((x for x in out.get("indicators", []) if x["id"] == "social_insurance_years"), {})
    check("points of a person count the imported records", si.get("quantity", {}).get("value") == 12, si)
    r = run("points", "--citizen-id", citizen_id("36042619900101022"), "--db", db)
    check("points of an unknown person exits 1", r.returncode == 1 and "person.not_found" in r.stderr, r.stderr)
    r = run("points", "--citizen-id", cid, "--db", db, "--date", "2026-13-01")
    check("points with a bad date exits 1", r.returncode == 1 and "points.bad_date" in r.stderr, r.stderr)
    check("points stores nothing", count(db, "records") == before)

    cfg = os.path.join(d, "node.toml")
    with open(cfg, "w") as f:
        f.write('[server]\nport = 0\n[store]\npath = "ignored.db"\n[log]\nlevel = "info"\n')
    typo = os.path.join(d, "typo.toml")
    with open(typo, "w") as f:
        f.write("[server]\nprot = 1\n")
    r = run("serve", "--config", typo)
    check("serve refuses an unknown key, naming file and line", r.returncode == 2 and f"{typo}:2" in r.stderr, r.stderr)

    env = dict(os.environ, EPERMIT_STORE_PATH=db)
    proc = subprocess.Popen([BIN, "serve", "--config", cfg], stderr=subprocess.PIPE, text=True, env=env)
    port = None
    deadline = time.time() + 60
    node_log = []
    for line in proc.stderr:
        node_log.append(line)
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
        if time.time() > deadline:
            break
    check("serve starts and reports its port", port is not None)
    if port:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            body = json.load(resp)
        check("serve answers /healthz", body.get("status") == "ok" and body.get("city") == "310000", body)
        check("EPERMIT_STORE_PATH overrides the file", not os.path.exists(os.path.join(os.getcwd(), "ignored.db")))
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = -1
    check("serve stops cleanly on SIGTERM", rc == 0, rc)
    if os.environ.get("EPERMIT_TEST_LOG_DIR") and rc != -1:  # the node's log, for scan_logs.py
        os.makedirs(os.environ["EPERMIT_TEST_LOG_DIR"], exist_ok=True)
        with open(os.path.join(os.environ["EPERMIT_TEST_LOG_DIR"], f"cli-serve.{os.getpid()}.log"), "w") as f:
            f.write("".join(node_log) + proc.stderr.read())

    # A corrupted database file is reported, not trusted.
    r = run("db", "check", "--db", db)
    check("db check still ok after serving", r.returncode == 0, r.stdout)
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(4096))
    r = run("db", "check", "--db", db)
    check("db check detects a corrupted file", r.returncode != 0, r.stdout + r.stderr)

# Policy files: the shipped directory validates; a broken copy is refused with file:line.
POLICIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies")
with tempfile.TemporaryDirectory(prefix="epermit-policy-") as d:
    r = run("policy", "check", "--help")
    check("help: policy check", r.returncode == 0 and "Usage" in r.stdout, r.stdout + r.stderr)
    r = run("policy", "check", POLICIES)
    check("policy check passes the shipped policies with their points tables",
          r.returncode == 0 and "110000-2020.1" in r.stdout and "indicators" in r.stdout, r.stdout + r.stderr)
    import shutil
    bad = os.path.join(d, "policies")
    shutil.copytree(POLICIES, bad)
    path = os.path.join(bad, "110000", "2020-01-01.toml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    line = text[:text.index('kind = "bands"')].count("\n") + 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace('kind = "bands"', 'kind = "per_decade"', 1))
    r = run("policy", "check", bad)
    check("policy check names file and line of an unknown indicator kind",
          r.returncode == 1 and f"2020-01-01.toml:{line}: unknown indicator kind 'per_decade'" in r.stderr,
          r.stdout + r.stderr)
    r = run("policy", "check", os.path.join(d, "nowhere"))
    check("policy check on a missing directory fails clearly", r.returncode == 1 and "not found" in r.stderr,
          r.stderr)

# What-if: a draft against the current version over a database, read only; bad drafts named by
# file and line (the counts themselves are checked in tests/policy and tests/e2e).
with tempfile.TemporaryDirectory(prefix="epermit-simulate-") as d:
    import hashlib
    import shutil
    db = os.path.join(d, "city.db")
    run("db", "migrate", "--db", db)
    cid = citizen_id("36042619900101011")
    recs = os.path.join(d, "recs.ndjson")
    with open(recs, "w") as f:
        f.write(json.dumps({"kind": "social_insurance", "citizen_id": cid, "source": "rsj", "city": "310000",
                            "scheme": "employee", "risk": "pension", "from": "2025-01", "to": "2025-12"}) + "\n")
    run("records", "import", recs, "--db", db, "--city", "310000")
    current = os.path.join(POLICIES, "310000", "2023-01-01.toml")
    with open(current, encoding="utf-8") as f:
        text = f.read()
    draft = os.path.join(d, "draft.toml")
    with open(draft, "w", encoding="utf-8") as f:
        f.write(text.replace("pass_mark = 120", "pass_mark = 100"))

    def digest():
        h = hashlib.sha256()
        for name in sorted(os.listdir(d)):
            if name.startswith("city.db"):
                with open(os.path.join(d, name), "rb") as f:
                    h.update(name.encode() + f.read())
        return h.hexdigest()

    before = digest()
    files_before = sorted(os.listdir(d))
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", db, "--date", "2026-01-15")
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("policy simulate reports every person and every change", r.returncode == 0 and out.get("people") == 1
          and out.get("changes", {}).get("ineligible_both", {}).get("people") == 1
          and out.get("pass_mark", {}).get("mark_after") == "100" and out.get("written") is False,
          r.stdout + r.stderr)
    check("policy simulate leaves the database byte for byte", digest() == before)
    broken = os.path.join(d, "broken.toml")
    with open(broken, "w", encoding="utf-8") as f:
        f.write(text.replace("pass_mark = 120", "pass_mark = = 120"))
    line = text[:text.index("pass_mark = 120")].count("\n") + 1
    r = run("policy", "simulate", "--current", current, "--draft", broken, "--population", db)
    check("policy simulate names file and line of a draft's syntax error",
          r.returncode == 1 and f"{broken}:{line}" in r.stderr and r.stdout == "", r.stdout + r.stderr)
    r = run("policy", "simulate", "--current", current, "--draft", os.path.join(POLICIES, "110000", "2020-01-01.toml"),
            "--population", db)
    check("policy simulate refuses a draft for another city",
          r.returncode == 1 and "simulate.city_mismatch" in r.stderr, r.stderr)
    r = run("policy", "simulate", "--current", os.path.join(POLICIES, "440300", "2023-01-01.toml"), "--draft", draft,
            "--population", db)
    check("policy simulate refuses a version without a points table",
          r.returncode == 1 and "simulate.no_table" in r.stderr, r.stderr)
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", os.path.join(d, "none.db"))
    check("policy simulate on a missing database exits 2", r.returncode == 2 and "No database" in r.stderr, r.stderr)
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", db, "--date", "2999-01-01")
    check("policy simulate with a future date exits 1", r.returncode == 1 and "simulate.bad_date" in r.stderr,
          r.stderr)
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", db, "--threads", "65")
    check("policy simulate refuses more than 64 threads",
          r.returncode == 1 and "simulate.bad_threads" in r.stderr and r.stdout == "", r.stdout + r.stderr)
    check("policy simulate writes nothing", digest() == before and sorted(os.listdir(d)) ==
          sorted(files_before + ["broken.toml"]), (files_before, os.listdir(d)))
    # The imported person's digest is stale until a refresh; the answer is the same either way.
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", db, "--date", "2026-01-15")
    first = json.loads(r.stdout) if r.returncode == 0 else {}
    r = run("db", "refresh-digests", "--db", db)
    check("db refresh-digests rebuilds the stale digest", r.returncode == 0 and json.loads(r.stdout or "{}") ==
          {"refreshed": 1}, r.stdout + r.stderr)
    r = run("db", "refresh-digests", "--db", db)
    check("db refresh-digests has nothing left to do", r.returncode == 0 and json.loads(r.stdout or "{}") ==
          {"refreshed": 0}, r.stdout + r.stderr)
    r = run("policy", "simulate", "--current", current, "--draft", draft, "--population", db, "--date", "2026-01-15")
    check("policy simulate from digests answers as from the rows", r.returncode == 0 and first and
          json.loads(r.stdout) == first, r.stdout + r.stderr)
    r = run("db", "refresh-digests", "--db", os.path.join(d, "none.db"))
    check("db refresh-digests on a missing database is an error", r.returncode != 0 and "No database" in r.stderr
          and not os.path.exists(os.path.join(d, "none.db")), r.stderr)

# The points calculator: a profile file in, the explained score out, nothing stored anywhere.
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples")
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "points-profile.schema.json")
with tempfile.TemporaryDirectory(prefix="epermit-calc-") as d:
    sh = os.path.join(EXAMPLES, "points-profile-shanghai.json")
    bj = os.path.join(EXAMPLES, "points-profile-beijing.json")
    r = run("points", "calc", "--city", "310000", "--date", "2026-04-01", "--profile", sh, "--policies", POLICIES)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("points calc scores the Shanghai example", r.returncode == 0 and out.get("total") == "232"
          and out.get("eligible") is True and "citizen_id" not in out, r.stdout + r.stderr)
    r = run("points", "calc", "--city", "110000", "--date", "2026-04-01", "--profile", bj)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("points calc scores the Beijing example with the default policies",
          r.returncode == 0 and out.get("total") == "73.83" and out.get("as_of") == "2025-12-31", r.stdout + r.stderr)
    with open(bj) as f:
        profile = json.load(f)
    profile["social_insurance"]["employee"]["continuous_months"] = 83
    short = os.path.join(d, "short.json")
    with open(short, "w") as f:
        json.dump(profile, f)
    r = run("points", "calc", "--city", "110000", "--date", "2026-04-01", "--profile", short)
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check("points calc exits 0 when not eligible", r.returncode == 0 and out.get("eligible") is False,
          r.stdout + r.stderr)
    profile["social_insurance"]["employee"]["months"] = 1300
    bad = os.path.join(d, "bad.json")
    with open(bad, "w") as f:
        json.dump(profile, f)
    r = run("points", "calc", "--city", "110000", "--date", "2026-04-01", "--profile", bad)
    check("points calc of a bad profile exits 1 naming the field",
          r.returncode == 1 and r.stdout == "" and "profile.invalid" in r.stderr
          and "social_insurance.employee.months" in r.stderr, r.stdout + r.stderr)
    broken = os.path.join(d, "broken.json")
    with open(broken, "w") as f:
        f.write('{"birth_date": ')
    r = run("points", "calc", "--city", "110000", "--profile", broken)
    check("points calc of a file that is not JSON exits 1", r.returncode == 1 and "not valid JSON" in r.stderr,
          r.stderr)
    r = run("points", "calc", "--city", "310101", "--profile", sh)
    check("points calc with a district for the city exits 1", r.returncode == 1 and "points.bad_city" in r.stderr,
          r.stderr)
    r = run("points", "calc", "--city", "310000", "--date", "2999-01-01", "--profile", sh)
    check("points calc with a future date exits 1", r.returncode == 1 and "points.bad_date" in r.stderr, r.stderr)
    check("points calc writes no file", set(os.listdir(d)) == {"short.json", "bad.json", "broken.json"},
          os.listdir(d))
    # The published schema (checked with a real JSON Schema validator when one is installed).
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema is not None:
        with open(SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for name in sorted(os.listdir(EXAMPLES)):
            with open(os.path.join(EXAMPLES, name)) as f:
                errors = [e.message for e in validator.iter_errors(json.load(f))]
            check(f"schema: docs/examples/{name} is valid", not errors, errors)
        check("schema: the profile the parser refused is refused", not validator.is_valid(profile))
    else:
        print("skip jsonschema checks (python3-jsonschema not installed)")

passed = sum(results)
failed = len(results) - passed
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
