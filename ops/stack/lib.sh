# Sourced by ops/stack/test.sh (the demo stack, driven) and ops/security/stack.sh (the demo stack,
# attacked): one way to check what is needed, bring the stack up and take it down again, so both
# test the same stack. The caller has set -euo pipefail and is in the repository's root.

CACHE=${CARSTORE_STACK_CACHE:-/var/cache/carstore-stack}
OUT=${CARSTORE_STACK_OUT:-target/stack}
COMPOSE=(docker compose -p carstore -f compose.yaml -f ops/stack/compose.standins.yaml)
PYTHON=$CACHE/venv/bin/python
# Containers a test starts beside the stack (load, attackers) carry this label; teardown removes
# them with the stack.
TEST_LABEL=org.carstore.stack-test=1
mkdir -p "$CACHE" "$OUT"

say() { printf '   %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# What a run needs and cannot make itself: a Docker engine, Compose v2 and the built images.
# Missing, the run fails (never skips) and says how to get it.
require_built() {
  docker info >/dev/null 2>&1 || {
    echo "FAILED: no Docker engine answers (docker info); start one (ops/docker-test-engine.sh up, or the system's docker service), then: bash ops/stack/test.sh build" >&2
    exit 1
  }
  docker compose version >/dev/null 2>&1 || {
    echo "FAILED: Docker Compose v2 is missing; install it with: bash ops/stack/test.sh build" >&2
    exit 1
  }
  local image missing=()
  for image in carstore:local $(grep -oE 'carstore-standin/[a-z]+:[a-z0-9.-]+' ops/stack/compose.standins.yaml | sort -u); do
    docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  ((${#missing[@]} == 0)) || {
    echo "FAILED: images missing: ${missing[*]}; build them with: bash ops/stack/test.sh build" >&2
    exit 1
  }
}

# The Docker tests use a carstore-redis container too; they take turns through this lock, held
# until the caller exits.
stack_lock() {
  exec 9>"${TMPDIR:-/tmp}/carstore-tests-redis-container.lock"
  flock 9
}

leftovers() {
  local label=com.docker.compose.project=carstore
  { docker ps -aq --filter "label=$label"; docker volume ls -q --filter "label=$label"
    docker network ls -q --filter "label=$label"; docker ps -aq --filter "label=$TEST_LABEL"; } | wc -l
}

# Nothing of an earlier run, no container of the same name outside the stack, and the host
# port the RabbitMQ management API may use.
preflight() {
  docker ps -aq --filter "label=$TEST_LABEL" | xargs -r docker rm -f >/dev/null
  [ "$(leftovers)" = 0 ] || "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1
  local name
  for name in carstore carstore-postgres carstore-redis carstore-rabbitmq carstore-prometheus \
    carstore-docker-proxy carstore-secrets; do
    if docker inspect "$name" >/dev/null 2>&1; then
      echo "FAILED: a container named $name exists outside the stack; remove it first (docker rm -f $name)" >&2
      exit 1
    fi
  done
  # A local RabbitMQ's management API (the tests' own) may hold 15672, as it would on a
  # developer's laptop: compose.yaml lets the stack publish it elsewhere.
  if (exec 3<>/dev/tcp/127.0.0.1/15672) 2>/dev/null; then
    export RABBITMQ_MANAGEMENT_PORT=15673
    say "15672 is taken on this host: the stack's RabbitMQ management API is on :$RABBITMQ_MANAGEMENT_PORT"
  fi
}

# Removes the stack (and the tests' own containers) whatever state it is in; the compose logs
# are kept in $OUT for a look after a failure.
teardown() {
  docker ps -aq --filter "label=$TEST_LABEL" | xargs -r docker rm -f >/dev/null 2>&1 || true
  "${COMPOSE[@]}" logs --no-color >"$OUT/compose.log" 2>&1 || true
  "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
}

# Up, every container healthy, with CARSTORE_ADMIN_TOKEN set to $1. From before the first
# container is made until stack_down, any exit (a failure, Ctrl-C, a kill) takes the stack down.
stack_up() { # admin-token
  preflight
  trap teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  say "Grafana has no stand-in here and is left out"
  local started; started=$(now)
  CARSTORE_ADMIN_TOKEN=$1 "${COMPOSE[@]}" up -d --wait --quiet-pull >"$OUT/up.log" 2>&1 ||
    { cat "$OUT/up.log"; "${COMPOSE[@]}" ps -a; "${COMPOSE[@]}" logs --tail 40; exit 1; }
  say "docker compose up -> every container healthy in $(since "$started") s"
  "${COMPOSE[@]}" ps -a --format '{{.Name}} {{.Status}}' | sed 's/^/     /'
}

# Down -v, and nothing may be left of the stack.
stack_down() {
  teardown
  trap - EXIT INT TERM
  local left; left=$(leftovers)
  [ "$left" = 0 ] || { echo "FAILED: docker compose down -v left $left containers, volumes or networks" >&2; exit 1; }
  say "docker compose down -v: no container, volume or network left"
}

# A random admin token for the run.
random_token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
