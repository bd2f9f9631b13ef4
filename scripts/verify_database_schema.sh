#!/usr/bin/env bash
# Compares the live schema with what the migrations define (tables, columns, indexes, CHECKs, triggers, pending migrations); names each difference and its fix.
# Usage: scripts/verify_database_schema.sh [--json]
# Exit codes: 0 ok, 1 a check failed, 2 usage. Same as: node dist/cli db:verify-schema (npm run -s ops -- db:verify-schema).
set -euo pipefail
# shellcheck source=scripts/lib/ops.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"
ops db:verify-schema "$@"
