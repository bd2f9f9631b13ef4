#!/usr/bin/env bash
# After a deploy: checks a running instance (probes, detailed health, list, classify, /metrics, OpenAPI). The API key may come from OPS_API_KEY instead of the command line.
# Usage: scripts/post_deployment_verify.sh --url <base> [--api-key <key>] [--json]
# Exit codes: 0 ok, 1 a check failed, 2 usage. Same as: node dist/cli postdeploy (npm run -s ops -- postdeploy).
set -euo pipefail
# shellcheck source=scripts/lib/ops.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"
ops postdeploy "$@"
