#!/usr/bin/env bash
# Build the softcot native addons into packages/backend-native/build/:
#   softcot_cpu.node   the cpu device: g++ alone (no CUDA, no BLAS needed to build; a BLAS is opened at run time)
#   softcot_cuda.node  the cuda device: nvcc (sm_80, sm_90a machine code + compute_90 PTX), cudart linked
#                      statically; cuBLASLt is opened at run time
#
#   scripts/build-native.sh            cpu, then cuda when nvcc is on the PATH (said and skipped otherwise)
#   scripts/build-native.sh cpu        the cpu device only
#   scripts/build-native.sh cuda       the cuda device only (fails without nvcc)
#   ... --optional                     a failure (no compiler, no node headers) prints one line and exits 0:
#                                      softcot then runs on wasm and says why (npm run build uses this)
#   ... --force                        rebuild even when the addon is newer than every source file
#   ... --silent                       with --optional: print nothing unless the build fails (npm run build:quiet)
#
# Environment:
#   CXX                      the C++ compiler for the cpu device and the link steps (default g++)
#   CUDA_HOME                toolkit folder (default: found from nvcc / libcudart_static.a)
#   SOFTCOT_CUDA_ARCHS       override the -gencode list, e.g. "-gencode arch=compute_90a,code=sm_90a" for a quick build
#   JOBS                     parallel compile jobs (default: the number of cpus)
#   SOFTCOT_NATIVE_BUILD_DIR output folder (default packages/backend-native/build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/packages/backend-native"
SRC="$PKG/native"
OUT="${SOFTCOT_NATIVE_BUILD_DIR:-$PKG/build}"
CXX="${CXX:-g++}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
WHAT=all
OPTIONAL=0
FORCE=0
SILENT=0
for a in "$@"; do
  case "$a" in
    cpu|cuda|all) WHAT="$a" ;;
    --optional) OPTIONAL=1 ;;
    --force) FORCE=1 ;;
    --silent) SILENT=1 ;;
    *) echo "build-native: unknown argument '$a' (cpu, cuda or all; --optional, --force, --silent)" >&2; exit 2 ;;
  esac
done
if [[ "$OPTIONAL" == 1 ]]; then
  # One line on failure, exit 0: the backend reports the missing addon itself and softcot falls back to wasm.
  if ! out="$(bash "${BASH_SOURCE[0]}" "$WHAT" $([[ "$FORCE" == 1 ]] && echo --force) 2>&1)"; then
    echo "build-native: the native $WHAT addon was not built ($(echo "$out" | grep -m1 -E 'ERROR|error' || echo "$out" | tail -n1)); softcot will use wasm"
  elif [[ "$SILENT" == 0 ]]; then
    echo "$out" | grep -E '^build-native: (OK|up to date|nvcc not found)' || true
  fi
  exit 0
fi

NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_INC="$(dirname "$(dirname "$NODE_BIN")")/include/node"
if [[ ! -f "$NODE_INC/node_api.h" ]]; then
  echo "build-native: ERROR: node_api.h not found in $NODE_INC (the Node.js headers ship with the node binary)" >&2
  exit 1
fi
command -v "$CXX" >/dev/null 2>&1 || { echo "build-native: ERROR: $CXX not found; install g++ (e.g. apt-get install g++)" >&2; exit 1; }

