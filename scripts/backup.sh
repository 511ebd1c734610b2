#!/usr/bin/env bash
# backup.sh [DIR]: everything an ISP needs to come back after losing the server, in one folder
# (default .var/backups/<date-time>/): the database (pg_dump custom format, PostGIS included),
# the uploaded files (photos, signatures, proposal attachments) and the secret key (without it
# opt-out and invoice links already sent stop working). Copy the folder off this machine: it
# holds personal data and the key, so keep it where only administrators can read it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
media="${MEDIA_ROOT:-$MALHA_VAR/media}"
dir="${1:-$MALHA_VAR/backups/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$dir"
chmod 700 "$dir"
pg_dump --format=custom --no-owner --file="$dir/database.dump" "${DATABASE_URL/postgis:/postgresql:}"
mkdir -p "$media"
tar -czf "$dir/media.tar.gz" -C "$media" .
if [ -z "${SECRET_KEY:-}" ] && [ -f "$MALHA_VAR/secret_key" ]; then
  install -m 600 "$MALHA_VAR/secret_key" "$dir/secret_key"
fi
(cd "$dir" && sha256sum database.dump media.tar.gz $( [ -f secret_key ] && echo secret_key ) > SHA256SUMS)
echo "Backup written to $dir"
