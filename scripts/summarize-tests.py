#!/usr/bin/env python3
"""Sum the results of meson test runs from their JSON logs.

usage: summarize-tests.py LABEL=LOGFILE ...
Prints one line per failed test and a final line 'N passed, N failed, N skipped'.
Exit status 1 if any test failed (or a log is missing), else 0.
"""
import json
import sys

passed = failed = skipped = 0
failures = []
for arg in sys.argv[1:]:
    label, _, path = arg.partition("=")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f if l.strip()]
    except OSError as e:
        failures.append(f"{label}: no test log ({e})")
        failed += 1
        continue
    for line in lines:
        r = json.loads(line)
        res = r.get("result", "")
        if res in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif res == "SKIP":
            skipped += 1
        else:
            failed += 1
            failures.append(f"{label}: {r.get('name')} {res}")
for f in failures:
    print("FAILED " + f)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
