#!/usr/bin/env bash
# Validates the environment (and ./.env, or --env-file) against the service's own schema: every problem, every warning, no secret printed.
# Usage: scripts/validate_config.sh [--env-file <path>] [--json]
# Exit codes: 0 ok, 1 a check failed, 2 usage. Same as: node dist/cli config:validate (npm run -s ops -- config:validate).
set -euo pipefail
# shellcheck source=scripts/lib/ops.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"
ops config:validate "$@"
