#!/usr/bin/env bash
# As the redis image: a bare `redis-server` listens for other containers, as the redis user.
set -euo pipefail
if [ "${1:-}" = redis-server ]; then
  set -- "$@" --protected-mode no
  [ "$(id -u)" = 0 ] && exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
