#!/usr/bin/env bash
# MATH (or DeepScaleR): soft- or fuzzy-token RLOO with the verifier or a likelihood reward, then evaluation.
#   examples/math/run.sh [MODEL_DIR] [TRAIN_FILE] [OUT_DIR]
# TRAIN_FILE: MATH JSONL (problem/solution/answer) or DeepScaleR parquet/JSONL (set FORMAT=deepscaler).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
MODEL="${1:-models/Qwen2.5-0.5B-Instruct}"
DATA="${2:-$REPO/../shared/datasets/math/train.jsonl}"
OUT="${3:-runs/math}"
FORMAT="${FORMAT:-math}"                 # math | deepscaler
EVAL_DATA="${EVAL_DATA:-}"               # default: the last HOLDOUT rows of DATA; MATH-500 for real numbers
HOLDOUT="${HOLDOUT:-200}"
EVAL_FORMAT="${EVAL_FORMAT:-$FORMAT}"
MODE="${MODE:-fuzzy}"
REWARD="${REWARD:-verifier}"             # verifier | logprob | avglogprob | prob | avgprob | jepo
STEPS="${STEPS:-50}"
PROMPTS="${PROMPTS:-2}"
SAMPLES="${SAMPLES:-8}"
MICRO="${MICRO:-4}"
LR="${LR:-8e-6}"
MAX_COT="${MAX_COT:-512}"                # paper: 512 for MATH training
EVAL_MAX_COT="${EVAL_MAX_COT:-512}"
MAX_ANSWER="${MAX_ANSWER:-32}"
TRAIN_LIMIT="${TRAIN_LIMIT:-}"
EVAL_LIMIT="${EVAL_LIMIT:-50}"
EVAL_SAMPLES="${EVAL_SAMPLES:-4}"
SETTINGS="${SETTINGS:-hard-greedy,hard-sample,$MODE-greedy,$MODE-sample}"
VAL_SIZE="${VAL_SIZE:-20}"               # validation problems (from the training part) for best-checkpoint selection
VALIDATE_EVERY="${VALIDATE_EVERY:-25}"
BACKEND="${BACKEND:-}"                  # empty: the CLI's default (native-cpu when built, else wasm)
need "$MODEL/config.json" "a Hugging Face model folder; see examples/README.md"
need "$DATA" "MATH / DeepScaleR training data; see examples/README.md"

choose_eval_data
LIMIT_FLAG=(); [[ -n "$TRAIN_LIMIT" ]] && LIMIT_FLAG=(--limit "$TRAIN_LIMIT")
EVAL_FLAGS=(--data "$EVAL_DATA" --format "$EVAL_FORMAT" --limit "$EVAL_LIMIT" --samples "$EVAL_SAMPLES" --settings "$SETTINGS"
  --max-cot "$EVAL_MAX_COT" --max-answer "$MAX_ANSWER" ${BACKEND:+--backend "$BACKEND"})

softcot eval --model "$MODEL" "${EVAL_FLAGS[@]}" --out "$OUT/eval-base"
softcot train --model "$MODEL" --data "$TRAIN_DATA" --format "$FORMAT" "${LIMIT_FLAG[@]}" --out "$OUT/train-$MODE-$REWARD" --mode "$MODE" \
  --reward "$REWARD" --steps "$STEPS" --prompts-per-step "$PROMPTS" --samples "$SAMPLES" --micro-batch "$MICRO" \
  --lr "$LR" --max-grad-norm 1.0 --max-cot "$MAX_COT" --max-answer "$MAX_ANSWER" --val-size "$VAL_SIZE" --validate-every "$VALIDATE_EVERY" ${BACKEND:+--backend "$BACKEND"}
TRAINED="$(best_checkpoint "$OUT/train-$MODE-$REWARD")"
softcot eval --model "$TRAINED" "${EVAL_FLAGS[@]}" --out "$OUT/eval-$MODE-$REWARD"
echo "done: $OUT/eval-base/summary.md, $OUT/eval-$MODE-$REWARD/summary.md"
