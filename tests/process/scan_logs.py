#!/usr/bin/env python3
"""No personal data in logs (issue 5, hardening): scan the log output of a whole test run
for the names, citizen ID numbers and phone numbers of the test residents.

`make test` runs ctest with EPERMIT_TEST_LOG_DIR set (CMakePresets.json, asan test preset):
every GoogleTest process tees its spdlog output into a file there (tests/support/
test_support.cpp) and the process tests write the node's stderr there (tests/process/*.py).
Then this script reads every file in that directory and exits 1, naming file:line, if any
line holds:
  - a name a test gives a resident: a string literal of 2 to 4 Han characters in the test
    sources, or any Han literal given as a name (`name = "..."`, `{"name", "..."}`,
    `"name": "..."`), except the words in NOT_NAMES; and every name the demo seeder can
    make (src/service/demo_seeder.cpp, surname x given name);
  - a citizen ID number the tests use: an ID-shaped 18-character literal in the test
    sources (valid or not), a 17-digit literal completed with its check character, and
    every ID MakeCitizenId(...) can make from its literal arguments (any sequence number
    when it is not a literal);
  - any valid citizen ID at all (GB 11643 check character, a real birth date): the demo
    and crash tests make random residents;
  - a mobile phone number literal of the test sources.
An empty directory fails too: a scan of nothing proves nothing.

  scan_logs.py --logs DIR          scan (exit 0 clean, 1 findings or nothing to scan)
  scan_logs.py --self-test         check the scanner itself on made-up logs
"""
import argparse
import os
import re
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SOURCE_EXTENSIONS = (".cpp", ".hpp", ".py")
DEMO_SEEDER = os.path.join("src", "service", "demo_seeder.cpp")

