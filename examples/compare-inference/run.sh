#!/usr/bin/env bash
# The paper's headline grid: train hard, soft and fuzzy from the same base, then evaluate every checkpoint
# (and the base) under hard, soft and fuzzy inference: rows = training mode, columns = inference mode.
#   examples/compare-inference/run.sh [MODEL_DIR] [TRAIN_JSONL] [OUT_DIR]
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
MODEL="${1:-models/Qwen2.5-0.5B-Instruct}"
DATA="${2:-$REPO/../shared/datasets/gsm8k/train.jsonl}"
OUT="${3:-runs/compare-inference}"
FORMAT="${FORMAT:-gsm8k}"
EVAL_DATA="${EVAL_DATA:-}"               # default: the last HOLDOUT rows of DATA
HOLDOUT="${HOLDOUT:-200}"
MODES="${MODES:-hard soft fuzzy}"
STEPS="${STEPS:-50}"
PROMPTS="${PROMPTS:-2}"
SAMPLES="${SAMPLES:-8}"
MICRO="${MICRO:-8}"
LR="${LR:-8e-6}"
MAX_COT="${MAX_COT:-128}"
EVAL_MAX_COT="${EVAL_MAX_COT:-512}"
MAX_ANSWER="${MAX_ANSWER:-32}"
TRAIN_LIMIT="${TRAIN_LIMIT:-}"
EVAL_LIMIT="${EVAL_LIMIT:-50}"
EVAL_SAMPLES="${EVAL_SAMPLES:-8}"
SETTINGS="${SETTINGS:-all}"
VAL_SIZE="${VAL_SIZE:-20}"               # validation problems (from the training part) for best-checkpoint selection
VALIDATE_EVERY="${VALIDATE_EVERY:-25}"
BACKEND="${BACKEND:-}"                  # empty: the CLI's default (native-cpu when built, else wasm)
need "$MODEL/config.json" "a Hugging Face model folder; see examples/README.md"
need "$DATA" "training data; see examples/README.md"

choose_eval_data
LIMIT_FLAG=(); [[ -n "$TRAIN_LIMIT" ]] && LIMIT_FLAG=(--limit "$TRAIN_LIMIT")
MODELS="base=$MODEL"
for mode in $MODES; do
  softcot train --model "$MODEL" --data "$TRAIN_DATA" --format "$FORMAT" "${LIMIT_FLAG[@]}" --out "$OUT/train-$mode" --mode "$mode" \
    --steps "$STEPS" --prompts-per-step "$PROMPTS" --samples "$SAMPLES" --micro-batch "$MICRO" --lr "$LR" \
    --max-cot "$MAX_COT" --max-answer "$MAX_ANSWER" --val-size "$VAL_SIZE" --validate-every "$VALIDATE_EVERY" ${BACKEND:+--backend "$BACKEND"}
  MODELS="$MODELS,$mode=$(best_checkpoint "$OUT/train-$mode")"
done
softcot compare --models "$MODELS" --data "$EVAL_DATA" --format "$FORMAT" --limit "$EVAL_LIMIT" --samples "$EVAL_SAMPLES" \
  --settings "$SETTINGS" --max-cot "$EVAL_MAX_COT" --max-answer "$MAX_ANSWER" ${BACKEND:+--backend "$BACKEND"} --out "$OUT/grid"
echo "done: $OUT/grid/grid.md, $OUT/grid/grid.svg"
