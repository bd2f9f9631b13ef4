# Sourced by the scripts in scripts/: `ops <command> [args]` runs the operator CLI.
# It runs $OPS_CLI when set (a command line), else the build (dist/cli), building it first in a
# checkout that has none. The exit code is the CLI's: 0 ok, 1 a check failed, 2 usage.
OPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

ops() {
  if [ -n "${OPS_CLI:-}" ]; then
    # shellcheck disable=SC2086 # OPS_CLI is a command line: split it into words
    $OPS_CLI "$@"
    return
  fi
  if [ ! -f "$OPS_ROOT/dist/cli/index.js" ]; then
    (cd "$OPS_ROOT" && npm run --silent build >&2)
  fi
  node "$OPS_ROOT/dist/cli/index.js" "$@"
}
