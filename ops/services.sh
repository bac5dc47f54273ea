#!/usr/bin/env bash
# Makes sure the services the tests talk to are installed and answering on this machine:
# PostgreSQL (127.0.0.1:5432, trust auth for local TCP), Redis (127.0.0.1:6379), RabbitMQ
# (127.0.0.1:5672, guest/guest). Installs missing ones from Debian's packages (as root) and
# starts any that is down; never stops one.
set -euo pipefail

say() { printf '   %s\n' "$*"; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # name port seconds
  for _ in $(seq 1 $(($3 * 5))); do answers "$2" && return 0; sleep 0.2; done
  echo "ops/services.sh: $1 did not answer on 127.0.0.1:$2 within $3 s" >&2
  return 1
}

install_missing() {
  local packages=()
  command -v pg_ctlcluster >/dev/null || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  command -v rabbitmq-server >/dev/null || packages+=(rabbitmq-server)
  ((${#packages[@]})) || return 0
  say "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [[ " ${packages[*]} " == *" postgresql "* ]]; then
    # A fresh cluster asks for passwords on TCP; the tests connect as postgres without one.
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf)
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main restart 2>/dev/null || true
  fi
}

start_postgres() {
  answers 5432 && return 0
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_for PostgreSQL 5432 30
}

start_redis() {
  answers 6379 && return 0
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis 6379 30
}

start_rabbitmq() {
  answers 5672 && return 0
  say "starting RabbitMQ"
  rabbitmq-server -detached
  wait_for RabbitMQ 5672 90
}

# The management API lists every queue of the vhost on the dashboard (port 15672).
enable_rabbitmq_management() {
  answers 15672 && return 0
  say "enabling RabbitMQ's management API"
  rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
  wait_for "RabbitMQ management" 15672 60
}

if [ "$(id -u)" != 0 ]; then
  echo "ops/services.sh: run as root (it installs and starts services)" >&2
  exit 1
fi
install_missing
start_postgres
start_redis
start_rabbitmq
enable_rabbitmq_management
command -v redis-cli >/dev/null && command -v rabbitmqctl >/dev/null
say "PostgreSQL, Redis, RabbitMQ and its management API are answering"
