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
# Node.js may come from elsewhere (nodesource, nvm): only ask Debian for it when absent.
command -v npm >/dev/null || missing+=(nodejs npm)
command -v python3.11 >/dev/null || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$MALHA_VAR"
# The pinned requirements are read from pyproject.toml; reinstall only when they change.
python3.11 - <<'PY' > "$MALHA_VAR/requirements.txt"
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
PY
stamp="$MALHA_VAR/venv.stamp"
want=$(sha1sum "$MALHA_VAR/requirements.txt" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages into .venv"
  [ -x .venv/bin/python ] || python3.11 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$MALHA_VAR/requirements.txt"
  echo "$want" > "$stamp"
fi

# Browser libraries: npm packages pinned in package-lock.json, copied into static files.
lock_hash=$(sha1sum package-lock.json | cut -d' ' -f1)
vendor=frontend/vendor-static/vendor
if [ "$(cat "$MALHA_VAR/npm.stamp" 2>/dev/null)" != "$lock_hash" ] || [ ! -d "$vendor" ]; then
  echo "==> Installing browser libraries (npm)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  rm -rf "$vendor" && mkdir -p "$vendor/leaflet" "$vendor/ol" "$vendor/maplibre-gl" "$vendor/terra-draw"
  cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
    node_modules/leaflet/dist/images "$vendor/leaflet/"
  cp node_modules/ol/dist/ol.js node_modules/ol/ol.css "$vendor/ol/"
  mkdir -p "$vendor/leaflet.markercluster"
  cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
    node_modules/leaflet.markercluster/dist/MarkerCluster.css \
    node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$vendor/leaflet.markercluster/"
  # MapLibre is ES modules only; it loads its worker from beside its own file.
  cp node_modules/maplibre-gl/dist/maplibre-gl.mjs node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs \
    node_modules/maplibre-gl/dist/maplibre-gl.css "$vendor/maplibre-gl/"
  cp node_modules/terra-draw/dist/terra-draw.module.js \
    node_modules/terra-draw-maplibre-gl-adapter/dist/terra-draw-maplibre-gl-adapter.module.js "$vendor/terra-draw/"
  echo "$lock_hash" > "$MALHA_VAR/npm.stamp"
fi

# Compiled translations are build output, not source: rebuild when a .po changes.
po_files=$(find . -path ./.venv -prune -o -path ./node_modules -prune -o -name '*.po' -print | sort)
po_hash=$(cat $po_files /dev/null | sha1sum | cut -d' ' -f1)
if [ -n "$po_files" ] && [ "$(cat "$MALHA_VAR/i18n.stamp" 2>/dev/null)" != "$po_hash" ]; then
  echo "==> Compiling translations"
  .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
  echo "$po_hash" > "$MALHA_VAR/i18n.stamp"
fi
