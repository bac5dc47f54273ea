#!/usr/bin/env bash
# The benchmark, by the name the test command, CI and the README use: ops/bench/run.py does the
# work (see its header for what it measures and its options, e.g. --smoke).
exec python3 "$(dirname "$0")/run.py" "$@"
