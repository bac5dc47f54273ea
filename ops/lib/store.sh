# shellcheck shell=bash
# Sourced by the bash scripts that start stores of their own (ops/bench/retention.sh,
# ops/contract/schemathesis.sh): the same helper as the benchmark's (ops/lib/store.py), which
# starts each store on a port of its own, waits for it with a deadline (a failure shows the end of
# its log), and on the way out stops every store and removes every database, Redis key prefix and
# queue it made, then checks they are gone. The caller has set -euo pipefail and is in the
# repository's root.
#
#   store_init TAG                     once, first; sets an EXIT trap that calls store_cleanup
#                                      (a caller with its own cleanup calls store_cleanup in it
#                                      and sets its trap after this)
#   store_start NAME BIN [--postgres] [--redis] [--rabbitmq] [--ready services] [KEY=VALUE ...]
#                                      sets STORE_URL, STORE_PORT, STORE_PID, STORE_LOG,
#                                      STORE_DATA_DIR, STORE_DATABASE, STORE_REDIS_PREFIX,
#                                      STORE_QUEUE; exits the script if the store never gets ready.
#                                      Call it directly, not in $(...), or the variables are lost.
#   store_stop NAME                    stops one store early
#   store_cleanup                      stops them all and removes what was made for them

STORE_PY=ops/lib/store.py

store_init() { # tag
  STORE_STATE=$(mktemp -d)
  STORE_TAG=$1
  trap 'store_exit' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

store_exit() {
  local status=$?
  [ "$BASHPID" = "$$" ] || return 0 # only the script itself cleans up, never a subshell
  store_cleanup || status=1
  exit "$status"
}

store_start() { # name binary [options] [KEY=VALUE ...]
  local name=$1 bin=$2 out key value
  shift 2
  out=$(python3 "$STORE_PY" start --state "$STORE_STATE" --tag "$STORE_TAG" --name "$name" \
    --bin "$bin" "$@") || exit 1
  # shellcheck disable=SC2034 # set for the caller
  STORE_URL='' STORE_PORT='' STORE_PID='' STORE_LOG='' STORE_DATA_DIR='' STORE_DATABASE=''
  STORE_REDIS_PREFIX='' STORE_QUEUE=''
  # shellcheck disable=SC2034 # set for the caller
  while IFS='=' read -r key value; do
    case $key in
      url) STORE_URL=$value ;;
      port) STORE_PORT=$value ;;
      pid) STORE_PID=$value ;;
      log) STORE_LOG=$value ;;
      data_dir) STORE_DATA_DIR=$value ;;
      database) STORE_DATABASE=$value ;;
      redis_prefix) STORE_REDIS_PREFIX=$value ;;
      queue) STORE_QUEUE=$value ;;
    esac
  done <<<"$out"
  [ -n "$STORE_URL" ] || { echo "FAILED: the store helper printed no URL for $name" >&2; exit 1; }
}

store_stop() { # name
  python3 "$STORE_PY" stop --state "$STORE_STATE" --name "$1"
}

# Safe to call twice, and from a trap: the second call finds nothing left.
store_cleanup() {
  [ "$BASHPID" = "$$" ] || return 0
  [ -n "${STORE_STATE:-}" ] && [ -d "$STORE_STATE" ] || return 0
  local status=0
  python3 "$STORE_PY" cleanup --state "$STORE_STATE" || status=1
  rm -rf "$STORE_STATE"
  return "$status"
}
