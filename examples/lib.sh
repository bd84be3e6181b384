# Shared by the example scripts: find the repository root and the softcot CLI.
# SOFTCOT overrides the command (e.g. SOFTCOT="npx tsx packages/softcot/src/cli.ts").
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${SOFTCOT:-}" ]]; then
  if [[ -f "$REPO/packages/softcot/dist/cli.js" ]]; then
    SOFTCOT="node $REPO/packages/softcot/dist/cli.js"
  else
    echo "note: packages/softcot/dist/cli.js not built (npm run build); using tsx on the sources" >&2
    SOFTCOT="npx --prefix $REPO tsx --tsconfig $REPO/tsconfig.json $REPO/packages/softcot/src/cli.ts"
  fi
  export SOFTCOT
fi
softcot() {
  echo "+ softcot $*" >&2
  # shellcheck disable=SC2086
  $SOFTCOT "$@"
}
need() {
  if [[ ! -e "$1" ]]; then
    echo "error: $1 not found ($2)" >&2
    exit 1
  fi
}
# The folder of the latest checkpoint a `softcot train --out DIR` run wrote.
latest_checkpoint() {
  echo "$1/checkpoints/$(cat "$1/checkpoints/latest")"
}
