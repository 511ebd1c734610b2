# Shared defaults for the project's own services. Everything can be overridden from
# the environment (point DATABASE_URL, REDIS_URL and EMAIL_* at your own servers).
export MALHA_VAR="${MALHA_VAR:-$PWD/.var}"
export MALHA_PG_PORT="${MALHA_PG_PORT:-55432}"
export MALHA_REDIS_PORT="${MALHA_REDIS_PORT:-56379}"
export MALHA_SMTP_PORT="${MALHA_SMTP_PORT:-8025}"
export MALHA_WEB_PORT="${MALHA_WEB_PORT:-8000}"
export DATABASE_URL="${DATABASE_URL:-postgis://malha@127.0.0.1:$MALHA_PG_PORT/malha}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$MALHA_REDIS_PORT/0}"
export EMAIL_HOST="${EMAIL_HOST:-127.0.0.1}"
export EMAIL_PORT="${EMAIL_PORT:-$MALHA_SMTP_PORT}"
