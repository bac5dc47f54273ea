#!/usr/bin/env bash
# The demo stack, run for real: compose.yaml (unchanged) with Compose v2, each public image
# swapped for a local stand-in (ops/stack/compose.standins.yaml; ops/stack/images.sh builds them
# from Debian's packages, no registry needed), carstore's image built from ops/Dockerfile. Then
# driven through its published ports as a person would (ops/stack/drive.py), its Grafana
# dashboard checked against its Prometheus (ops/stack/check_grafana.py), its figures printed,
# and everything removed. Up and down are ops/stack/lib.sh's, shared with the security tier's
# attacks on the same stack (ops/security/stack.sh).
#
#   ops/stack/test.sh build     install the tools, build the stand-ins and carstore's image
#   ops/stack/test.sh run       up, drive, check, report, down -v (after build)
#   ops/stack/test.sh           both
#   ops/stack/test.sh rebuild   time a rebuild of carstore's image after a one-line change in src/
#
# Needs root on Debian 12 and a Docker engine (ops/docker-test-engine.sh up starts one).
# Grafana has no stand-in (no Grafana server can be installed without a registry): it is left
# out, and its dashboard is checked through Prometheus and Grafana's schema library instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

PLUGINS=/usr/local/lib/docker/cli-plugins
source ops/stack/lib.sh

