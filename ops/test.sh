#!/usr/bin/env bash
# Runs every test of carstore on a fresh Debian 12 machine: installs what the tests need (as root,
# from Debian's packages) and starts the services they talk to, then format check, lints (clippy,
# and ESLint on web/js: ops/lint/run.sh), and the unit, API, real-service, Docker, outage, CLI and
# browser tests, the contract fuzzed by schemathesis, the benchmark script's smoke run, and the
# demo stack built and driven (ops/stack/test.sh). The stack's images build in the background
# while cargo works; the stack runs once cargo's tests are done, since both use containers named
# carstore-redis. Last, the chaos test (each service stopped under load) and the replica test
# (three stores behind haproxy through a kill and a rolling restart) run alone, with their figures
# in the output, and so do the six guided scenarios, each run headless on both backends. The
# security tier tries every attack of the security review against the store and the demo stack
# (ops/security/stack.sh). The Kubernetes manifests are rendered and validated as a tier of their
# own (ops/k8s/validate.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# The tiers that run cargo tests of their own, alone and after the main run, each against the
# tests/api target: its name in the results, its filters (libtest's, a test runs when its name
# contains one), and libtest's flags. The main run skips every filter here, so each test runs in
# exactly one place; before the runs, the filters are listed against the built tests, and a
# filter that names no test, a test two tiers would run, or a test outside tests/api that the
# main run would skip and no tier run, fails the run. (`replicas::replicas_` names the replica
# test alone: `replicas::` would also match the unit tests of src/replicas and
# tests/api/browser_replicas.rs.)
TIERS=(security chaos replicas scenarios)
declare -A TIER_NAME=([security]="security" [chaos]="chaos under load"
  [replicas]="replicas behind haproxy" [scenarios]="guided scenarios")
declare -A TIER_FILTERS=([security]="security_store:: security_replicas:: security_compat::"
  [chaos]="chaos::" [replicas]="replicas::replicas_"
  [scenarios]="scenarios_headless:: browser_scenarios::every_")
declare -A TIER_FLAGS=([security]="--nocapture --test-threads=2" [chaos]="--nocapture"
  [replicas]="--nocapture" [scenarios]="--nocapture --test-threads=2")

log() { printf '\n== %s\n' "$*"; }

