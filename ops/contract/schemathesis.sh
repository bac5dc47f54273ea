#!/usr/bin/env bash
# Fuzzes a live carstore against its own contract, GET /api/openapi.json, with schemathesis:
# once on the embedded store, once on real PostgreSQL, Redis and RabbitMQ (a database, key prefix
# and queues of its own, removed after). Fails on any server error (5xx), any answer that breaks
# the document (status code, body schema, content type, headers), any invalid input accepted
# (negative data must get a 4xx) and any undocumented method not refused with 405 and `Allow`.
# Each store is fuzzed in two runs, the admin sign-in last (see "Two runs per store" below).
# Ends with a figures line per run and one for the whole tier.
#
#   ops/contract/schemathesis.sh              both stores; builds the debug binary unless
#                                             CONTRACT_BIN names one
#   CONTRACT_SECS=30 ...                      the time budget of each store's main run
#                                             (default 45 s; the sign-in run gets a quarter)
#   CONTRACT_SEED=N ...                       replay a run (the seed is printed)
#   CONTRACT_EMBEDDED_ONLY=1 ...              skip the real-services run (no root needed)
#
# Installs schemathesis (pinned) into a cached virtualenv, $CONTRACT_VENV or
# /var/cache/carstore-contract/venv, and reuses it. The real-services run needs root on a fresh
# Debian machine (ops/services.sh installs and starts the services).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV=${CONTRACT_VENV:-/var/cache/carstore-contract/venv}
SECS=${CONTRACT_SECS:-45}
WORK=$(mktemp -d)

# Left out on purpose, each for a reason that is not the contract's:
#  - POST /api/service/{name}/{action}: start/stop/restart would stop the real services;
#  - GET /api/events and GET /api/service/{name}/logs: server-sent event streams never end;
#  - POST /api/load: starts a load run against this very store (up to 2000 requests/s for an hour);
#  - PUT /api/faults/{target}/{kind}: a fault it sets breaks the operations under test on purpose
#    (a database outage, a store answering 503 on every route, a minute of added latency), so
#    their 503s and timeouts would be the fault's, not the contract's;
#  - POST /api/scenarios/{name}/run: a scenario sets those same faults, and puts load on the store.
# The contract tests call each of them instead (tests/embedded/contract_answers.rs).
EXCLUDE=(
  --exclude-name 'POST /api/service/{name}/{action}'
  --exclude-name 'GET /api/events'
  --exclude-name 'GET /api/service/{name}/logs'
  --exclude-name 'POST /api/load'
  --exclude-name 'PUT /api/faults/{target}/{kind}'
  --exclude-name 'POST /api/scenarios/{name}/run'
)
# Two runs per store. Past 5 wrong admin tokens from one client (50 from all) within 5 minutes,
# a wrong token is answered 429 instead of 401. schemathesis sends everything from 127.0.0.1,
# and fuzzing POST /api/admin/login means hundreds of wrong tokens: in one run, the other admin
# operations' fuzzed wrong tokens would soon answer nothing but their (documented) 429. So the
# first run fuzzes every operation but the sign-in, each request with the right token (no wrong
# guess, nothing counted, which it checks at the end), and the second fuzzes the sign-in alone,
# the limit included, once nothing else is left to be refused. The limit is the production one:
# no setting turns it off or raises its threshold for tests (a knob that exists only to be
# turned in tests would weaken the one thing it guarantees), and schemathesis cannot send from
# a second loopback address.
SIGN_IN=(--include-name 'POST /api/admin/login')
EXCLUDE+=(--exclude-name 'POST /api/admin/login')
CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection
CHECKS+=,content_type_conformance,response_headers_conformance,unsupported_method,allow_header_conformance

