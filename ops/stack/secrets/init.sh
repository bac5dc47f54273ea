#!/bin/sh
# The demo stack's secrets, made by compose's one-shot `secrets` service before anything else
# starts (every service that needs one waits for it to exit 0):
#
#   init   (the default) on first `up`, one random password per login into the `secrets` volume,
#          which nothing else mounts; never made again while it is there. Then, on every `up`,
#          each service's own volume gets only the files that service reads, owned by the user
#          it runs as, mode 0400:
#            postgres   superuser_password (POSTGRES_PASSWORD_FILE), carstore_password (read by
#                       the init script that creates carstore's role)
#            redis      redis.conf (requirepass), the config file redis-server is started with
#            rabbitmq   rabbitmq.conf (default_user carstore, its password, tag and permissions)
#            grafana    admin_password (GF_SECURITY_ADMIN_PASSWORD__FILE)
#            carstore   database_url, redis_url, amqp_url, rabbit_management_url (the *_FILE
#                       settings)
#          No password is ever in a container's environment or command line, where the Docker
#          API (docker inspect) shows it.
#   show   print the logins a person may need (docker compose run --rm secrets show)
#
# POSTGRES_PASSWORD (the superuser's), REDIS_PASSWORD, RABBITMQ_PASSWORD (carstore's RabbitMQ
# user, which the management UI also takes) and GRAFANA_ADMIN_PASSWORD may be given instead of
# generated: 12 or more of A-Z a-z 0-9 . _ ~ - (they go into URLs and config files unquoted).
# A well-known default (admin, guest, carstore, ...) is refused, and with it the whole stack:
# it would be a login anyone can guess, and CARSTORE_PUBLISH_ADDRESS may publish it to the
# network. carstore's own database password is always generated: nobody types it.
set -eu
umask 077

STORE=/secrets
OUT=/run/carstore-secrets
# The users the official images run as (and the stand-ins copy): postgres, redis and rabbitmq
# 999, grafana 472 (group root), carstore 10001 (ops/Dockerfile).
DEFAULTS="admin administrator carstore guest postgres password passw0rd redis rabbitmq grafana secret changeme change-me letmein root toor test 123456 12345678 default"

fail() {
  echo "carstore secrets: $*" >&2
  exit 1
}

generate() { # 32 random letters and digits
  tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32
}

# One login's password: the stored one, else the user's (checked), else a new random one.
password() { # file [variable-name]
  file=$STORE/$1
  given=
  [ -z "${2:-}" ] || eval "given=\${$2:-}"
  if [ -n "$given" ]; then
    for known in $DEFAULTS; do
      if [ "$(printf %s "$given" | tr 'A-Z' 'a-z')" = "$known" ]; then
        fail "$2 is \"$given\", a well-known default password, and the stack does not start with one (ports are published on ${CARSTORE_PUBLISH_ADDRESS:-127.0.0.1}; with CARSTORE_PUBLISH_ADDRESS they reach other machines). Unset $2 to have a random password generated (read it with: docker compose run --rm secrets show), or set another."
      fi
    done
    case "$given" in
      *[!A-Za-z0-9._~-]*) fail "$2 may hold only letters, digits and . _ ~ - (it goes into URLs and config files unquoted)" ;;
    esac
    [ "${#given}" -ge 12 ] || fail "$2 is shorter than 12 characters; unset it to have one generated"
    if [ -s "$file" ] && [ "$(cat "$file")" != "$given" ]; then
      fail "$2 differs from the password this stack was first started with, which its data already uses; unset it, or start over with: docker compose down -v"
    fi
  fi
  if [ ! -s "$file" ]; then
    if [ -n "$given" ]; then printf %s "$given" >"$file.new"; else generate >"$file.new"; fi
    mv "$file.new" "$file"
    echo "carstore secrets: $1 $( [ -n "$given" ] && echo "set from $2" || echo generated)" >&2
  fi
  cat "$file"
}

# Writes one service's file whole (a new file renamed over the old), for its user only.
put() { # path owner content
  printf '%s\n' "$3" >"$1.new"
  chmod 0400 "$1.new"
  chown "$2" "$1.new"
  mv "$1.new" "$1"
}

init() {
  postgres_super=$(password postgres-superuser POSTGRES_PASSWORD)
  postgres_carstore=$(password postgres-carstore)
  redis=$(password redis REDIS_PASSWORD)
  rabbitmq=$(password rabbitmq RABBITMQ_PASSWORD)
  grafana=$(password grafana-admin GRAFANA_ADMIN_PASSWORD)

  put "$OUT/postgres/superuser_password" 999:999 "$postgres_super"
  put "$OUT/postgres/carstore_password" 999:999 "$postgres_carstore"

  put "$OUT/redis/redis.conf" 999:999 "# Written by the stack's secrets service on every start; the password is kept in its volume.
requirepass $redis"

  # carstore's user: the `management` tag lets it list its vhost's queues through the
  # management API (the dashboard's queue panel), nothing more: no `administrator`, so it can
  # neither see nor change users, permissions or other vhosts. Its permissions cover only the
  # queues it declares and consumes (CARSTORE_ORDERS_QUEUE's default `orders`, and `orders.dlq`)
  # and publishing through the default exchange. read and write are the same pattern because
  # some RabbitMQ releases swap the two when reading them from this file. No `guest` is made.
  put "$OUT/rabbitmq/rabbitmq.conf" 999:999 "# Written by the stack's secrets service on every start; the password is kept in its volume.
default_user = carstore
default_pass = $rabbitmq
default_user_tags.management = true
default_permissions.configure = ^orders(\\.dlq)?\$
default_permissions.read = ^(orders(\\.dlq)?|amq\\.default)\$
default_permissions.write = ^(orders(\\.dlq)?|amq\\.default)\$"

  put "$OUT/grafana/admin_password" 472:0 "$grafana"

  put "$OUT/carstore/database_url" 10001:10001 "postgres://carstore:$postgres_carstore@postgres:5432/carstore"
  put "$OUT/carstore/redis_url" 10001:10001 "redis://:$redis@redis:6379"
  put "$OUT/carstore/amqp_url" 10001:10001 "amqp://carstore:$rabbitmq@rabbitmq:5672/%2f"
  put "$OUT/carstore/rabbit_management_url" 10001:10001 "http://carstore:$rabbitmq@rabbitmq:15672"
  echo "carstore secrets: each service's files are in place"
}

show() {
  [ -s "$STORE/rabbitmq" ] || fail "no secrets yet: start the stack once (docker compose up)"
  echo "Grafana            admin / $(cat "$STORE/grafana-admin")"
  echo "RabbitMQ UI, AMQP  carstore / $(cat "$STORE/rabbitmq")"
  echo "PostgreSQL         postgres / $(cat "$STORE/postgres-superuser")  (superuser; carstore's own role: carstore / $(cat "$STORE/postgres-carstore"))"
  echo "Redis              (default user) / $(cat "$STORE/redis")"
}

case "${1:-init}" in
  init) init ;;
  show) show ;;
  *) fail "usage: init | show" ;;
esac
