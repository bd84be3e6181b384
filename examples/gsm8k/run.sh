#!/usr/bin/env bash
# GSM8K: evaluate a base model, post-train it with soft-token RLOO (verifier reward), evaluate the best checkpoint
# (best greedy validation) on held-out problems.
#   examples/gsm8k/run.sh [MODEL_DIR] [TRAIN_JSONL] [OUT_DIR]
# Sizes come from environment variables (defaults: a short CPU-sized run; the paper's values in README.md).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
MODEL="${1:-models/Qwen2.5-0.5B-Instruct}"
DATA="${2:-$REPO/../shared/datasets/gsm8k/train.jsonl}"
OUT="${3:-runs/gsm8k}"
EVAL_DATA="${EVAL_DATA:-}"               # default: the last HOLDOUT rows of DATA; the GSM8K test split for real numbers
HOLDOUT="${HOLDOUT:-200}"
MODE="${MODE:-soft}"                     # hard | soft | fuzzy
STEPS="${STEPS:-50}"                     # paper: 4000
PROMPTS="${PROMPTS:-2}"                  # B, paper: 2
SAMPLES="${SAMPLES:-8}"                  # G, paper: 32
MICRO="${MICRO:-8}"
LR="${LR:-8e-6}"                         # paper: Qwen-2.5-3B 8e-6, Llama-3.2-3B 6e-6, Llama-3.1-8B 3e-6
MAX_COT="${MAX_COT:-128}"                # paper: 128 for GSM8K training
EVAL_MAX_COT="${EVAL_MAX_COT:-512}"      # paper: 512 at evaluation
MAX_ANSWER="${MAX_ANSWER:-32}"
TRAIN_LIMIT="${TRAIN_LIMIT:-}"
EVAL_LIMIT="${EVAL_LIMIT:-50}"
EVAL_SAMPLES="${EVAL_SAMPLES:-4}"
SETTINGS="${SETTINGS:-all}"
VAL_SIZE="${VAL_SIZE:-20}"               # validation problems (from the training part) for best-checkpoint selection
VALIDATE_EVERY="${VALIDATE_EVERY:-25}"
BACKEND="${BACKEND:-}"                  # empty: the CLI's default (native-cpu when built, else wasm)
need "$MODEL/config.json" "a Hugging Face model folder; see examples/README.md"
need "$DATA" "GSM8K train JSONL; see examples/README.md"

choose_eval_data
LIMIT_FLAG=(); [[ -n "$TRAIN_LIMIT" ]] && LIMIT_FLAG=(--limit "$TRAIN_LIMIT")
EVAL_FLAGS=(--data "$EVAL_DATA" --format gsm8k --limit "$EVAL_LIMIT" --samples "$EVAL_SAMPLES" --settings "$SETTINGS"
  --max-cot "$EVAL_MAX_COT" --max-answer "$MAX_ANSWER" ${BACKEND:+--backend "$BACKEND"})

softcot eval --model "$MODEL" "${EVAL_FLAGS[@]}" --out "$OUT/eval-base"
softcot train --model "$MODEL" --data "$TRAIN_DATA" --format gsm8k "${LIMIT_FLAG[@]}" --out "$OUT/train-$MODE" --mode "$MODE" \
  --reward verifier --steps "$STEPS" --prompts-per-step "$PROMPTS" --samples "$SAMPLES" --micro-batch "$MICRO" \
  --lr "$LR" --max-cot "$MAX_COT" --max-answer "$MAX_ANSWER" --val-size "$VAL_SIZE" --validate-every "$VALIDATE_EVERY" ${BACKEND:+--backend "$BACKEND"}
TRAINED="$(best_checkpoint "$OUT/train-$MODE")"
softcot eval --model "$TRAINED" "${EVAL_FLAGS[@]}" --out "$OUT/eval-$MODE"
echo "done: $OUT/eval-base/summary.md, $OUT/eval-$MODE/summary.md, $OUT/train-$MODE/reward-curve.svg"
