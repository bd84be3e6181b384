#!/usr/bin/env bash
# Runs on the GPU machine from a .gpu/ folder made by scripts/gpu-pack.sh. Needs no node and no network:
# unpacks node (xz, or python3's lzma when xz is missing), finds cuBLAS, runs the checks (run.mjs), then tfjs-core's
# own test suite on the cuda backend (core-suite.mjs; skip with SOFTCOT_CORE_SUITE=0), writes logs to $OUT.
#
#   bash .gpu/unpack-and-run.sh [--only=prims-f32,gemm] [--quick] [--device=cpu]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${SOFTCOT_GPU_WORK:-${TMPDIR:-/tmp}/softcot-gpu}"
OUT="${OUT:-$HERE/out}"
mkdir -p "$WORK" "$OUT"

if [[ ! -x "$WORK/node" ]]; then
  t0=$(date +%s.%N)
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$HERE/node.xz" > "$WORK/node.tmp"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"), 1 << 20)' "$HERE/node.xz" "$WORK/node.tmp"
  else
    echo "unpack-and-run: neither xz nor python3 is available to unpack node" >&2
    exit 1
  fi
  chmod +x "$WORK/node.tmp"
  mv "$WORK/node.tmp" "$WORK/node"
  echo "unpack-and-run: node unpacked in $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"
fi

# cuBLAS from a PyTorch pip install, unless the caller set CUBLAS_LIB_DIR.
if [[ -z "${CUBLAS_LIB_DIR:-}" ]]; then
  for py in "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}" python3 python; do
    [[ -n "$py" ]] && command -v "$py" >/dev/null 2>&1 || continue
    d="$("$py" -c 'import os, nvidia.cublas as m; print(os.path.join(list(m.__path__)[0], "lib"))' 2>/dev/null || true)"
    if [[ -n "$d" && -d "$d" ]]; then export CUBLAS_LIB_DIR="$d"; break; fi
    d="$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null || true)"
    if [[ -n "$d" ]]; then
      for c in "$d"/../nvidia/cublas/lib "$d"/../nvidia/cu13/lib; do
        if [[ -f "$c/libcublasLt.so.13" ]]; then export CUBLAS_LIB_DIR="$(cd "$c" && pwd)"; break 2; fi
      done
    fi
  done
fi

{
  echo "== $(date -u +%FT%TZ) host $(hostname)"
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not found"
  echo "node $("$WORK/node" --version); CUBLAS_LIB_DIR=${CUBLAS_LIB_DIR:-<unset>}"
  echo "libcublasLt candidates: $(find /usr/local /usr/lib /opt "${HOME:-/root}" -name 'libcublasLt.so.13*' 2>/dev/null | head -5 | tr '\n' ' ')"
} | tee "$OUT/gpu-env.log"

cd "$HERE"
set +e
"$WORK/node" "$HERE/run.mjs" --out="$OUT/gpu-results.json" "$@" 2>&1 | tee "$OUT/gpu-run.log"
rc=${PIPESTATUS[0]}
if [[ "${SOFTCOT_CORE_SUITE:-1}" != 0 ]]; then
  device=cuda
  for a in "$@"; do case "$a" in --device=*) device="${a#--device=}" ;; esac; done
  SOFTCOT_SUITE_DEVICE="$device" "$WORK/node" "$HERE/core-suite.mjs" 2>&1 | tee "$OUT/core-suite.log"
  [[ ${PIPESTATUS[0]} == 0 ]] || rc=1
fi

# The peer: the same GEMMs through torch.matmul in the same call (skip with SOFTCOT_TORCH_PEER=0, or when
# --only leaves out gemm).
want_gemm=1
for a in "$@"; do case "$a" in --only=*) [[ "$a" == *gemm* ]] || want_gemm=0 ;; esac; done
if [[ "${SOFTCOT_TORCH_PEER:-1}" != 0 && "$want_gemm" == 1 ]]; then
  for py in "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}" python3; do
    [[ -n "$py" ]] && command -v "$py" >/dev/null 2>&1 || continue
    "$py" - <<'PY' 2>&1 | tee "$OUT/torch-gemm.log" && break
import torch, statistics
assert torch.cuda.is_available()
for label, dt, tf32 in (("bf16", torch.bfloat16, False), ("tf32", torch.float32, True), ("fp32", torch.float32, False)):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    for s in (4096, 8192):
        a = torch.randn(s, s, device="cuda", dtype=dt); b = torch.randn(s, s, device="cuda", dtype=dt)
        for _ in range(3): a @ b
        ts = []
        for _ in range(20):
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record(); a @ b; e1.record(); torch.cuda.synchronize(); ts.append(e0.elapsed_time(e1))
        ms = statistics.median(ts)
        print(f"torch {label} {s}: {2 * s**3 / (ms / 1e3) / 1e12:.0f} TFLOP/s ({ms:.2f} ms)")
PY
  done
fi
set -e
echo "unpack-and-run: exit $rc; logs in $OUT"
exit "$rc"
