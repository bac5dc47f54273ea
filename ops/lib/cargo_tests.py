#!/usr/bin/env python3
"""Reads cargo test's output for the test command (ops/test.sh), so no test is lost silently.

  cargo_tests.py ran FILE...
      prints "P F": the tests passed and failed over every `test result:` line in the files;
      exits 1 when none ran at all (a filter that matches nothing runs 0 tests and passes).

  cargo_tests.py check-filters LIST-FILE TIER=FILTER...
      LIST-FILE holds `cargo test --all-targets ... -- --list <every tier's filters>`; each
      TIER=FILTER is one filter of one tier, run by the tier against the `tests/api` target while
      the main run skips it. Fails, saying which, when a filter names no test of tests/api (the
      tier would run nothing), when a test matches filters of two tiers (run twice), or when a
      test outside tests/api matches a filter (skipped by the main run, run by no tier).
Stdlib only.
"""

import re
import sys

RESULT = re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed;")
# cargo's line before each test binary runs, e.g.
#      Running unittests src/lib.rs (target/debug/deps/carstore-0123)
#      Running tests/api/main.rs (target/debug/deps/api-4567)
RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+)")
LISTED = re.compile(r"^(\S+): test$")
TIER_TARGET = "tests/api/main.rs"


def ran(paths):
    passed = failed = 0
    for path in paths:
        with open(path, errors="replace") as f:
            for line in f:
                m = RESULT.match(line)
                if m:
                    passed += int(m.group(1))
                    failed += int(m.group(2))
    print(passed, failed)
    return 0 if passed + failed else 1


def check_filters(list_path, specs):
    tiers = []
    for spec in specs:
        tier, eq, flt = spec.rpartition("=")
        if not eq or not tier or not flt:
            sys.exit(f"cargo_tests.py: not TIER=FILTER: {spec}")
        tiers.append((tier, flt))
    listed, target = [], None
    with open(list_path, errors="replace") as f:
        for line in f:
            m = RUNNING.match(line)
            if m:
                target = m.group(1)
                continue
            m = LISTED.match(line.rstrip("\n"))
            if m and target:
                listed.append((target, m.group(1)))
    problems = []
    for tier, flt in tiers:
        n = sum(1 for t, name in listed if t == TIER_TARGET and flt in name)
        if n == 0:
            problems.append(f"{tier}: its filter {flt} names no test of {TIER_TARGET}: the tier "
                            "would run nothing (renamed?)")
        else:
            print(f"{tier}: {flt} names {n} test{'' if n == 1 else 's'}")
    for t, name in listed:
        owners = sorted({tier for tier, flt in tiers if flt in name})
        if t != TIER_TARGET and owners:
            problems.append(f"{name} ({t}) matches the filter of {', '.join(owners)}: the main "
                            f"run skips it and the tier runs only {TIER_TARGET}")
        elif len(owners) > 1:
            problems.append(f"{name} matches the filters of {' and '.join(owners)}: it would run "
                            "twice")
    if not any(t == TIER_TARGET for t, _ in listed):
        problems.append(f"the listing shows no test of {TIER_TARGET}: did cargo build it?")
    for p in problems:
        print(f"FAILED: {p}")
    return 1 if problems else 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "ran":
        return ran(argv[1:])
    if len(argv) >= 3 and argv[0] == "check-filters":
        return check_filters(argv[1], argv[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
