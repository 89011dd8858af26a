#!/usr/bin/env bash
# Deploy Rézone to AWS: validate, build (python3.12/arm64) and deploy the SAM stack, then upload
# the web client to the releases bucket (web/) and invalidate its CDN copy.
#   infra/deploy.sh                     first time: guided (asks stack name, region, parameters;
#                                       saves them to samconfig.toml)
#   infra/deploy.sh --stack rezone      later: non-interactive, with samconfig.toml
# Needs AWS credentials in the environment (AWS_PROFILE or keys) and python3.12 on PATH.
# Then publish data with infra/publish.sh. See docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=${STACK:-rezone}
if [ "${1:-}" = "--stack" ]; then STACK=$2; shift 2; fi

[ -x .tools/bin/sam ] || scripts/setup.sh --sam
[ -x .venv/bin/python ] || scripts/setup.sh
export SAM_CLI_TELEMETRY=0
SAM=.tools/bin/sam
# sam build needs a python3.12 that has pip (not the uv tool environment's)
if ! command -v python3.12 >/dev/null 2>&1 && [ -x /root/.pyenv/versions/3.12.1/bin/python3.12 ]; then
  export PATH=/root/.pyenv/versions/3.12.1/bin:$PATH
fi

"$SAM" validate --lint
"$SAM" build --template-file template.yaml
if [ -f samconfig.toml ]; then
  "$SAM" deploy --stack-name "$STACK" --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset "$@"
else
  "$SAM" deploy --guided --stack-name "$STACK" --capabilities CAPABILITY_IAM "$@"
fi

if [ -f web/package.json ]; then (cd web && npm run --silent build); fi
.venv/bin/python -m rezone_infra.aws web "$STACK"
.venv/bin/python -m rezone_infra.aws outputs "$STACK"
echo "Next: infra/publish.sh --stack $STACK   (build France and publish it to the bucket)"
