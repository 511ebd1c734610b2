#!/usr/bin/env bash
# Installs what Malha needs and is missing: Debian packages, the Python virtualenv
# and compiled translations. Idempotent and fast on a second run (stamp files in .var/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

APT_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib
  redis-server
  gdal-bin libgdal32 libgeos-c1v5 libproj25
  gettext
  chromium
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$MALHA_VAR"
stamp="$MALHA_VAR/venv.stamp"
want=$(sha1sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages into .venv"
  [ -x .venv/bin/python ] || python3.11 -m venv .venv
  .venv/bin/python - <<'PY' > "$MALHA_VAR/requirements.txt"
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for req in project["dependencies"] + project["optional-dependencies"]["test"]:
    print(req)
PY
  .venv/bin/pip install -q --disable-pip-version-check -r "$MALHA_VAR/requirements.txt"
  echo "$want" > "$stamp"
fi

# Compiled translations are build output, not source: rebuild when a .po changes.
po_hash=$(cat $(find . -path ./.venv -prune -o -name '*.po' -print | sort) 2>/dev/null | sha1sum | cut -d' ' -f1)
if [ "$(cat "$MALHA_VAR/i18n.stamp" 2>/dev/null)" != "$po_hash" ]; then
  echo "==> Compiling translations"
  .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
  echo "$po_hash" > "$MALHA_VAR/i18n.stamp"
fi
