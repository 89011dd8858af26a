#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: uv, the Python env (.venv, from uv.lock, with
# the build extra and the dev dependency group), the web client's npm packages and build. Idempotent.
#   scripts/setup.sh            app + build + dev tools
#   scripts/setup.sh --browser  also Debian's chromium (browser tests)
#   scripts/setup.sh --sam      also the SAM CLI / cfn-lint / checkov as uv tools, each in its own
#                               environment under .tools/ (their pins clash with the app's and each other's)
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter: the Lambda runtime's (3.12, .python-version) when the machine has one, else any
# 3.11+. Every candidate on PATH is tried (a pyenv shim whose version is missing fails the check), and the
# choice is passed to uv explicitly, so uv never tries to download a Python.
pick_python() {
  local want p path
  want=$(tr -d '[:space:]' < .python-version 2>/dev/null || true)
  for p in ${want:+python$want} python3.12 python3.13 python3.11 python3; do
    while IFS= read -r path; do
      if "$path" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        "$path" -c 'import os, sys; print(os.path.realpath(sys.executable))'; return 0
      fi
    done < <(type -ap "$p" 2>/dev/null || true)
  done
  echo "Python >= 3.11 is required" >&2; return 1
}

PYBIN=$(pick_python)
# uv: the one on PATH if it runs here, else the one installed in that interpreter (pip installs it there).
if uv --version >/dev/null 2>&1; then
  UV=(uv)
else
  if ! "$PYBIN" -m uv --version >/dev/null 2>&1; then
    "$PYBIN" -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
      || "$PYBIN" -m pip install --quiet --disable-pip-version-check --user uv
  fi
  UV=("$PYBIN" -m uv)
fi
export UV_PYTHON_DOWNLOADS=never
"${UV[@]}" sync --frozen --all-extras --all-groups --python "$PYBIN" --quiet

if [ -f web/package.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd web && npm run --silent build)
fi

# tiles tests: @mapbox/vector-tile (MapLibre's parser) and gl-style-validate
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

# build tools: fontnik's build-glyphs (SDF glyphs of the map labels) and an open font for them
if [ ! -d tiles/node/node_modules ] || [ tiles/node/package-lock.json -nt tiles/node/node_modules/.package-lock.json ]; then
  (cd tiles/node && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ ! -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null) \
    || echo "warning: could not install fonts-dejavu-core; the map will have no place names" >&2
fi

for arg in "$@"; do
  case "$arg" in
    --browser)
      if ! command -v chromium >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
          || echo "warning: could not install chromium; browser tests will be skipped" >&2
      fi ;;
    --sam)
      # `uv tool install`, one isolated environment per tool, kept inside the project (.tools/);
      # pins in infra/requirements-sam.txt. Already installed at that version: a no-op.
      export UV_TOOL_DIR="$PWD/.tools/uv" UV_TOOL_BIN_DIR="$PWD/.tools/bin"
      grep -Ev '^[[:space:]]*(#|$)' infra/requirements-sam.txt | while IFS= read -r req; do
        "${UV[@]}" tool install --quiet --python "$PYBIN" "$req"
      done ;;
  esac
done
