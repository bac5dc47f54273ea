#!/usr/bin/env bash
# Shows that the store's tables stop growing under steady load: two release stores with short
# retentions, one on Postgres + Redis + RabbitMQ and one embedded (SQLite, in-process queue),
# each under `carstore load` for ten minutes, with their row counts sampled every 30 s into
# ops/bench/RETENTION.md. Too long for the test command; run it by hand after a change to the
# janitor or the retentions:
#
#   ops/bench/retention.sh            the full run: a release build, 10 minutes, 60 s retentions
#   ops/bench/retention.sh --smoke    40 s, 5 s retentions, a debug build, the table to a
#                                     temporary file: checks the script, not the store
#
# Needs the shared Postgres, Redis and RabbitMQ on their usual ports (ops/services.sh starts
# them) and psql, redis-cli, rabbitmqctl and sqlite3. Everything it creates is its own (a
# database, a Redis prefix and a queue named after its process id) and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=600 SAMPLE=30 RETENTION=60s OUT=ops/bench/RETENTION.md SMOKE=false
# Modest open-model load, heavy on writes: the machine builds while this runs.
FULL_RATE=40 EMBEDDED_RATE=20
MIX="browse=2,view=1,add_to_cart=3,checkout=2"
if [ "${1:-}" = "--smoke" ]; then
  DURATION=40 SAMPLE=10 RETENTION=5s SMOKE=true
  OUT=${RETENTION_OUT:-$(mktemp --suffix=.md)}
fi
WORK=$(mktemp -d)