# Compose v2 and buildx are not in bookworm; trixie's packages run on it. They are unpacked into
# Docker's CLI plugin folder, from a private apt state that leaves the system's sources alone.
compose_v2() {
  docker compose version >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1 && return
  say "installing Compose v2 and buildx (Debian trixie's packages) into $PLUGINS"
  local apt="$CACHE/trixie-apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Dir::State::status=/dev/null)
  apt-get -qq "${opts[@]}" update
  (cd "$apt/debs" && apt-get -qq "${opts[@]}" download docker-compose docker-buildx 2>/dev/null)
  mkdir -p "$PLUGINS" "$apt/unpacked"
  for deb in "$apt"/debs/*.deb; do dpkg -x "$deb" "$apt/unpacked"; done
  cp "$apt"/unpacked/usr/libexec/docker/cli-plugins/docker-{compose,buildx} "$PLUGINS/"
  docker compose version
}

tools() {
  local packages=()
  command -v debootstrap >/dev/null || packages+=(debootstrap)
  command -v chromium >/dev/null || packages+=(chromium)
  command -v chromedriver >/dev/null || packages+=(chromium-driver)
  python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
  if ((${#packages[@]})); then
    say "installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  compose_v2
  if ! "$PYTHON" -c 'import selenium, grafana_foundation_sdk' 2>/dev/null; then
    say "a Python environment with selenium and grafana-foundation-sdk in $CACHE/venv"
    python3 -m venv "$CACHE/venv"
    "$CACHE/venv/bin/pip" install -q selenium grafana-foundation-sdk
  fi
}

build() {
  tools
  bash ops/stack/images.sh
  local started; started=$(now)
  "${COMPOSE[@]}" build --quiet carstore
  say "carstore image built from ops/Dockerfile in $(since "$started") s"
}

# Time a rebuild after a one-line change in the library (src/lib.rs), in a copy so the work tree
# is left alone.
rebuild() {
  local copy; copy=$(mktemp -d)
  git ls-files -z | xargs -0 -I{} cp --parents {} "$copy/"
  echo "pub const REBUILT_AT: u64 = $(date +%s);" >>"$copy/src/lib.rs"
  local started; started=$(now)
  (cd "$copy" && "${COMPOSE[@]}" build --quiet carstore)
  say "carstore image rebuilt after a one-line change in src/ in $(since "$started") s"
  rm -rf "$copy"
  "${COMPOSE[@]}" build --quiet carstore # the image of the real tree again
}

# The socket's group differs from host to host (113 on a Debian host, root's on Docker Desktop);
# nothing in the stack may depend on it.
socket_group() {
  say "Docker socket group here: $(stat -c %g /var/run/docker.sock) (carstore runs as uid 10001 and never joins it)"
}

# What carstore can ask of the engine through docker-proxy, asked from a container on the
# proxy's own network (as carstore is); no other container can reach it at all.
# (ops/security/stack.sh tries every other way in.)
proxy_allows() { # network method path -> the HTTP status line's code, or "none" without a connection
  docker run --rm --label "$TEST_LABEL" --network "$1" carstore-standin/debian:bookworm-slim bash -c \
    "exec 3<>/dev/tcp/docker-proxy/2375 || { echo x none; exit; }; printf '$2 $3 HTTP/1.0\r\n\r\n' >&3; head -1 <&3" 2>/dev/null |
    awk '{ print $2 }'
}

check_proxy() {
  local inspect list create other outside
  inspect=$(proxy_allows carstore_docker-api GET /v1.41/containers/carstore-redis/json)
  list=$(proxy_allows carstore_docker-api GET /v1.41/containers/json)
  create=$(proxy_allows carstore_docker-api POST /v1.41/containers/create)
  other=$(proxy_allows carstore_docker-api POST '/v1.41/containers/carstore-prometheus/stop?t=10')
  outside=$(proxy_allows carstore_default GET /v1.41/containers/carstore-redis/json)
  [ "$inspect" = 200 ] && [ "$list" = 403 ] && [ "$create" = 403 ] && [ "$other" = 403 ] && [ "$outside" = none ] || {
    echo "FAILED: docker-proxy answered inspect $inspect, list $list, create $create, other stop $other; from the default network: $outside" >&2
    exit 1
  }
  [ "$(docker exec carstore id -u)" = 10001 ] || { echo "FAILED: carstore does not run as uid 10001" >&2; exit 1; }
  docker exec carstore test ! -e /var/run/docker.sock ||
    { echo "FAILED: carstore's container can see the Docker socket" >&2; exit 1; }
  say "docker-proxy: inspect of carstore-redis $inspect; listing, creating and stopping another container 403; unreachable from the stack's default network; carstore runs as uid 10001 without the socket"
}

# Every call carstore made through the proxy while it was driven (the dashboard's buttons and
# log windows) was let through: a refusal would mean the proxy's rules and carstore's client
# disagree.
check_proxy_passed_carstore() {
  local address refused
  address=$(docker inspect -f '{{(index .NetworkSettings.Networks "carstore_docker-api").IPAddress}}' carstore)
  refused=$(docker logs carstore-docker-proxy 2>&1 | awk -v a="$address:" 'index($1, a) == 1 && $6 !~ /^(2|304)/')
  [ -z "$refused" ] || { echo "FAILED: docker-proxy refused calls carstore made:" >&2; echo "$refused" >&2; exit 1; }
  say "docker-proxy let through every call carstore made ($(docker logs carstore-docker-proxy 2>&1 | awk -v a="$address:" 'index($1, a) == 1' | wc -l) logged)"
}

report() {
  say "images:"
  for image in carstore:local $(grep -oE 'carstore-standin/[a-z]+:[a-z0-9-]+' ops/stack/compose.standins.yaml | sort -u); do
    printf '     %-44s %6.1f MB\n' "$image" "$(docker image inspect -f '{{.Size}}' "$image" | awk '{ print $1 / 1e6 }')"
  done
  say "memory of each container (docker stats):"
  docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $("${COMPOSE[@]}" ps -q) | awk '
    function mib(v) { if (v ~ /GiB/) return v * 1024; if (v ~ /MiB/) return v + 0; if (v ~ /KiB/) return v / 1024; return v / 1048576 }
    { m = mib($2); total += m; printf "     %-44s %7.1f MiB\n", $1, m }
    END { printf "     %-44s %7.1f MiB\n", "the whole stack", total }'
}

run() {
  stack_lock
  require_built
  socket_group
  local token; token=$(random_token)
  stack_up "$token"
  # Shoppers in the background all along, so every Grafana query has traffic to show.
  docker run --rm -d --label "$TEST_LABEL" --name carstore-stack-load --network host carstore:local \
    load --url http://127.0.0.1:8000 --rate 10 --duration 120s >/dev/null
  check_proxy
  "$PYTHON" ops/stack/drive.py --token "$token" --out "$OUT"
  check_proxy_passed_carstore
  "$PYTHON" ops/stack/check_grafana.py --prometheus http://127.0.0.1:9090
  report
  stack_down
}

case "${1:-all}" in
  build) build ;;
  run) run ;;
  all) build; run ;;
  rebuild) rebuild ;;
  *) echo "usage: $0 [build|run|all|rebuild]" >&2; exit 2 ;;
esac
