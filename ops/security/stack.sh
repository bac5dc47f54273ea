#!/usr/bin/env bash
# The security tier's stack part: brings the demo stack up exactly as ops/stack/test.sh run does
# (the same helper, ops/stack/lib.sh) and attacks it through its real docker-proxy and Docker
# engine, its networks and its published ports. One line per attempt:
#   security: <what it tried> -> <what it got>
# and a failure (exit 1) when any attempt gets in, or an allowed call stops working.
#
#   bash ops/security/stack.sh
#
# Needs root, a Docker engine, Compose v2 and the images `bash ops/stack/test.sh build` makes;
# fails (never skips) with how to get them when one is missing. Takes the stack's lock, so it
# never runs beside ops/stack/test.sh run or the Docker tests. About two minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/stack/lib.sh

BASE=carstore-standin/debian:bookworm-slim
CLIENT=carstore-standin/postgres:15 # bash for raw TCP, psql for Postgres
INSIDER=carstore-security-insider   # on the proxy's network, as a compromised carstore would be
OUTSIDER=carstore-security-outsider # on the stack's default network, as any other container is
CRLF=$'\r\n'
LOGS_QUERY='follow=true&stdout=true&stderr=true&since=0&until=0&timestamps=true&tail=200'
FAILURES=0

line() { printf 'security: %s -> %s\n' "$1" "$2"; }
held() { line "$1" "$2"; }
broken() { line "$1" "$2   <-- FAILED"; FAILURES=$((FAILURES + 1)); }
check() { # condition-status what got
  if [ "$1" = 0 ]; then held "$2" "$3"; else broken "$2" "$3"; fi
}

# One raw HTTP request from a container to docker-proxy:2375; prints "<status line without the
# version> (from <the engine and its Server header, or haproxy>)", or "no connection".
raw() { # container method target [header lines] [body]
  request "${@:2}" | docker exec -i "$1" bash -c '
    { exec 3<>/dev/tcp/docker-proxy/2375; } 2>/dev/null || { echo "no connection"; exit 0; }
    cat >&3
    status= server=haproxy
    while IFS= read -r -t 10 line <&3; do
      line=${line%$'"'\r'"'}
      if [ -z "$status" ]; then status=${line#* }; continue; fi
      [ -n "$line" ] || break
      case "${line,,}" in server:*) server="the engine, ${line#*: }" ;; esac
    done
    echo "${status:-no answer} (from $server)"' 2>/dev/null | tail -1
}

# The request's bytes; a body gets its Content-Length unless the headers make it chunked.
request() { # method target [header lines] [body]
  local headers="${3:-}" body="${4:-}"
  [ -z "$body" ] || [[ $headers == *Transfer-Encoding* ]] ||
    headers+="Content-Type: application/json${CRLF}Content-Length: ${#body}${CRLF}"
  printf '%s %s HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n%s\r\n%s' "$1" "$2" "$headers" "$body"
}

# An attempt that must be refused by the proxy itself: 400, 403 or 405, never from the engine.
refused() { # what method target [header lines] [body]
  local got; got=$(raw "$INSIDER" "${@:2}")
  if [[ $got =~ ^(400|403|405)\  && $got != *"the engine"* ]]; then held "$1" "$got"; else broken "$1" "$got"; fi
}

# A call carstore makes: must reach the engine and succeed.
allowed() { # what expected-status method target [header lines]
  local got; got=$(raw "$INSIDER" "${@:3}")
  if [[ $got == "$2 "*"the engine"* ]]; then held "$1" "$got"; else broken "$1" "$got"; fi
}

healthy_again() { # container
  local i
  for i in $(seq 120); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ] && return
    sleep 0.5
  done
  broken "$1 healthy again after the test's stop or restart" "$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$1")"
}

secret() { # file in the secrets volume
  docker run --rm --label "$TEST_LABEL" -v carstore_secrets:/s:ro "$BASE" cat "/s/$1"
}