# Run the commands given one per line, $JOBS at a time; fail if any fails.
run_jobs() {
  local pids=() cmd status=0
  while IFS= read -r cmd; do
    [[ -n "$cmd" ]] || continue
    echo "build-native:   ${cmd%% *} ... -o $(basename "${cmd##* -o }")"
    bash -c "$cmd" & pids+=($!)
    if [[ ${#pids[@]} -ge $JOBS ]]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  return $status
}

LINK_FLAGS=(-shared -ldl -lpthread -static-libstdc++ -static-libgcc -Wl,--exclude-libs,ALL)

# True when $1 exists and is newer than every native source and this script.
fresh() {
  [[ "$FORCE" == 0 && -f "$1" ]] || return 1
  [[ -z "$(find "$SRC" "${BASH_SOURCE[0]}" -newer "$1" -type f 2>/dev/null | head -n1)" ]]
}

build_cpu() {
  local obj="$OUT/obj-cpu" start end
  if fresh "$OUT/softcot_cpu.node"; then echo "build-native: up to date $OUT/softcot_cpu.node"; return 0; fi
  mkdir -p "$obj"
  rm -f "$OUT/softcot_cpu.node" "$obj"/*.o   # a failed build never leaves a stale addon behind
  start=$(date +%s)
  echo "build-native: cpu device with $("$CXX" --version | head -n1), node headers $NODE_INC"
  local flags="-O3 -std=c++17 -fPIC -fvisibility=hidden -fno-math-errno -fno-trapping-math -pthread -Wall -Wno-unused-function -I$NODE_INC -DNAPI_VERSION=8"
  local isa_cmds=""
  if [[ "$(uname -m)" == "x86_64" ]]; then
    isa_cmds="$CXX $flags -DSC_GEMM_ISA=avx512 -mavx512f -mavx2 -mfma -c $SRC/cpu_gemm_kernel.cpp -o $obj/gemm_avx512.o
$CXX $flags -DSC_GEMM_ISA=avx2 -mavx2 -mfma -c $SRC/cpu_gemm_kernel.cpp -o $obj/gemm_avx2.o"
  fi
  run_jobs <<EOF
$CXX $flags -c $SRC/cpu_kernels.cpp -o $obj/cpu_kernels.o
$isa_cmds
$CXX $flags -DSC_GEMM_ISA=generic -c $SRC/cpu_gemm_kernel.cpp -o $obj/gemm_generic.o
$CXX $flags -c $SRC/cpu_gemm.cpp -o $obj/cpu_gemm.o
$CXX $flags -c $SRC/cpu_device.cpp -o $obj/cpu_device.o
$CXX $flags -c $SRC/pool.cpp -o $obj/pool.o
$CXX $flags -c $SRC/addon.cpp -o $obj/addon.o
EOF
  "$CXX" -o "$OUT/softcot_cpu.node.tmp" "$obj"/*.o "${LINK_FLAGS[@]}"
  mv "$OUT/softcot_cpu.node.tmp" "$OUT/softcot_cpu.node"
  end=$(date +%s)
  echo "build-native: OK $OUT/softcot_cpu.node ($(stat -c %s "$OUT/softcot_cpu.node") bytes) in $((end - start)) s"
}

# CUDA_HOME: the toolkit folder whose lib64 (or lib) holds libcudart_static.a.
find_cuda_home() {
  local cand f
  for cand in "${CUDA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")" /usr/local/cuda /usr/local/cuda-13*; do
    [[ -n "$cand" ]] || continue
    if [[ -f "$cand/lib64/libcudart_static.a" || -f "$cand/lib/libcudart_static.a" || -f "$cand/targets/x86_64-linux/lib/libcudart_static.a" ]]; then
      echo "$cand"; return 0
    fi
  done
  f="$(find / -name libcudart_static.a -not -path '*/proc/*' 2>/dev/null | head -n1 || true)"
  if [[ -n "$f" ]]; then dirname "$(dirname "$f")"; return 0; fi
  return 1
}

build_cuda() {
  local obj="$OUT/obj-cuda" start end home cudart=""
  if fresh "$OUT/softcot_cuda.node"; then echo "build-native: up to date $OUT/softcot_cuda.node"; return 0; fi
  home="$(find_cuda_home)" || { echo "build-native: ERROR: libcudart_static.a not found (set CUDA_HOME)" >&2; return 1; }
  for d in "$home/lib64" "$home/lib" "$home/targets/x86_64-linux/lib"; do
    if [[ -f "$d/libcudart_static.a" ]]; then cudart="$d"; break; fi
  done
  mkdir -p "$obj"
  rm -f "$OUT/softcot_cuda.node" "$obj"/*.o
  start=$(date +%s)
  echo "build-native: cuda device with nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), CUDA_HOME=$home"
  local archs="${SOFTCOT_CUDA_ARCHS:--gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a -gencode arch=compute_90,code=compute_90}"
  local nvflags="-O3 -std=c++17 -Xcompiler -fPIC,-fvisibility=hidden --expt-relaxed-constexpr $archs"
  run_jobs <<EOF
nvcc $nvflags -c $SRC/kernels.cu -o $obj/kernels.o
nvcc $nvflags -c $SRC/cublaslt.cu -o $obj/cublaslt.o
nvcc $nvflags -c $SRC/cuda_device.cu -o $obj/cuda_device.o
$CXX -O2 -std=c++17 -fPIC -fvisibility=hidden -I$NODE_INC -DNAPI_VERSION=8 -c $SRC/addon.cpp -o $obj/addon.o
EOF
  "$CXX" -o "$OUT/softcot_cuda.node.tmp" "$obj"/*.o -L"$cudart" -l:libcudart_static.a -lrt "${LINK_FLAGS[@]}"
  mv "$OUT/softcot_cuda.node.tmp" "$OUT/softcot_cuda.node"
  end=$(date +%s)
  echo "build-native: OK $OUT/softcot_cuda.node ($(stat -c %s "$OUT/softcot_cuda.node") bytes) in $((end - start)) s"
}

mkdir -p "$OUT"
if [[ "$WHAT" == cpu || "$WHAT" == all ]]; then build_cpu; fi
if [[ "$WHAT" == cuda || "$WHAT" == all ]]; then
  if command -v nvcc >/dev/null 2>&1; then
    build_cuda
  elif [[ "$WHAT" == cuda ]]; then
    echo "build-native: ERROR: nvcc not found on PATH; install the CUDA toolkit (>= 13) to build the cuda device" >&2
    exit 1
  else
    echo "build-native: nvcc not found: the cuda device is not built (the cpu device is; isNativeAvailable('cuda') says why)"
  fi
fi
