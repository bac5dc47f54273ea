#!/usr/bin/env bash
# Runs every test of carstore on a fresh Debian 12 machine: installs what the tests need
# (as root, from Debian's packages) and starts the services they talk to, then format check,
# lints, and the unit, API, real-service, Docker, outage, CLI and browser tests, the contract
# fuzzed by schemathesis, the benchmark script's smoke run, and the demo stack built and driven
# (ops/stack/test.sh). The stack's images build in the background while cargo works; the stack
# runs once cargo's tests are done, since both use containers named carstore-redis. Last, the
# chaos test (each service stopped under load) and the replica test (three stores behind haproxy
# through a kill and a rolling restart) run alone, with their figures in the output, and so do
# the six guided scenarios, each run headless on both backends. The security tier tries every
# attack of the security review against the store and the demo stack (ops/security/stack.sh).
# The Kubernetes manifests are rendered and validated as a tier of their own (ops/k8s/validate.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

need_packages=()
command -v chromium >/dev/null || need_packages+=(chromium)
command -v chromedriver >/dev/null || need_packages+=(chromium-driver)
command -v cc >/dev/null || need_packages+=(build-essential)
command -v promtool >/dev/null || need_packages+=(prometheus)
command -v docker-compose >/dev/null || need_packages+=(docker-compose)
command -v haproxy >/dev/null || need_packages+=(haproxy)
command -v nginx >/dev/null || need_packages+=(nginx)
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

# kubectl renders ops/k8s (with its kustomize) for the manifest tests; Debian has no package.
if ! command -v kubectl >/dev/null; then
  echo "ops/test.sh: kubectl is not installed; install kubectl 1.32 or newer" \
    "(https://kubernetes.io/docs/tasks/tools/): no cluster is needed" >&2
  exit 1
fi

log "services: PostgreSQL, Redis, RabbitMQ"
bash ops/services.sh

log "Docker engine for the docker control backend's tests"
bash ops/docker-test-engine.sh up

if ! command -v cargo >/dev/null; then
  echo "ops/test.sh: cargo is not installed; install the Rust toolchain (rustup) first" >&2
  exit 1
fi

log "demo stack images: building in the background (ops/stack/test.sh build)"
stack_build_log=$(mktemp)
bash ops/stack/test.sh build >"$stack_build_log" 2>&1 &
stack_build=$!

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --features services --locked -- -D warnings

log "cargo test"
results=$(mktemp)
trap 'rm -f "$results" "$results.contract" "$results.k8s" "$results.bench" "$results.chaos" "$results.replicas" "$results.scenarios" "$results.security" "$stack_build_log"' EXIT
set +e
# The chaos and replica tests, and the guided scenarios run headless, run on their own at the
# end, on a quieter machine and with their figures shown. (`replicas::replicas_` names the
# replica test alone: `replicas::` would also match the unit tests of src/replicas and
# tests/api/browser_replicas.rs.)
cargo test --all-targets --features services --locked -- --skip chaos:: --skip replicas::replicas_ --skip scenarios_headless:: --skip browser_scenarios::every_ \
  --skip security_store:: --skip security_replicas:: --skip security_compat:: 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e

# The whole-system tiers: each a script with its own name and result.
tiers_passed=0
tiers_failed=0
tier() { # name log-file exit-code
  if [ "$3" = 0 ]; then echo "$1: passed"; tiers_passed=$((tiers_passed + 1))
  else cat "$2"; echo "$1: FAILED"; tiers_failed=$((tiers_failed + 1)); status=1; fi
}

log "the contract fuzzed: schemathesis against a live store (ops/contract/schemathesis.sh)"
set +e
CONTRACT_BIN=target/debug/carstore bash ops/contract/schemathesis.sh >"$results.contract" 2>&1
contract=$?
set -e
grep '^schemathesis ' "$results.contract" || true
tier "schemathesis" "$results.contract" "$contract"

log "Kubernetes manifests: every overlay rendered and validated (ops/k8s/validate.sh)"
set +e
bash ops/k8s/validate.sh >"$results.k8s" 2>&1
k8s=$?
set -e
grep '^k8s ' "$results.k8s" || true
tier "kubernetes manifests" "$results.k8s" "$k8s"

log "benchmark script, smoke run (a second per case)"
set +e
{ cargo build --locked --example catalog_reference --example sign_in_bench &&
  BENCH_BIN=target/debug/carstore bash ops/bench/run.sh --smoke; } >"$results.bench" 2>&1
bench=$?
set -e
tail -12 "$results.bench"
tier "bench smoke run" "$results.bench" "$bench"

log "demo stack: compose.yaml built, started and driven (ops/stack/test.sh)"
set +e
wait "$stack_build"
stack=$?
cat "$stack_build_log"
if [ "$stack" = 0 ]; then
  bash ops/stack/test.sh run 2>&1 | tee "$stack_build_log"
  stack=${PIPESTATUS[0]}
fi
set -e
tier "demo stack" "$stack_build_log" "$stack"

# Every attack of the security review, tried on every run: against the store's HTTP answers on
# the real services (one store, and three behind haproxy), then against the demo stack's real
# docker-proxy, Docker engine, networks, secrets and published ports (ops/security/stack.sh,
# which brings the stack up again from the images built above). Fails if any attack gets in, or
# if the store's part ran no test at all.
log "security: every attack the review found, tried (tests/api/security*.rs, ops/security/stack.sh)"
set +e
cargo test --locked --features services --test api security_ -- --nocapture --test-threads=2 >"$results.security" 2>&1
security=$?
grep -qE '^test result: ok\. [1-9][0-9]* passed' "$results.security" || security=1
if [ "$security" = 0 ]; then
  bash ops/security/stack.sh >>"$results.security" 2>&1
  security=$?
fi
set -e
grep -E '^security: ' "$results.security" || true
tier "security" "$results.security" "$security"

# After the stack, so no image build competes with it for the CPU its latency limits assume.
log "chaos under load: each service stopped and started in turn (tests/api/chaos.rs)"
set +e
cargo test --locked --features services --test api chaos:: -- --nocapture >"$results.chaos" 2>&1
chaos=$?
set -e
grep -E '^(chaos|    slowest)' "$results.chaos" || true
tier "chaos under load" "$results.chaos" "$chaos"

log "replicas behind haproxy: a SIGKILL and a rolling restart under load (tests/api/replicas.rs)"
set +e
cargo test --locked --features services --test api replicas::replicas_ -- --nocapture >"$results.replicas" 2>&1
replicas=$?
set -e
grep -E '^(replicas|    [^ ])' "$results.replicas" || true
tier "replicas behind haproxy" "$results.replicas" "$replicas"

log "guided scenarios: each run headless on both backends, and each from the Scenarios page (tests/api/scenarios_headless.rs, browser_scenarios.rs)"
set +e
cargo test --locked --features services --test api -- --nocapture --test-threads=2 scenarios_headless:: browser_scenarios::every_ \
  >"$results.scenarios" 2>&1
scenarios=$?
set -e
grep '^figures: ' "$results.scenarios" | sort || true
grep -E '^test .* (ok|FAILED)$' "$results.scenarios" | grep -v scenarios_headless || true
tier "guided scenarios" "$results.scenarios" "$scenarios"

# One closing line for the whole run: cargo prints a result line per test binary, and each
# whole-system tier counts once.
awk -v tp="$tiers_passed" -v tf="$tiers_failed" '
     /^test result:/ { for (i = 1; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p + tp, f + tf }' "$results"
exit "$status"
