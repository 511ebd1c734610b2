#!/usr/bin/env bash
# Starts or stops the project's own PostgreSQL/PostGIS cluster and Redis: data under
# .var/, loopback only, their own ports, no system service. `services.sh start|stop|status`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

PGBIN=/usr/lib/postgresql/15/bin
PGDATA="$MALHA_VAR/pg"
LOGDIR="$MALHA_VAR/log"
REDIS_DIR="$MALHA_VAR/redis"

# initdb refuses to run as root: as root the cluster belongs to Debian's postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_data_dir() {
  mkdir -p "$MALHA_VAR" "$LOGDIR"
  if [ "$(id -u)" -eq 0 ] && [ ! -e "$PGDATA" ]; then
    if ! runuser -u postgres -- test -x "$MALHA_VAR"; then
      # The checkout lies where postgres cannot enter (e.g. under /root): keep the
      # cluster in postgres' home and link it from .var/pg.
      local real="/var/lib/postgresql/malha-$(echo "$MALHA_VAR" | sha1sum | cut -c1-12)"
      mkdir -p "$real" && ln -s "$real" "$PGDATA"
    else
      mkdir -p "$PGDATA"
    fi
  fi
  mkdir -p "$PGDATA"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$(readlink -f "$PGDATA")"
    touch "$LOGDIR/postgres.log" && chown postgres:postgres "$LOGDIR/postgres.log"
  fi
  chmod 700 "$(readlink -f "$PGDATA")"
}

pg_running() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

psql_admin() {
  as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MALHA_PG_PORT" -U postgres "$@"
}

start_postgres() {
  pg_data_dir
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    echo "==> Creating the PostgreSQL cluster in $PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $MALHA_PG_PORT
unix_socket_directories = '$(readlink -f "$PGDATA")'
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 200
CONF
  fi
  if ! pg_running; then
    echo "==> Starting PostgreSQL on 127.0.0.1:$MALHA_PG_PORT"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGDIR/postgres.log" -w -t 60 start >/dev/null
  fi
  if ! psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'malha'" | grep -q 1; then
    psql_admin -c "CREATE ROLE malha LOGIN SUPERUSER"
  fi
  if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'malha'" | grep -q 1; then
    psql_admin -c "CREATE DATABASE malha OWNER malha"
  fi
  psql_admin -d malha -c "CREATE EXTENSION IF NOT EXISTS postgis"
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$MALHA_REDIS_PORT" "$@"; }

start_redis() {
  mkdir -p "$REDIS_DIR" "$LOGDIR"
  if ! redis_cli ping >/dev/null 2>&1; then
    echo "==> Starting Redis on 127.0.0.1:$MALHA_REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$MALHA_REDIS_PORT" \
      --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$LOGDIR/redis.log" \
      --save "300 10" --protected-mode yes
    for _ in $(seq 50); do redis_cli ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_cli ping >/dev/null
  fi
}

stop_all() {
  if [ -f "$PGDATA/PG_VERSION" ] && pg_running; then
    echo "==> Stopping PostgreSQL"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  if redis_cli ping >/dev/null 2>&1; then
    echo "==> Stopping Redis"
    # A plain shutdown saves first and refuses when the data folder is gone: then drop it.
    redis_cli shutdown >/dev/null 2>&1 || redis_cli shutdown nosave >/dev/null 2>&1 || true
  fi
}

case "${1:-start}" in
  start) start_postgres; start_redis ;;
  stop) stop_all ;;
  status)
    pg_running && echo "PostgreSQL: running on $MALHA_PG_PORT" || echo "PostgreSQL: stopped"
    redis_cli ping >/dev/null 2>&1 && echo "Redis: running on $MALHA_REDIS_PORT" || echo "Redis: stopped" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