# With the ports opened to other machines and a well-known password given, the secrets service
# must refuse, carstore must not start, and nothing may listen on every interface.
refuses_default() { # variable value
  local out rc=0 said state
  out=$(env CARSTORE_PUBLISH_ADDRESS=0.0.0.0 "$1=$2" "${COMPOSE[@]}" up -d --wait --quiet-pull 2>&1) || rc=$?
  said=$(docker logs carstore-secrets 2>&1 | tail -1 || true)
  state=$(docker inspect -f '{{.State.Status}}' carstore 2>/dev/null || echo absent)
  local wide; wide=$(docker ps --filter label=com.docker.compose.project=carstore --format '{{.Ports}}' | grep -c '0\.0\.0\.0:' || true)
  "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1
  local what="CARSTORE_PUBLISH_ADDRESS=0.0.0.0 $1=$2 docker compose up"
  local got="exit $rc, carstore $state, $wide containers listening on 0.0.0.0; the secrets service said: $said"
  [ "$rc" != 0 ] && [ "$state" != running ] && [ "$wide" = 0 ] && [[ $said == *"$1"*"well-known default"* ]] && r=0 || r=1
  check $r "$what" "$got"
}

# --- before the stack: it refuses to start with a default password on open ports -------------

stack_lock
require_built
preflight
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$(now)
refuses_default RABBITMQ_PASSWORD guest
refuses_default GRAFANA_ADMIN_PASSWORD admin

# --- the stack, as ops/stack/test.sh run brings it up ------------------------------------------

token=$(random_token)
stack_up "$token"
docker run -d --label "$TEST_LABEL" --name "$INSIDER" --network carstore_docker-api --entrypoint sleep "$CLIENT" 900 >/dev/null
docker run -d --label "$TEST_LABEL" --name "$OUTSIDER" --network carstore_default --entrypoint sleep "$CLIENT" 900 >/dev/null

# --- who can reach the proxy ------------------------------------------------------------------