say() { printf '== %s\n' "$*" >&2; }
# The stores (and their database, Redis prefix and queue) are the shared helper's; the load
# runs are this script's own.
source ops/lib/store.sh
store_init retention
cleanup() {
  local status=$?
  [ "$BASHPID" = "$$" ] || return 0 # subshells inherit the trap; only the script cleans up
  if [ -f "$WORK/pids" ]; then xargs -r kill <"$WORK/pids" 2>/dev/null || true; fi
  store_cleanup || status=1
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for svc in PostgreSQL:5432 Redis:6379 RabbitMQ:5672; do
  answers "${svc#*:}" || { echo "${svc%:*} is not answering on 127.0.0.1:${svc#*:}; start it with ops/services.sh" >&2; exit 1; }
done

if [ -n "${RETENTION_BIN:-}" ]; then
  BIN=$RETENTION_BIN
elif $SMOKE; then
  cargo build --quiet --locked --bin carstore
  BIN=target/debug/carstore
else
  say "building the release binary"
  cargo build --quiet --release --locked --bin carstore
  BIN=target/release/carstore
fi

# Both stores with short retentions; the full one on Postgres, Redis and RabbitMQ, with a
# database, key prefix and queue of its own.
RETENTIONS=(CARSTORE_CART_RETENTION="$RETENTION" CARSTORE_IDEMPOTENCY_RETENTION="$RETENTION"
  CARSTORE_OUTBOX_RETENTION="$RETENTION" CARSTORE_LOG=info)
store_start full "$BIN" --postgres --redis --rabbitmq "${RETENTIONS[@]}"
FULL=$STORE_URL DB=$STORE_DATABASE PREFIX=$STORE_REDIS_PREFIX
store_start embedded "$BIN" "${RETENTIONS[@]}"
EMBEDDED=$STORE_URL EMBEDDED_DB="$STORE_DATA_DIR/carstore.db"
say "full store at $FULL, embedded store at $EMBEDDED; ${DURATION} s of load, ${RETENTION} retentions"

pg() { psql -h 127.0.0.1 -U postgres -d "$DB" -AtX -c "$1"; }
lite() { sqlite3 -readonly -cmd ".timeout 5000" "$EMBEDDED_DB" "$1"; }
# One row: orders, outbox rows (sent), idempotency keys, carts, for both stores.
sample() {
  local full emb carts
  full=$(pg "SELECT (SELECT COUNT(*) FROM orders) || ' | ' || (SELECT COUNT(*) FROM outbox) || ' (' ||
             (SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL) || ') | ' || (SELECT COUNT(*) FROM idempotency_keys)")
  carts=$(redis-cli --scan --pattern "${PREFIX}cart:*" | wc -l)
  emb=$(lite "SELECT (SELECT COUNT(*) FROM orders) || ' | ' || (SELECT COUNT(*) FROM outbox) || ' (' ||
              (SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL) || ') | ' || (SELECT COUNT(*) FROM idempotency_keys) || ' | ' ||
              (SELECT COUNT(DISTINCT session_id) FROM cart_items) || ' (' || (SELECT COUNT(*) FROM cart_items) || ')'")
  echo "| $1 | $full | $carts | $emb |"
}
pruned() { curl -sf --max-time 10 "$1/metrics" | awk -v t="$2" -F' ' \
  'index($1, "carstore_rows_pruned_total{table=\"" t "\"}") == 1 { print $2 }'; }

# The load runs end by themselves; the timeout is a deadline in case one does not.
timeout $((DURATION + 60)) "$BIN" load --url "$FULL" --duration "${DURATION}s" --rate "$FULL_RATE" --mix "$MIX" \
  --json >"$WORK/load-full.json" 2>"$WORK/load-full.err" &
echo $! >>"$WORK/pids"
timeout $((DURATION + 60)) "$BIN" load --url "$EMBEDDED" --duration "${DURATION}s" --rate "$EMBEDDED_RATE" --mix "$MIX" \
  --json >"$WORK/load-embedded.json" 2>"$WORK/load-embedded.err" &
echo $! >>"$WORK/pids"
STARTED=$(date +%s)
: >"$WORK/rows"
for t in $(seq 0 "$SAMPLE" "$DURATION"); do
  while [ $(($(date +%s) - STARTED)) -lt "$t" ]; do sleep 0.5; done
  sample "$t" | tee -a "$WORK/rows" >&2
done
wait "$(sed -n 1p "$WORK/pids")" "$(sed -n 2p "$WORK/pids")" || true

summary() { python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
done = sum(c["count"] for c in r["by_route"] if c["route"] == "POST /api/checkout" and c["status"] == 201)
print(f'{r["requests"]} requests, {done} orders, {r["errors"]} errors')
PY
}
# Whether a column stopped growing: its change over the second half of the run is within a
# quarter of its value at half time (plus a little for the sampling moment).
verdict() { awk -F'|' -v col="$1" '
  { gsub(/\(.*\)/, "", $col); v[NR] = $col + 0 }
  END { mid = v[int((NR + 1) / 2)]; last = v[NR]; d = last - mid; if (d < 0) d = -d;
        printf "%d at half time, %d at the end: %s", mid, last, (d <= mid / 4 + 20 ? "levelled off" : "**still growing**") }' "$WORK/rows"; }

{
  echo "# Row counts under steady load, with short retentions"
  echo
  $SMOKE && echo "_Smoke run: ${DURATION} s; these figures mean nothing._" && echo
  echo "- machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); other builds were running"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); version: $("$BIN" --version)"
  echo "- method: \`ops/bench/retention.sh\`: two stores with \`CARSTORE_{CART,IDEMPOTENCY,OUTBOX}_RETENTION=$RETENTION\`"
  echo "  (the janitor then looks every $(( ${RETENTION%s} / 10 > 0 ? ${RETENTION%s} / 10 : 1 )) s), each under \`carstore load --rate <r> --mix $MIX\`"
  echo "  for $DURATION s: the full store (Postgres, Redis, RabbitMQ) at $FULL_RATE scenarios/s, the embedded"
  echo "  store (SQLite, in-process queue) at $EMBEDDED_RATE; counts sampled every $SAMPLE s"
  echo "- load on the full store: $(summary "$WORK/load-full.json"); on the embedded store: $(summary "$WORK/load-embedded.json")"
  echo "- rows pruned (\`carstore_rows_pruned_total\`): full store outbox $(pruned "$FULL" outbox), idempotency keys $(pruned "$FULL" idempotency_keys);"
  echo "  embedded store outbox $(pruned "$EMBEDDED" outbox), idempotency keys $(pruned "$EMBEDDED" idempotency_keys), cart lines $(pruned "$EMBEDDED" cart_items)"
  echo
  echo "Orders are records and keep growing; everything else should level off at about a retention's worth of traffic."
  echo
  echo "| s | orders | outbox (sent) | idempotency keys | Redis carts | embedded: orders | outbox (sent) | idempotency keys | carts (lines) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  cat "$WORK/rows"
  echo
  echo "- full store outbox: $(verdict 4); idempotency keys: $(verdict 5); Redis carts: $(verdict 6)"
  echo "- embedded outbox: $(verdict 8); idempotency keys: $(verdict 9); carts: $(verdict 10)"
  echo "- orders (for contrast): full $(verdict 3 | sed 's/: .*//'), embedded $(verdict 7 | sed 's/: .*//')"
} >"$OUT"
say "results in $OUT"
cat "$OUT"
