#!/usr/bin/env bash
# End-to-end check of the three examples on a tiny random checkpoint with the real Qwen2.5 tokenizer:
# 2 RL steps, a few problems, short CoTs. Checks exit codes and output files. Target: < 3 minutes on 2 cores.
#   examples/ci.sh [SHARED_DIR]     (default ../shared next to the repository)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SHARED="${1:-${SOFTCOT_SHARED:-$REPO/../shared}}"
need "$SHARED/datasets/gsm8k/train-sample.jsonl" "the shared datasets folder"
need "$SHARED/tokenizers/qwen2.5/tokenizer.json" "the shared tokenizers folder"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/softcot-ci.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS
MODEL="$WORK/tiny-qwen2"
softcot init --preset tiny-qwen2 --tokenizer "$SHARED/tokenizers/qwen2.5" --out "$MODEL" --seed 1

export STEPS=2 PROMPTS=1 SAMPLES=2 MICRO=2 LR=1e-4 MAX_COT=6 EVAL_MAX_COT=6 MAX_ANSWER=4 TRAIN_LIMIT=4 EVAL_LIMIT=2 EVAL_SAMPLES=2
export HOLDOUT=4 VAL_SIZE=1 VALIDATE_EVERY=1
export BACKEND="${BACKEND:-}"

check() {
  for f in "$@"; do
    if [[ ! -s "$f" ]]; then echo "ci: FAIL: missing $f" >&2; exit 1; fi
  done
}

SETTINGS=hard-greedy,soft-sample bash "$REPO/examples/gsm8k/run.sh" "$MODEL" "$SHARED/datasets/gsm8k/train-sample.jsonl" "$WORK/gsm8k"
check "$WORK/gsm8k/eval-base/summary.md" "$WORK/gsm8k/eval-soft/summary.json" "$WORK/gsm8k/eval-soft/problems.jsonl" \
  "$WORK/gsm8k/train-soft/metrics.jsonl" "$WORK/gsm8k/train-soft/reward-curve.svg" "$WORK/gsm8k/train-soft/best/config.json"
# The evaluation is on held-out rows: none of its questions is in the training file.
if grep -Fxf "$WORK/gsm8k/data/heldout.jsonl" "$WORK/gsm8k/data/train.jsonl" >/dev/null; then echo "ci: FAIL: held-out rows in the training file" >&2; exit 1; fi

MATH_DATA="$SHARED/datasets/math/train.jsonl"
if [[ -f "$MATH_DATA" ]]; then
  REWARD=logprob SETTINGS=hard-greedy,fuzzy-greedy bash "$REPO/examples/math/run.sh" "$MODEL" "$MATH_DATA" "$WORK/math"
  check "$WORK/math/eval-fuzzy-logprob/summary.md" "$WORK/math/train-fuzzy-logprob/reward-curve.svg"
else
  echo "ci: $MATH_DATA not found; skipping examples/math" >&2
fi

STEPS=1 MODES="hard soft fuzzy" SETTINGS=hard-greedy,soft-greedy,fuzzy-greedy EVAL_LIMIT=1 \
  bash "$REPO/examples/compare-inference/run.sh" "$MODEL" "$SHARED/datasets/gsm8k/train-sample.jsonl" "$WORK/compare"
check "$WORK/compare/grid/grid.md" "$WORK/compare/grid/grid.json" "$WORK/compare/grid/grid.svg"
grep -q '| fuzzy |' "$WORK/compare/grid/grid.md" || { echo "ci: FAIL: grid.md has no fuzzy row" >&2; exit 1; }

# The reproduction study's code path through the CLI, at its tiny scale (the findings need --scale small).
softcot study --scale tiny --seeds 0 --out "$WORK/study"
check "$WORK/study/results.md" "$WORK/study/summary.json" "$WORK/study/img/passk-hard-inference.svg" "$WORK/study/img/entropy.svg"

echo "ci: OK in $((SECONDS - start))s"
