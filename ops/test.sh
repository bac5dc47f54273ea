#!/usr/bin/env bash
# Runs every test of carstore on a fresh Debian 12 machine: installs what the tests need
# (as root, from Debian's packages) and starts the services they talk to, then format check,
# lints, and the unit, API, real-service, Docker, outage, CLI and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

need_packages=()
command -v chromium >/dev/null || need_packages+=(chromium)
command -v chromedriver >/dev/null || need_packages+=(chromium-driver)
command -v cc >/dev/null || need_packages+=(build-essential)
command -v promtool >/dev/null || need_packages+=(prometheus)
command -v docker-compose >/dev/null || need_packages+=(docker-compose)
if ((${#need_packages[@]})); then
  log "installing ${need_packages[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "ops/test.sh: need root to apt-get install ${need_packages[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

log "services: PostgreSQL, Redis, RabbitMQ"
bash ops/services.sh

log "Docker engine for the docker control backend's tests"
bash ops/docker-test-engine.sh up

if ! command -v cargo >/dev/null; then
  echo "ops/test.sh: cargo is not installed; install the Rust toolchain (rustup) first" >&2
  exit 1
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

log "cargo test"
results=$(mktemp)
trap 'rm -f "$results" "$results.bench"' EXIT
set +e
cargo test --all-targets --locked 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 0 ]; then
  log "benchmark script, smoke run (a second per case)"
  set +e
  BENCH_BIN=target/debug/carstore bash ops/bench/run.sh --smoke >"$results.bench" 2>&1
  bench=$?
  set -e
  tail -12 "$results.bench"
  if [ "$bench" = 0 ]; then echo "test result: ok. 1 passed; 0 failed; (bench smoke)" >>"$results"
  else echo "test result: FAILED. 0 passed; 1 failed; (bench smoke)" >>"$results"; cat "$results.bench"; status=1; fi
fi
# One closing line for the whole run: cargo prints a result line per test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$results"
exit "$status"
