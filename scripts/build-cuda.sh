#!/usr/bin/env bash
# Build the softcot CUDA addon: packages/backend-cuda/build/softcot_cuda.node
#
#   nvcc  -> one object per translation unit (sm_80, sm_90a machine code + compute_90 PTX)
#   g++   -> a shared object with cudart linked statically (no libcudart.so needed at run time);
#            cuBLASLt is opened with dlopen at run time, so nothing else is linked.
#
# Environment:
#   CUDA_HOME               toolkit folder (default: found from nvcc / libcudart_static.a)
#   SOFTCOT_CUDA_OPTIONAL=1 exit 0 (with a message) when nvcc is missing, instead of failing
#   SOFTCOT_CUDA_ARCHS      override the -gencode list, e.g. "-gencode arch=compute_90a,code=sm_90a" for a quick build
#   JOBS                    parallel nvcc jobs (default 1)
#   SOFTCOT_CUDA_BUILD_DIR  output folder (default packages/backend-cuda/build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/packages/backend-cuda"
SRC="$PKG/native"
OUT="${SOFTCOT_CUDA_BUILD_DIR:-$PKG/build}"

if ! command -v nvcc >/dev/null 2>&1; then
  if [[ "${SOFTCOT_CUDA_OPTIONAL:-}" == "1" ]]; then
    echo "build-cuda: nvcc not found; the cuda backend will be unavailable (isCudaAvailable() reports why). Skipping." >&2
    exit 0
  fi
  echo "build-cuda: ERROR: nvcc not found on PATH. Install the CUDA toolkit (>= 13) or set SOFTCOT_CUDA_OPTIONAL=1 to skip." >&2
  exit 1
fi

# CUDA_HOME: the toolkit folder whose lib64 (or lib) holds libcudart_static.a.
find_cuda_home() {
  local cand
  for cand in "${CUDA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")" /usr/local/cuda /usr/local/cuda-13*; do
    [[ -n "$cand" ]] || continue
    if [[ -f "$cand/lib64/libcudart_static.a" || -f "$cand/lib/libcudart_static.a" || -f "$cand/targets/x86_64-linux/lib/libcudart_static.a" ]]; then
      echo "$cand"; return 0
    fi
  done
  local f
  f="$(find / -name libcudart_static.a -not -path '*/proc/*' 2>/dev/null | head -n1 || true)"
  if [[ -n "$f" ]]; then dirname "$(dirname "$f")"; return 0; fi
  return 1
}
CUDA_HOME="$(find_cuda_home)" || { echo "build-cuda: ERROR: libcudart_static.a not found (set CUDA_HOME)" >&2; exit 1; }
CUDART_DIR=""
for d in "$CUDA_HOME/lib64" "$CUDA_HOME/lib" "$CUDA_HOME/targets/x86_64-linux/lib"; do
  if [[ -f "$d/libcudart_static.a" ]]; then CUDART_DIR="$d"; break; fi
done

NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_INC="$(dirname "$(dirname "$NODE_BIN")")/include/node"
if [[ ! -f "$NODE_INC/node_api.h" ]]; then
  echo "build-cuda: ERROR: node_api.h not found in $NODE_INC" >&2
  exit 1
fi

ARCHS="${SOFTCOT_CUDA_ARCHS:--gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a -gencode arch=compute_90,code=compute_90}"
NVCC_FLAGS=(-O3 -std=c++17 -Xcompiler -fPIC,-fvisibility=hidden -I"$NODE_INC" -DNAPI_VERSION=8 --expt-relaxed-constexpr)
# shellcheck disable=SC2206
ARCH_FLAGS=($ARCHS)

mkdir -p "$OUT/obj"
# A failed build must never leave a stale addon behind.
rm -f "$OUT/softcot_cuda.node" "$OUT"/obj/*.o
echo "build-cuda: nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), CUDA_HOME=$CUDA_HOME, node headers $NODE_INC"
start=$(date +%s)
UNITS=(kernels cublaslt addon)
JOBS="${JOBS:-1}"
pids=()
for u in "${UNITS[@]}"; do
  echo "build-cuda:   nvcc $u.cu"
  if [[ "$JOBS" -gt 1 ]]; then
    nvcc "${NVCC_FLAGS[@]}" "${ARCH_FLAGS[@]}" -c "$SRC/$u.cu" -o "$OUT/obj/$u.o" & pids+=($!)
  else
    nvcc "${NVCC_FLAGS[@]}" "${ARCH_FLAGS[@]}" -c "$SRC/$u.cu" -o "$OUT/obj/$u.o"
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

echo "build-cuda:   g++ link"
OBJS=()
for u in "${UNITS[@]}"; do OBJS+=("$OUT/obj/$u.o"); done
g++ -shared -o "$OUT/softcot_cuda.node.tmp" "${OBJS[@]}" \
  -L"$CUDART_DIR" -l:libcudart_static.a -ldl -lpthread -lrt -static-libstdc++ -static-libgcc -Wl,--exclude-libs,ALL
mv "$OUT/softcot_cuda.node.tmp" "$OUT/softcot_cuda.node"
end=$(date +%s)
size=$(stat -c %s "$OUT/softcot_cuda.node")
echo "build-cuda: OK $OUT/softcot_cuda.node ($size bytes) in $((end - start)) s"
