#!/usr/bin/env bash
# Connects to DATABASE_URL: server version, latency, connection use, pool settings, COUNT(*) time on the thresholds.
# Usage: scripts/test_database_connection.sh [--json]
# Exit codes: 0 ok, 1 a check failed, 2 usage. Same as: node dist/cli db:check (npm run -s ops -- db:check).
set -euo pipefail
# shellcheck source=scripts/lib/ops.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"
ops db:check "$@"
