#!/usr/bin/env bash
# restore.sh DIR --yes: puts back a backup made by backup.sh, REPLACING the current database,
# uploaded files and secret key. Stop `make run` first (Ctrl-C); PostgreSQL must be running
# (`make services`). Checks the backup's checksums before touching anything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dir="${1:?usage: scripts/restore.sh BACKUP_DIR --yes}"
if [ "${2:-}" != "--yes" ]; then
  echo "This replaces the database, the uploaded files and the secret key with those in $dir." >&2
  echo "Run again with --yes to go on." >&2
  exit 2
fi
(cd "$dir" && sha256sum --check --quiet SHA256SUMS)
url="${DATABASE_URL/postgis:/postgresql:}"
database="${url##*/}"
database="${database%%\?*}"
server="${url%/*}/postgres"
psql -X -q -v ON_ERROR_STOP=1 "$server" -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$database\""
pg_restore --no-owner --exit-on-error --dbname="$url" "$dir/database.dump"
media="${MEDIA_ROOT:-$MALHA_VAR/media}"
rm -rf "$media"
mkdir -p "$media"
tar -xzf "$dir/media.tar.gz" -C "$media"
if [ -f "$dir/secret_key" ] && [ -z "${SECRET_KEY:-}" ]; then
  install -m 600 "$dir/secret_key" "$MALHA_VAR/secret_key"
fi
echo "Restored $dir"
