# Makes carstore's secret files from the demo's passwords, in an init container of each carstore
# pod: the services' URLs (each with its password) and, for the store, the admin token and
# RabbitMQ's management URL. They go to an in-memory volume the carstore container reads through
# its *_FILE variables, readable by carstore's user alone.
#   PASSWORDS  the Secret's keys, mounted
#   OUT        where the files go
#   STORE      "true" for the store (token and management URL), else the worker
set -eu
umask 077
for name in POSTGRES_CARSTORE_PASSWORD REDIS_PASSWORD RABBITMQ_CARSTORE_PASSWORD; do
  value=$(cat "$PASSWORDS/$name")
  case $value in
    '' | *[!0-9A-Za-z]*)
      echo "$name in the demo's secrets.env: letters and digits only (openssl rand -hex 32)" >&2
      exit 1
      ;;
  esac
done
postgres=$(cat "$PASSWORDS/POSTGRES_CARSTORE_PASSWORD")
redis=$(cat "$PASSWORDS/REDIS_PASSWORD")
rabbitmq=$(cat "$PASSWORDS/RABBITMQ_CARSTORE_PASSWORD")
printf 'postgres://carstore:%s@postgres:5432/carstore\n' "$postgres" >"$OUT/DATABASE_URL"
printf 'redis://:%s@redis:6379\n' "$redis" >"$OUT/REDIS_URL"
printf 'amqp://carstore:%s@rabbitmq:5672/%%2f\n' "$rabbitmq" >"$OUT/AMQP_URL"
if [ "${STORE:-}" = true ]; then
  printf 'http://carstore:%s@rabbitmq:15672\n' "$rabbitmq" >"$OUT/CARSTORE_RABBIT_MANAGEMENT_URL"
  cat "$PASSWORDS/CARSTORE_ADMIN_TOKEN" >"$OUT/CARSTORE_ADMIN_TOKEN"
fi
