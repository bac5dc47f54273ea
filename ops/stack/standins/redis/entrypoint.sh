#!/usr/bin/env bash
# As the redis image: `redis-server [file.conf] [--options]` (or just `file.conf` or `--options`)
# runs as the redis user (uid 999) and listens for other containers (protected mode off, which
# the redis image builds in; a requirepass in the config file still applies).
set -euo pipefail
if [ "${1#-}" != "${1:-}" ] || [ "${1%.conf}" != "${1:-}" ]; then
  set -- redis-server "$@"
fi
if [ "${1:-}" = redis-server ]; then
  set -- "$@" --protected-mode no
  [ "$(id -u)" = 0 ] && exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