# Han literals of the tests that are not people: places, schools, words. A new one that
# shows up in a log and is not a name belongs here; a name never does.
NOT_NAMES = {
    "上海", "上海市", "上海市浦东新区", "广东省", "黄浦区", "崇文区", "宝塔乡", "人民路", "汉族",
    "测试", "某公司", "某大学", "实验小学", "复旦大学", "北大", "中文", "含中文", "未知",
    "更名", "改名", "搬家", "骗领", "表彰", "先进个人",
}

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_LITERAL = re.compile(r'"([' + HAN + r']{2,4})"')
NAME_CONTEXT = re.compile(r'(?:\bname\s*=\s*|\{\s*"name"\s*,\s*|"name"\s*:\s*)"([' + HAN + r'][^"\\]*)"')
HAN_RUN = re.compile("[" + HAN + "]{2,}")
ID_LITERAL = re.compile(r"(?<![0-9])([1-9][0-9]{5}(?:18|19|20)[0-9]{9}[0-9Xx])(?![0-9A-Za-z])")
FIRST17_LITERAL = re.compile(r'"([1-9][0-9]{5}(?:18|19|20)[0-9]{9})"')
PHONE_LITERAL = re.compile(r'"(1[3-9][0-9]{9})"')
MAKE_ID_CALL = "MakeCitizenId("
STRING_LITERAL = re.compile(r'"([^"\\]*)"')
# In a log: every 18-character window of a digit run (known IDs, anywhere) ...
ID_WINDOW = re.compile(r"(?=([0-9]{17}[0-9Xx]))")
# ... and every standalone ID-shaped token (any valid ID).
ID_TOKEN = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx])(?![0-9A-Za-z])")
PHONE_WINDOW = re.compile(r"(?=(1[3-9][0-9]{9}))")

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def check_char(first17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def is_valid_id(text):
    text = text.upper()
    if len(text) != 18 or not text[:17].isdigit() or text[17] != check_char(text[:17]):
        return False
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= DAYS[month - 1]


def source_files(root):
    for top in ("tests", os.path.join("src", "service")):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", "__pycache__")]
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if top == "tests" and name.endswith(SOURCE_EXTENSIONS):
                    yield path
                elif os.path.relpath(path, root) == DEMO_SEEDER:
                    yield path


def call_arguments(text, start):
    """The text inside the parentheses of the call whose "(" is at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    return ""


class Secrets:
    def __init__(self):
        self.names = {}   # name -> where it came from
        self.ids = {}     # 18-character ID (upper case) -> where
        self.phones = {}  # number -> where

    def add(self, table, value, where):
        table.setdefault(value, where)


def collect(root):
    secrets = Secrets()
    for path in source_files(root):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        line_of = lambda pos: text.count("\n", 0, pos) + 1  # noqa: E731
        if rel == DEMO_SEEDER:
            arrays = {}
            for m in re.finditer(r"k(Surnames|Given)\{([^}]*)\}", text):
                arrays[m.group(1)] = STRING_LITERAL.findall(m.group(2))
            for surname in arrays.get("Surnames", []):
                for given in arrays.get("Given", []):
                    secrets.add(secrets.names, surname + given, f"{rel} (demo names)")
            continue
        if rel == os.path.relpath(os.path.abspath(__file__), root):
            continue  # this file's own examples and NOT_NAMES
        for m in HAN_LITERAL.finditer(text):
            if m.group(1) not in NOT_NAMES:
                secrets.add(secrets.names, m.group(1), f"{rel}:{line_of(m.start())}")
        for m in NAME_CONTEXT.finditer(text):  # "买买提·艾力", "王芳 <b>'x'</b>": each Han run
            if m.group(1) in NOT_NAMES:
                continue
            for run in HAN_RUN.findall(m.group(1)):
                if run not in NOT_NAMES:
                    secrets.add(secrets.names, run, f"{rel}:{line_of(m.start())}")
        for m in ID_LITERAL.finditer(text):
            secrets.add(secrets.ids, m.group(1).upper(), f"{rel}:{line_of(m.start())}")
        for m in FIRST17_LITERAL.finditer(text):
            first17 = m.group(1)
            secrets.add(secrets.ids, first17 + check_char(first17), f"{rel}:{line_of(m.start())}")
        for m in PHONE_LITERAL.finditer(text):
            secrets.add(secrets.phones, m.group(1), f"{rel}:{line_of(m.start())}")
        pos = text.find(MAKE_ID_CALL)
        while pos != -1:
            args = call_arguments(text, pos + len(MAKE_ID_CALL) - 1)
            literals = STRING_LITERAL.findall(args)
            divisions = [s for s in literals if re.fullmatch(r"[0-9]{6}", s)]
            dates = [s for s in literals if re.fullmatch(r"[0-9]{8}", s)]
            seq = re.search(r",\s*([0-9]+)\s*$", args)
            seqs = [int(seq.group(1))] if seq else range(1000)
            for division in divisions[:1]:
                for date in dates:
                    for n in seqs:
                        first17 = f"{division}{date}{n:03d}"[:17]
                        secrets.add(secrets.ids, first17 + check_char(first17), f"{rel}:{line_of(pos)}")
            pos = text.find(MAKE_ID_CALL, pos + 1)
    return secrets


def scan(log_dir, secrets):
    """(findings, files, lines): findings are (file, line number, what, where it came from)."""
    findings = []
    files = lines = 0
    names = sorted(secrets.names, key=len, reverse=True)
    for dirpath, _, filenames in os.walk(log_dir):
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            files += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    lines += 1
                    if not line.isascii():
                        for person in names:
                            if person in line:
                                findings.append((path, number, f"name {person}", secrets.names[person]))
                    if any(c.isdigit() for c in line):
                        seen = set()
                        for m in ID_WINDOW.finditer(line):
                            candidate = m.group(1).upper()
                            if candidate in secrets.ids and candidate not in seen:
                                seen.add(candidate)
                                findings.append((path, number, f"citizen ID {candidate}", secrets.ids[candidate]))
                        for m in ID_TOKEN.finditer(line):
                            candidate = m.group(1).upper()
                            if candidate not in seen and is_valid_id(candidate):
                                seen.add(candidate)
                                findings.append((path, number, f"citizen ID {candidate}", "a valid GB 11643 ID"))
                        for m in PHONE_WINDOW.finditer(line):
                            if m.group(1) in secrets.phones:
                                findings.append((path, number, f"phone {m.group(1)}", secrets.phones[m.group(1)]))
    return findings, files, lines


def run_scan(log_dir, root):
    if not os.path.isdir(log_dir):
        print(f"scan_logs: FAIL: no log directory {log_dir} (was EPERMIT_TEST_LOG_DIR set for the test run?)")
        return 1
    secrets = collect(root)
    findings, files, lines = scan(log_dir, secrets)
    if lines == 0:
        print(f"scan_logs: FAIL: {log_dir} holds {files} files and no log lines; a scan of nothing proves nothing")
        return 1
    for path, number, what, source in findings:
        print(f"{path}:{number}: {what} (test data from {source})")
    verdict = "FAIL" if findings else "ok"
    print(f"scan_logs: {verdict}: {len(findings)} findings in {lines} lines of {files} log files; looked for "
          f"{len(secrets.names)} names, {len(secrets.ids)} known citizen IDs (and any valid one), "
          f"{len(secrets.phones)} phone numbers")
    return 1 if findings else 0


def self_test(root):
    """The scanner finds what it must and passes clean logs; returns the number of failures."""
    secrets = collect(root)
    failures = 0

    def expect(label, cond):
        nonlocal failures
        print(("ok   " if cond else "FAIL ") + label)
        failures += 0 if cond else 1

    expect("names of the tests are collected (张伟, 欧阳明月, 李娟)",
           all(n in secrets.names for n in ("张伟", "欧阳明月", "李娟")))
    expect("demo seeder names are collected (王芳, 梁梓萱)", "梁梓萱" in secrets.names)
    expect("words that are not names are not", not any(w in secrets.names for w in NOT_NAMES))
    expect("MakeCitizenId IDs are collected", "36042619900101071" + check_char("36042619900101071") in secrets.ids)
    expect("invalid ID literals of the tests are collected", "110101199003078516" in secrets.ids)
    clean = ("2026-11-15T10:00:00.000+08:00 info http GET /api/v1/people/{citizen_id}/ledger 200 512us "
             "id=0123456789abcdef0123456789abcdef\n"
             "2026-11-15T10:00:00.000+08:00 info seeded 1000 residents (123456789012345678 rows) in 1.5 s\n")
    cases = [
        ("an empty directory fails", {}, 1),
        ("a directory of empty files fails", {"a.log": ""}, 1),
        ("clean lines pass", {"a.log": clean}, 0),
        ("a test resident's name fails", {"a.log": clean + "info registered 欧阳明月\n"}, 1),
        ("a demo resident's name fails", {"b.log": "warn person 梁梓萱 not found\n"}, 1),
        ("a known ID inside other text fails", {"a.log": "path=/people/x36042619900101071" +
                                                 check_char("36042619900101071") + "y\n"}, 1),
        ("any valid ID fails", {"a.log": "id 44030619950505123" + check_char("44030619950505123") + " ok\n"}, 1),
        ("an invalid-checksum test ID fails", {"a.log": "detail=110101199003078516\n"}, 1),
        ("a test phone number fails", {"n/c.log": "phone=13800138000\n"}, 1),
    ]
    for label, files, expected in cases:
        with tempfile.TemporaryDirectory(prefix="epermit-scan-") as d:
            for name, content in files.items():
                os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    f.write(content)
            with open(os.devnull, "w") as devnull:
                stdout, sys.stdout = sys.stdout, devnull
                try:
                    rc = run_scan(d, root)
                finally:
                    sys.stdout = stdout
            expect(label, rc == expected)
    print(f"{len(cases) + 5 - failures} passed, {failures} failed")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", help="the directory of the run's logs (EPERMIT_TEST_LOG_DIR)")
    parser.add_argument("--root", default=ROOT, help="the repository (test sources)")
    parser.add_argument("--self-test", action="store_true", help="check the scanner on made-up logs")
    args = parser.parse_args()
    if args.self_test:
        return 1 if self_test(args.root) else 0
    if not args.logs:
        parser.error("--logs DIR or --self-test")
    return run_scan(args.logs, args.root)


if __name__ == "__main__":
    sys.exit(main())