need_packages=()
command -v chromium >/dev/null || need_packages+=(chromium)
command -v chromedriver >/dev/null || need_packages+=(chromium-driver)
command -v cc >/dev/null || need_packages+=(build-essential)
command -v promtool >/dev/null || need_packages+=(prometheus)
command -v docker-compose >/dev/null || need_packages+=(docker-compose)
command -v haproxy >/dev/null || need_packages+=(haproxy)
command -v nginx >/dev/null || need_packages+=(nginx)
command -v node >/dev/null || need_packages+=(nodejs)
command -v npm >/dev/null || need_packages+=(npm)
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
# In a process group of its own, so an early failure (format, lints) stops all of it; its log
# is kept either way.
mkdir -p target/stack
stack_build_log=target/stack/images-build.log
setsid bash ops/stack/test.sh build >"$stack_build_log" 2>&1 &
stack_build=$!
results=$(mktemp)
# shellcheck disable=SC2317 # called by the trap
on_exit() {
  local status=$?
  if [ -n "${stack_build:-}" ] && kill -0 "$stack_build" 2>/dev/null; then
    kill -TERM -- -"$stack_build" 2>/dev/null || true
    wait "$stack_build" 2>/dev/null || true
    echo "ops/test.sh: stopped the demo stack's image build; its log is kept in $stack_build_log; its end:" >&2
    tail -15 "$stack_build_log" >&2 || true
  fi
  rm -f "$results" "$results".*
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --features services --locked -- -D warnings

log "eslint on web/js (ops/lint/run.sh)"
bash ops/lint/run.sh

# The tests each tier's filters name, listed from the built tests (this builds them for the
# main run too).
log "cargo test: what each tier's filters name"
all_filters=() skips=() specs=()
for id in "${TIERS[@]}"; do
  for f in ${TIER_FILTERS[$id]}; do
    all_filters+=("$f") skips+=(--skip "$f") specs+=("${TIER_NAME[$id]}=$f")
  done
done
status=0
set +e
cargo test --all-targets --features services --locked -- --list "${all_filters[@]}" >"$results.list" 2>&1
listed=$?
set -e
if [ "$listed" != 0 ]; then
  cat "$results.list"
  echo "cargo test: could not list the tests"
  status=1
elif ! python3 ops/lib/cargo_tests.py check-filters "$results.list" "${specs[@]}"; then
  status=1
fi

log "cargo test"
# The tiers' tests run on their own at the end, on a quieter machine and with their figures
# shown.
set +e
cargo test --all-targets --features services --locked -- "${skips[@]}" 2>&1 | tee "$results"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
set -e
if ! python3 ops/lib/cargo_tests.py ran "$results" >/dev/null; then
  echo "cargo test: ran no test"
  status=1
fi

# The whole-system tiers: each with its own name and result.
tiers_passed=0
tiers_failed=0
tier() { # name log-file exit-code
  if [ "$3" = 0 ]; then echo "$1: passed"; tiers_passed=$((tiers_passed + 1))
  else cat "$2"; echo "$1: FAILED"; tiers_failed=$((tiers_failed + 1)); status=1; fi
}

# One cargo tier from the table: its filters and flags against tests/api, its output in
# $results.<id>. Fails when it ran no test at all, whatever cargo's status.
cargo_tier() { # id
  local id=$1 code
  local -a filters flags
  read -ra filters <<<"${TIER_FILTERS[$id]}"
  read -ra flags <<<"${TIER_FLAGS[$id]}"
  set +e
  cargo test --locked --features services --test api -- "${filters[@]}" "${flags[@]}" >"$results.$id" 2>&1
  code=$?
  set -e
  if ! python3 ops/lib/cargo_tests.py ran "$results.$id" >/dev/null; then
    echo "${TIER_NAME[$id]}: ran no test: no test's name contains ${TIER_FILTERS[$id]}" | tee -a "$results.$id"
    code=1
  fi
  return "$code"
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
stack_build=
cat "$stack_build_log"
if [ "$stack" = 0 ]; then
  bash ops/stack/test.sh run 2>&1 | tee "$results.stack"
  stack=${PIPESTATUS[0]}
else
  echo "the demo stack's image build failed (exit $stack); its log: $stack_build_log" | tee "$results.stack"
fi
set -e
tier "demo stack" "$results.stack" "$stack"

# Every attack of the security review, tried on every run: against the store's HTTP answers on
# the real services (one store, and three behind haproxy), then against the demo stack's real
# docker-proxy, Docker engine, networks, secrets and published ports (ops/security/stack.sh,
# which brings the stack up again from the images built above). Fails if any attack gets in, or
# if the store's part ran no test at all.
log "security: every attack the review found, tried (tests/api/security*.rs, ops/security/stack.sh)"
security=0
cargo_tier security || security=1
if [ "$security" = 0 ]; then
  set +e
  bash ops/security/stack.sh >>"$results.security" 2>&1
  security=$?
  set -e
fi
grep -E '^security: ' "$results.security" || true
tier "${TIER_NAME[security]}" "$results.security" "$security"

# After the stack, so no image build competes with it for the CPU its latency limits assume.
log "chaos under load: each service stopped and started in turn (tests/api/chaos.rs)"
chaos=0
cargo_tier chaos || chaos=1
grep -E '^(chaos|    slowest)' "$results.chaos" || true
tier "${TIER_NAME[chaos]}" "$results.chaos" "$chaos"

log "replicas behind haproxy: a SIGKILL and a rolling restart under load (tests/api/replicas.rs)"
replicas=0
cargo_tier replicas || replicas=1
grep -E '^(replicas|    [^ ])' "$results.replicas" || true
tier "${TIER_NAME[replicas]}" "$results.replicas" "$replicas"

log "guided scenarios: each run headless on both backends, and each from the Scenarios page (tests/api/scenarios_headless.rs, browser_scenarios.rs)"
scenarios=0
cargo_tier scenarios || scenarios=1
grep '^figures: ' "$results.scenarios" | sort || true
grep -E '^test .* (ok|FAILED)$' "$results.scenarios" | grep -v scenarios_headless || true
tier "${TIER_NAME[scenarios]}" "$results.scenarios" "$scenarios"

# One closing line for the whole run: cargo prints a result line per test binary, and each
# whole-system tier counts once.
read -r main_passed main_failed < <(python3 ops/lib/cargo_tests.py ran "$results" || true)
echo "tests: $((${main_passed:-0} + tiers_passed)) passed, $((${main_failed:-0} + tiers_failed)) failed"
exit "$status"