members=$(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' carstore_docker-api | tr ' ' '\n' | grep -v "^$INSIDER$" | sort | xargs || true)
internal=$(docker network inspect -f '{{.Internal}}' carstore_docker-api)
[ "$internal" = true ] && [ "$members" = "carstore carstore-docker-proxy" ] && r=0 || r=1
check $r "the proxy's network" "internal: $internal, members: $members"
got=$(raw "$OUTSIDER" GET /containers/carstore-redis/json)
[ "$got" = "no connection" ] && r=0 || r=1
check $r "reach docker-proxy:2375 by name from a container on the stack's default network" "$got"
proxy_ip=$(docker inspect -f '{{(index .NetworkSettings.Networks "carstore_docker-api").IPAddress}}' carstore-docker-proxy)
got=$(docker exec "$OUTSIDER" timeout 5 bash -c "exec 3<>/dev/tcp/$proxy_ip/2375 && echo connected" 2>/dev/null || echo "no connection")
[ "$got" = "no connection" ] && r=0 || r=1
check $r "reach the proxy by its address $proxy_ip:2375 from the default network" "$got"

# --- an old API version with a body: host folders mounted into a container --------------------

docker stop -t 10 carstore-postgres >/dev/null
binds='{"Binds":["/etc:/hostetc:ro"],"Privileged":true}'
chunked=$(printf '%x\r\n%s\r\n0\r\n\r\n' ${#binds} "$binds")
refused "POST /v1.23/containers/carstore-postgres/start with body $binds (container stopped)" \
  POST /v1.23/containers/carstore-postgres/start "" "$binds"
refused "the same on /v1.41, with its body" POST /v1.41/containers/carstore-postgres/start "" "$binds"
refused "the same without a version, with its body" POST /containers/carstore-postgres/start "" "$binds"
refused "the same body, Transfer-Encoding: chunked" \
  POST /containers/carstore-postgres/start "Transfer-Encoding: chunked$CRLF" "$chunked"
refused "the same body, chunked, under /v1.23" \
  POST /v1.23/containers/carstore-postgres/start "Transfer-Encoding: chunked$CRLF" "$chunked"
got=$(docker inspect -f '{{.State.Status}}; binds {{json .HostConfig.Binds}}; mounts {{range .Mounts}}{{.Destination}} {{end}}; privileged {{.HostConfig.Privileged}}' carstore-postgres)
[[ $got == exited* && $got != *hostetc* && $got == *"privileged false" ]] && r=0 || r=1
check $r "carstore-postgres after those attempts" "$got"
allowed "POST /containers/carstore-postgres/start (the Start button's call, no body)" 204 \
  POST /containers/carstore-postgres/start "Content-Length: 0$CRLF"
healthy_again carstore-postgres
got=$(docker inspect -f '{{json .HostConfig.Binds}} {{range .Mounts}}{{.Destination}} {{end}}' carstore-postgres)
[[ $got != *hostetc* ]] && r=0 || r=1
check $r "carstore-postgres's mounts after its start" "$got"
# The control: the same start sent straight to the engine, for a container of the test's own,
# shows what the proxy keeps out (an engine that refuses old versions keeps it out too).
control=carstore-security-control
docker create --label "$TEST_LABEL" --name "$control" --network none "$BASE" sleep 60 >/dev/null
code=$(curl -s --unix-socket /var/run/docker.sock -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -d '{"Binds":["/etc:/hostetc:ro"]}' \
  "http://docker/v1.23/containers/$control/start" || true)
if docker exec "$control" test -s /hostetc/hostname 2>/dev/null; then
  got="$code, and the host's /etc is mounted in it: the attack is real, and only the proxy stops it"
else
  got="$code, nothing mounted: this engine refuses it by itself"
fi
docker rm -f "$control" >/dev/null
held "control, not through the proxy: the same /v1.23 start with Binds straight to the engine, for a throwaway container" "$got"

# --- query parameters the dashboard does not send ---------------------------------------------

refused "logs with details=1 added" GET "/containers/carstore-redis/logs?$LOGS_QUERY&details=1"
refused "logs ?follow=1&details=1" GET "/v1.41/containers/carstore-redis/logs?follow=1&details=1"
refused "logs ?stdout=1&foo=bar" GET "/containers/carstore-redis/logs?stdout=1&foo=bar"
refused "logs with tail=all&tail=9 (a parameter twice)" GET "/containers/carstore-redis/logs?${LOGS_QUERY%200}all&tail=9"
refused "logs with since=-1" GET "/containers/carstore-redis/logs?${LOGS_QUERY/since=0/since=-1}"
refused "stop ?t=10&signal=SIGKILL" POST "/containers/carstore-redis/stop?t=10&signal=SIGKILL"
refused "stop ?signal=SIGKILL" POST "/containers/carstore-redis/stop?signal=SIGKILL"
refused "restart ?t=99999" POST "/containers/carstore-redis/restart?t=99999"
refused "inspect ?size=1" GET "/containers/carstore-redis/json?size=1"
refused "start ?detachKeys=ctrl-x" POST "/containers/carstore-redis/start?detachKeys=ctrl-x"
refused "POST start with Content-Length: 1, its one byte sent" \
  POST /containers/carstore-redis/start "Content-Length: 1$CRLF" "x"

# --- other calls and other containers ---------------------------------------------------------

refused "list containers GET /containers/json?all=1" GET '/containers/json?all=1'
refused "list containers GET /v1.41/containers/json" GET /v1.41/containers/json
refused "create POST /containers/create" \
  POST /containers/create "" '{"Image":"carstore-standin/debian:bookworm-slim","HostConfig":{"Binds":["/:/host"]}}'
refused "create POST /containers/create without a body" POST /containers/create
refused "exec POST /containers/carstore-redis/exec" POST /containers/carstore-redis/exec "" '{"Cmd":["id"]}'
refused "exec POST /containers/carstore-redis/exec without a body" POST /containers/carstore-redis/exec
refused "attach POST /containers/carstore-redis/attach?stream=1&stdout=1 with Upgrade" \
  POST '/containers/carstore-redis/attach?stream=1&stdout=1' "Upgrade: tcp${CRLF}Connection: Upgrade$CRLF"
refused "an allowed logs call with Upgrade: tcp" GET "/containers/carstore-redis/logs?$LOGS_QUERY" "Upgrade: tcp${CRLF}"
refused "images GET /images/json" GET /images/json
refused "volumes GET /volumes" GET /volumes
refused "networks GET /networks" GET /networks
refused "engine info GET /info" GET /info
refused "GET /_ping" GET /_ping
refused "copy out GET /containers/carstore-postgres/archive?path=/run/secrets" GET '/containers/carstore-postgres/archive?path=/run/secrets'
for other in carstore-prometheus carstore carstore-docker-proxy carstore-secrets; do
  refused "inspect another container, $other" GET "/containers/$other/json"
done
refused "stop carstore-prometheus ?t=10" POST '/containers/carstore-prometheus/stop?t=10'
refused "restart carstore ?t=10" POST '/v1.41/containers/carstore/restart?t=10'
refused "start carstore-secrets" POST /containers/carstore-secrets/start
refused "logs of carstore" GET "/containers/carstore/logs?$LOGS_QUERY"
redis_id=$(docker inspect -f '{{.Id}}' carstore-redis)
refused "inspect carstore-redis by its id ${redis_id:0:12}" GET "/containers/${redis_id:0:12}/json"

# --- other versions and other spellings of an allowed path ------------------------------------

for target in \
  /v1.23/containers/carstore-redis/json \
  /v1.24/containers/carstore-redis/json \
  /v1.40/containers/carstore-redis/json \
  /v1.42/containers/carstore-redis/json \
  /v1.41.0/containers/carstore-redis/json \
  /containers/carstore-redis/../carstore-prometheus/json \
  /v1.41/containers/carstore-redis/../carstore-x/json \
  /containers/carstore-redis/%2e%2e/carstore-prometheus/json \
  /containers/carstore-redis/..%2fcarstore-prometheus/json \
  /v1.41/containers/carstore%2Dredis/json \
  /containers/carstore-redi%73/json \
  /./containers/carstore-redis/json \
  //containers/carstore-redis/json \
  //v1.41/containers/carstore-redis/json \
  /v1.41//containers/carstore-redis/json \
  /containers//carstore-redis/json \
  /containers/carstore-redis/json/ \
  '/containers/carstore-redis/json?' \
  /V1.41/containers/carstore-redis/json \
  /containers/CARSTORE-REDIS/json \
  /containers/carstore-redis/json%00 \
  http://docker/containers/carstore-prometheus/json \
  ; do
  refused "GET $target" GET "$target"
done

# --- other methods ----------------------------------------------------------------------------

refused "lower-case get of an allowed inspect" get /containers/carstore-redis/json
refused "lower-case post of an allowed restart" post '/containers/carstore-redis/restart?t=10'
refused "Get (mixed case)" Get /containers/carstore-redis/json
refused "HEAD of an allowed inspect" HEAD /containers/carstore-redis/json
refused "PUT /containers/carstore-redis/archive?path=/data" PUT '/containers/carstore-redis/archive?path=/data' "" '{}'
refused "DELETE /containers/carstore-redis?force=1" DELETE '/containers/carstore-redis?force=1'
refused "OPTIONS of an allowed inspect" OPTIONS /containers/carstore-redis/json
refused "GET of an allowed start" GET /containers/carstore-redis/start
refused "POST of an allowed inspect" POST /containers/carstore-redis/json
refused "a GET with a body" GET /containers/carstore-redis/json "" '{"x":1}'

# Two requests on one connection: the second is judged on its own.
got=$( { printf 'GET /containers/carstore-redis/json HTTP/1.1\r\nHost: docker\r\n\r\n'
         request GET '/containers/json?all=1'; } |
  docker exec -i "$INSIDER" bash -c 'exec 3<>/dev/tcp/docker-proxy/2375; cat >&3; timeout 5 cat <&3' 2>/dev/null |
  grep -a '^HTTP/' | cut -d' ' -f2 | xargs || true)
[ "$got" = "200 403" ] && r=0 || r=1
check $r "an allowed inspect, then a listing, pipelined on one connection" "statuses: $got"

# --- the calls carstore makes still work ------------------------------------------------------

allowed "inspect GET /containers/carstore-redis/json" 200 GET /containers/carstore-redis/json
allowed "inspect GET /v1.41/containers/carstore-rabbitmq/json" 200 GET /v1.41/containers/carstore-rabbitmq/json
allowed "logs GET /containers/carstore-redis/logs?$LOGS_QUERY" 200 GET "/containers/carstore-redis/logs?$LOGS_QUERY"
resumed="${LOGS_QUERY/since=0/since=$(date +%s)}"
allowed "logs, a follow resumed: since=<now>, tail=all" 200 GET "/containers/carstore-rabbitmq/logs?${resumed%200}all"
allowed "restart POST /containers/carstore-redis/restart?t=10" 204 POST '/containers/carstore-redis/restart?t=10' "Content-Length: 0$CRLF"
healthy_again carstore-redis

# --- secrets: none readable through the proxy, nor in any container's configuration -----------

declare -A secrets
for name in postgres-superuser postgres-carstore redis rabbitmq grafana-admin; do
  secrets[$name]=$(secret "$name")
  [ "${#secrets[$name]}" -ge 16 ] || broken "the generated $name password" "only ${#secrets[$name]} characters"
done
for container in carstore-postgres carstore-redis carstore-rabbitmq; do
  body=$(request GET "/containers/$container/json" |
    docker exec -i "$INSIDER" bash -c 'exec 3<>/dev/tcp/docker-proxy/2375; cat >&3; cat <&3' 2>/dev/null | tr -d '\r')
  status=$(head -1 <<<"$body" | cut -d' ' -f2)
  found=()
  for name in "${!secrets[@]}"; do
    [[ $body != *"${secrets[$name]}"* ]] || found+=("$name")
  done
  [ "$status" = 200 ] && [ ${#found[@]} = 0 ] && r=0 || r=1
  check $r "GET /containers/$container/json through the proxy, searched (Env, Cmd, Args, Mounts, all of it) for the 5 generated passwords" \
    "$status, ${#body} bytes, found: ${found[*]:-none}"
done
everything=$(docker inspect $(docker ps -aq --filter label=com.docker.compose.project=carstore))
found=()
for name in "${!secrets[@]}"; do
  [[ $everything != *"${secrets[$name]}"* ]] || found+=("$name")
done
[ ${#found[@]} = 0 ] && r=0 || r=1
check $r "docker inspect of every container of the stack (on the host), searched for them" "found: ${found[*]:-none}"
got=$(docker inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' carstore-redis)
[[ $got != *"${secrets[redis]}"* && $got == *redis.conf* ]] && r=0 || r=1
check $r "Redis's command (the password is in the config file it names)" "$got"

# --- published ports and default logins -------------------------------------------------------

ports=$(docker ps --filter label=com.docker.compose.project=carstore \
  --format '{{.Names}} {{.Ports}}' | grep -oE '[^ ]+:[0-9]+->[0-9]+/tcp' | sort -u | xargs || true)
[ -n "$ports" ] && ! grep -qvE '^127\.0\.0\.1:' <<<"${ports// /$'\n'}" && r=0 || r=1
check $r "every published port of the stack bound to 127.0.0.1 only" "$ports"
mgmt=${RABBITMQ_MANAGEMENT_PORT:-15672}
for login in guest:guest carstore:carstore admin:admin carstore:guest; do
  got=$(curl -s -o /dev/null -w '%{http_code}' -u "$login" "http://127.0.0.1:$mgmt/api/whoami" || true)
  [ "$got" = 401 ] && r=0 || r=1
  check $r "RabbitMQ management on 127.0.0.1:$mgmt as $login" "$got"
done
got=$(curl -s -u "carstore:${secrets[rabbitmq]}" "http://127.0.0.1:$mgmt/api/whoami" || true)
users=$(curl -s -o /dev/null -w '%{http_code}' -u "carstore:${secrets[rabbitmq]}" "http://127.0.0.1:$mgmt/api/users" || true)
[[ $got == *'"tags":["management"]'* && $users =~ ^40[13]$ ]] && r=0 || r=1
check $r "RabbitMQ management as carstore with its generated password: whoami, then the user list" "$got; /api/users $users"
got=$(docker exec carstore-rabbitmq rabbitmqctl -q list_permissions | tr '\t\n' '  ' || true)
expected='user configure write read carstore ^orders(\.dlq)?$ ^(orders(\.dlq)?|amq\.default)$ ^(orders(\.dlq)?|amq\.default)$'
[[ $got == "$expected"* ]] && r=0 || r=1
check $r "carstore's RabbitMQ permissions (rabbitmqctl list_permissions)" "$got"
held "Grafana as admin/admin" "skipped: Grafana has no stand-in (no Grafana server is packaged by Debian or the language registries, and no container registry is reachable), so it does not run here; its admin password comes from the same generated file"
for guess in "" admin changeme carstore; do
  got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"token\":\"$guess\"}" http://127.0.0.1:8000/api/admin/login || true)
  [ "$got" = 401 ] && r=0 || r=1
  check $r "the store's admin sign-in (POST :8000/api/admin/login) with token \"$guess\"" "$got"
done
got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"token\":\"$token\"}" http://127.0.0.1:8000/api/admin/login || true)
[ "$got" = 200 ] && r=0 || r=1
check $r "the store's admin sign-in with the stack's own token (the endpoint is the right one)" "$got"
got=$(docker exec "$OUTSIDER" bash -c 'exec 3<>/dev/tcp/redis/6379; printf "PING\r\nAUTH carstore\r\nAUTH default redis\r\nKEYS *\r\n" >&3; for i in 1 2 3 4; do IFS= read -r -t 5 l <&3; printf "%s; " "${l%$'"'\r'"'}"; done' 2>&1)
[[ $got == "-NOAUTH"*"-WRONGPASS"*"-WRONGPASS"*"-NOAUTH"* ]] && r=0 || r=1
check $r "Redis from the stack's network: PING, AUTH carstore, AUTH default redis, KEYS *" "$got"
got=$(docker exec -e REDISCLI_AUTH="${secrets[redis]}" carstore-redis redis-cli config get maxmemory-policy | xargs)
[ "$got" = "maxmemory-policy noeviction" ] && r=0 || r=1
check $r "Redis's eviction policy" "$got"
for login in postgres:postgres postgres:carstore carstore:carstore postgres:; do
  got=$(docker exec -e PGPASSWORD="${login#*:}" -e PGCONNECT_TIMEOUT=5 "$OUTSIDER" \
    psql -h postgres -U "${login%%:*}" -d carstore -Atc 'select current_user' 2>&1 | tail -1 || true)
  [[ $got == *"password authentication failed"* || $got == *"no password supplied"* ]] && r=0 || r=1
  check $r "Postgres from the stack's network as ${login%%:*} with password \"${login#*:}\"" "$got"
done
got=$(docker exec -e PGPASSWORD="${secrets[postgres-carstore]}" "$OUTSIDER" \
  psql -h postgres -U carstore -d postgres -Atc 'select 1' 2>&1 | sed 's/^psql: error: //' | tr -s '\n ' '  ' || true)
[[ $got == *"permission denied"* ]] && r=0 || r=1
check $r "Postgres as carstore (its real password) into the database postgres" "$got"
got=$(docker exec carstore-postgres psql -U postgres -d carstore -Atc "
  select 'superuser ' || rolsuper || ', createrole ' || rolcreaterole || ', createdb ' || rolcreatedb
    || '; owns schemas: ' || (select string_agg(nspname, ',') from pg_namespace where nspowner = r.oid)
    || '; its tables: ' || (select count(*) || ' in ' || string_agg(distinct schemaname, ',') from pg_tables where tableowner = 'carstore')
  from pg_roles r where rolname = 'carstore'")
[[ $got == "superuser false, createrole false, createdb false; owns schemas: carstore; its tables: "*" in carstore" ]] && r=0 || r=1
check $r "carstore's Postgres role" "$got"
got=$(docker inspect -f 'read-only root {{.HostConfig.ReadonlyRootfs}}, cap_drop {{.HostConfig.CapDrop}}, cap_add {{.HostConfig.CapAdd}}, security_opt {{.HostConfig.SecurityOpt}}, memory {{.HostConfig.Memory}}, user {{.Config.User}}' carstore)
[[ $got == "read-only root true, cap_drop [ALL], cap_add [], security_opt [no-new-privileges:true], memory "[1-9]* ]] && r=0 || r=1
check $r "carstore's container" "$got"

stack_down
say "the security tier's stack part: $(since "$started") s, $FAILURES failed"
[ "$FAILURES" = 0 ] || { echo "FAILED: $FAILURES of the security checks above" >&2; exit 1; }
