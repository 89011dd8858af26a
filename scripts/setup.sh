#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: uv, the Python env (.venv, from uv.lock),
# the web client's npm packages and build. Idempotent; safe to run again.
#   scripts/setup.sh            app + build + dev tools
#   scripts/setup.sh --browser  also Debian's chromium (browser tests)
#   scripts/setup.sh --sam      also the SAM CLI / cfn-lint / checkov in .venv-sam (their pins clash with the app)
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for p in python3.12 python3.13 python3.11 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$p"; return 0
    fi
  done
  echo "Python >= 3.11 is required" >&2; return 1
}

PY=$(pick_python)
if ! command -v uv >/dev/null 2>&1; then
  "$PY" -m pip install --quiet --disable-pip-version-check uv 2>/dev/null || "$PY" -m pip install --quiet --user uv
fi
UV=$(command -v uv || echo "$HOME/.local/bin/uv")
PYBIN=$("$PY" -c 'import sys, os; print(os.path.realpath(sys.executable))')
"$UV" sync --frozen --all-extras --python "$PYBIN" --quiet

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

for arg in "$@"; do
  case "$arg" in
    --browser)
      if ! command -v chromium >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
          || echo "warning: could not install chromium; browser tests will be skipped" >&2
      fi ;;
    --sam)
      if [ ! -x .venv-sam/bin/sam ]; then
        "$UV" venv --quiet --python "$PYBIN" .venv-sam
        "$UV" pip install --quiet --python .venv-sam/bin/python -r infra/requirements-sam.txt
      fi ;;
  esac
done
