#!/usr/bin/env bash
# Publish a data release to the deployed stack's bucket (or any store), atomically.
#   infra/publish.sh --stack rezone                       build all of France and publish it
#   infra/publish.sh --stack rezone --departements 80,13  build a few départements and publish them
#   infra/publish.sh --stack rezone --release .rezone/releases/<version>   upload an already built release
#   infra/publish.sh --store s3://bucket/prefix ...       same, naming the store directly
#   infra/publish.sh --stack rezone --rollback            make the previous release current again
# The functions see the new release within REZONE_MANIFEST_TTL (30 s); older releases stay in the
# bucket for rollback. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/rezone ] || scripts/setup.sh

STORE="" RELEASE="" ROLLBACK=0 BUILD_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) STORE=$(.venv/bin/python -m rezone_infra.aws outputs "$2" StoreUrl); shift 2 ;;
    --store) STORE=$2; shift 2 ;;
    --release) RELEASE=$2; shift 2 ;;
    --rollback) ROLLBACK=1; shift ;;
    *) BUILD_ARGS+=("$1"); shift ;;
  esac
done
[ -n "$STORE" ] || { echo "usage: infra/publish.sh --stack NAME | --store s3://bucket/prefix [...]" >&2; exit 2; }

if [ "$ROLLBACK" = 1 ]; then
  .venv/bin/rezone rollback --store "$STORE"
elif [ -n "$RELEASE" ]; then
  .venv/bin/rezone publish "$RELEASE" --store "$STORE"
else
  .venv/bin/rezone build --store "$STORE" "${BUILD_ARGS[@]+"${BUILD_ARGS[@]}"}"
fi
.venv/bin/rezone releases --store "$STORE" --json
