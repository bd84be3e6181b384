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
# The model a `softcot train --out DIR` run selected: DIR/best (best validation score, written when --val-size > 0),
# else the latest checkpoint.
best_checkpoint() {
  if [[ -f "$1/best/config.json" ]]; then
    echo "$1/best"
  elif [[ -d "$1/checkpoints/latest" ]]; then
    echo "$1/checkpoints/latest" # a symbolic link to the newest checkpoint folder
  else
    echo "$1/checkpoints/$(cat "$1/checkpoints/latest")" # the earlier layout: a file naming the folder
  fi
}
# Hold out the last N rows of a JSONL file for evaluation: writes DIR/train.jsonl (the rest) and DIR/heldout.jsonl,
# so that the evaluation never scores problems the model trained on.
heldout_split() {
  local data="$1" n="$2" dir="$3" total
  case "$data" in
    *.jsonl) ;;
    *) echo "error: $data is not JSONL: give a held-out evaluation file with EVAL_DATA=..." >&2; exit 1 ;;
  esac
  total=$(grep -c . "$data")
  if (( n >= total )); then echo "error: HOLDOUT=$n leaves no training rows in $data ($total rows)" >&2; exit 1; fi
  mkdir -p "$dir"
  grep . "$data" | head -n $((total - n)) > "$dir/train.jsonl"
  grep . "$data" | tail -n "$n" > "$dir/heldout.jsonl"
}
# Sets TRAIN_DATA and EVAL_DATA: EVAL_DATA as given, else the last HOLDOUT rows of DATA held out under OUT/data.
choose_eval_data() {
  if [[ -n "${EVAL_DATA:-}" ]]; then
    TRAIN_DATA="$DATA"
  else
    heldout_split "$DATA" "${HOLDOUT:-200}" "$OUT/data"
    TRAIN_DATA="$OUT/data/train.jsonl"
    EVAL_DATA="$OUT/data/heldout.jsonl"
    echo "evaluating on the last ${HOLDOUT:-200} rows of $DATA, held out from training ($EVAL_DATA)" >&2
  fi
}
