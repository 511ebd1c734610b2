#!/usr/bin/env bash
# Prepares the database (migrations, roles, demo city on first start) and runs the web
# server, Celery worker, Celery beat and the SMTP sink in the foreground. Ctrl-C stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export MALHA_WEB_HOST="${MALHA_WEB_HOST:-127.0.0.1}"
PY=.venv/bin/python

$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY manage.py load_demo --if-empty

cat <<MSG

  Malha is starting at  http://$MALHA_WEB_HOST:$MALHA_WEB_PORT/
  API docs:             http://$MALHA_WEB_HOST:$MALHA_WEB_PORT/api/docs/
  Admin:                http://$MALHA_WEB_HOST:$MALHA_WEB_PORT/admin/
  Outgoing e-mail:      $MALHA_VAR/mail/new/ (a Maildir: one file per message, from the
                        local SMTP sink on port $MALHA_SMTP_PORT)

$($PY manage.py demo_logins)

  Ctrl-C stops the web server, worker, beat and SMTP sink;
  PostgreSQL and Redis keep running until \`make stop\`.

MSG
exec .venv/bin/honcho -f Procfile start
