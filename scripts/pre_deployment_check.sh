#!/usr/bin/env bash
# Before a deploy: config, database connectivity, schema and pending migrations in one GO / NO-GO report.
# Usage: scripts/pre_deployment_check.sh [--env-file <path>] [--json]
# Exit codes: 0 ok, 1 a check failed, 2 usage. Same as: node dist/cli predeploy (npm run -s ops -- predeploy).
set -euo pipefail
# shellcheck source=scripts/lib/ops.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"
ops predeploy "$@"