say() { printf '== %s\n' "$*" >&2; }
. ops/pinned-venv.sh # the repository root is the working directory (above)
# A failure outside schemathesis's own checks, counted in the closing line.
problem() { echo "$*" | tee -a "$WORK/problems" >&2; }
# The stores, and the real-services store's database, key prefix and queues, are the shared
# helper's: stopped and removed, and checked gone, on any exit.
source ops/lib/store.sh
store_init contract
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local status=$?
  [ "$BASHPID" = "$$" ] || return 0 # subshells inherit the trap; only the script cleans up
  store_cleanup || status=1
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# --- schemathesis, pinned, in a virtualenv kept between runs --------------------------------
install_schemathesis() {
  if [ -x "$VENV/bin/schemathesis" ] &&
    [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    return 0
  fi
  say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  make_pinned_venv "$VENV" "schemathesis==$SCHEMATHESIS_VERSION"
}

# --- the store ---------------------------------------------------------------------------------
# Ready when the health monitor has seen every service answer (or run embedded), not only
# /readyz: until then requests that need one may be refused, and a 503 is a failure to the fuzzer.
# Sets url.
start_carstore() { # name [helper options] [KEY=VALUE ...]
  local name=$1
  shift
  store_start "$name" "$BIN" --ready services CARSTORE_ADMIN_TOKEN="$TOKEN" "$@"
  url=$STORE_URL
}

# Runs schemathesis against one store; prints its figures line and returns its verdict.
fuzz() { # name base-url seconds operations...
  local name=$1 url=$2 secs=$3 report="$WORK/${1// /-}.json" seed=()
  shift 3
  [ -n "${CONTRACT_SEED:-}" ] && seed=(--seed "$CONTRACT_SEED")
  say "schemathesis: $name, $secs s"
  local started=$SECONDS verdict=0
  # From the work directory: schemathesis keeps a crash cache in the current one.
  (cd "$WORK" && "$VENV/bin/schemathesis" run "$url/api/openapi.json" --url "$url" \
    -H "Authorization: Bearer $TOKEN" --checks "$CHECKS" --mode all "$@" \
    --max-time "$secs" --request-timeout 10 --generation-database none "${seed[@]}" \
    --no-color --report json --report-json-path "$report") || verdict=$?
  python3 - "$report" "$name" "$((SECONDS - started))" "$verdict" <<'PY' | tee -a "$WORK/figures"
import json, sys
path, name, secs, verdict = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
try:
    r = json.load(open(path))
except (OSError, ValueError):
    print(f"schemathesis {name}: no report (exit {verdict}), {secs} s"); sys.exit(0)
ops, cases = r["operations"], r["test_cases"]
failures = sum(f["count"] for f in r["failures"])
tested = f"{ops['tested']} operation{'' if ops['tested'] == 1 else 's'} tested"
print(f"schemathesis {name}: {tested} ({ops['total'] - ops['selected']} left out), "
      f"{cases['generated']} test cases, {failures} failures, {len(r['errors'])} errors, "
      f"{secs} s, seed {r['seed']}")
PY
  return "$verdict"
}

# One wrong admin token (1 of the 5 a lockout allows) and the right one, by the sign-in form:
# GET /api/audit then answers entries of its own to check against the document, not [].
sign_in_twice() { # base-url
  python3 - "$1" "$TOKEN" <<'PY'
import json, sys, urllib.error, urllib.request
url, token = sys.argv[1] + "/api/admin/login", sys.argv[2]
for offered, expected in (("not-" + token, 401), (token, 200)):
    req = urllib.request.Request(url, json.dumps({"token": offered}).encode(),
                                 {"Content-Type": "application/json"})
    try:
        status = urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as e:
        status = e.code
    if status != expected:
        sys.exit(f"signing in with the {'right' if expected == 200 else 'wrong'} token: {status}")
PY
}

# The status of GET /api/audit from the fuzzer's address with a token, and its Retry-After if
# any: 200 for the right token, always; 401 for a wrong one, 429 once the address is past the
# limit of wrong tokens.
audit_answer() { # base-url token
  python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1] + "/api/audit",
                             headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    resp = urllib.request.urlopen(req, timeout=5)
except urllib.error.HTTPError as e:
    resp = e
print(resp.status, resp.headers.get("Retry-After", ""))
PY
}

# Both runs against one store: the main one, then the sign-in. Between them, a wrong token must
# still be answered 401 (else the main run's admin operations met only the limit's 429); after
# the sign-in run's wrong tokens, a wrong one must be refused with Retry-After (the limiter at
# work) while the right one is still let in (a flood never locks its holder out).
fuzz_store() { # name base-url
  local verdict=0 answer
  sign_in_twice "$2" || { problem "$1: signing in before fuzzing failed"; verdict=1; }
  fuzz "$1" "$2" "$SECS" "${EXCLUDE[@]}" || verdict=1
  answer=$(audit_answer "$2" "not-the-admin-token-after-the-main-run")
  if [ "$answer" != "401 " ]; then
    problem "$1: a wrong token after the main run got '$answer', not 401: the fuzzer made" \
      "wrong guesses past the limit, and the admin operations met only its 429"
    verdict=1
  fi
  # The sign-in has no links to follow, so no stateful phase.
  fuzz "$1 sign-in" "$2" "$((SECS / 4))" "${SIGN_IN[@]}" --phases coverage,fuzzing || verdict=1
  answer=$(audit_answer "$2" "not-the-admin-token-after-the-sign-in-run")
  if [[ ! "$answer" =~ ^429\ [0-9]+$ ]]; then
    problem "$1: a wrong token after the sign-in run got '$answer', not 429 with" \
      "Retry-After: the wrong tokens did not reach the limit"
    verdict=1
  fi
  answer=$(audit_answer "$2" "$TOKEN")
  if [ "$answer" != "200 " ]; then
    problem "$1: the right token after the sign-in run got '$answer', not 200: the wrong" \
      "tokens locked its holder out"
    verdict=1
  fi
  return "$verdict"
}

install_schemathesis
if [ -n "${CONTRACT_BIN:-}" ]; then
  BIN=$CONTRACT_BIN
else
  say "building carstore"
  cargo build --quiet --locked --bin carstore
  BIN=target/debug/carstore
fi
TOKEN="contract-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

status=0
start_carstore embedded
fuzz_store embedded "$url" || status=1

if [ -z "${CONTRACT_EMBEDDED_ONLY:-}" ]; then
  bash ops/services.sh >&2
  start_carstore real-services --postgres --redis --rabbitmq \
    CARSTORE_RABBIT_MANAGEMENT_URL=http://guest:guest@127.0.0.1:15672
  fuzz_store real-services "$url" || status=1
fi
touch "$WORK/problems"
python3 - "$WORK/figures" "$SECONDS" "$WORK/problems" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
problems = len(open(sys.argv[3]).read().splitlines())
total = lambda word: sum(int(m.group(1)) for l in lines for m in [re.search(rf"(\d+) {word}", l)] if m)
print(f"schemathesis in all: {len(lines)} runs, {total('operations? tested')} operations "
      f"tested, {total('test cases')} test cases, "
      f"{total('failures') + total('errors') + problems} failures, {sys.argv[2]} s")
PY
exit "$status"
