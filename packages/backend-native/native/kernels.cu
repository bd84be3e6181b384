// The cuda device's kernels: elementwise, strided copies, reductions, softmax, gather/scatter, sampling, top-k and
// a fallback GEMM. One translation unit to keep the nvcc build short.
//
// The per-element and per-row math (loads/stores, unary/binary ops, strided indexing, reduction partials, online
// softmax, Philox, multinomial weights, top-k order) comes from kernel_math.h and is the same code the cpu device
// runs (cpu_kernels.cpp), so CI's cpu build tests these formulas. What only exists here is the GPU's loop
// structure: grid-stride loops, one block per row with shared-memory trees to combine partials, atomics for the
// segment sum, and the chunked prefix scan of the multinomial.
#include "cuda_launch.h"
#include "kernel_math.h"
#include <cfloat>
#include <type_traits>

namespace softcot {

constexpr int TPB = 256;  // threads per block for elementwise kernels

inline int grid_for(int64_t n, int tpb = TPB) {
  int64_t g = (n + tpb - 1) / tpb;
  if (g > 65535LL * 64) g = 65535LL * 64;  // grid-stride loops cover the rest
  return (int)(g < 1 ? 1 : g);
}

#define GRID_STRIDE(i, n) \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

// ---------------------------------------------------------------------------------------------------------------
// Fill: y[i] = value
// ---------------------------------------------------------------------------------------------------------------
template <typename T> __global__ void fill_kernel(T* y, int64_t n, float v) {
  GRID_STRIDE(i, n) stf(y, i, v);
}
__global__ void fill_i32_kernel(int32_t* y, int64_t n, int32_t v) {
  GRID_STRIDE(i, n) y[i] = v;
}

// Unary: y[i] = unary_f(op, x[i]) (kernel_math.h)
template <typename TX, typename TY>
__global__ void unary_kernel(int op, const TX* x, TY* y, int64_t n, float a, float b) {
  GRID_STRIDE(i, n) stf(y, i, unary_f(op, ldf(x, i), a, b));
}
__global__ void unary_i32_kernel(int op, const int32_t* x, int32_t* y, int64_t n, float a, float b) {
  GRID_STRIDE(i, n) y[i] = unary_i(op, x[i], a, b);
}

// Binary with broadcasting: y[i] = binary_f(op, a[off_a(i)], b[off_b(i)]) (kernel_math.h)
template <typename TI, typename TY>
__global__ void binary_kernel(int op, const TI* a, const TI* b, TY* y, Geom g) {
  GRID_STRIDE(i, g.n) {
    int64_t off[2];
    strided_offsets<2>(g, i, off);
    stf(y, i, binary_f(op, ldf(a, off[0]), ldf(b, off[1])));
  }
}
__global__ void binary_i32_kernel(int op, const int32_t* a, const int32_t* b, int32_t* y, Geom g) {
  GRID_STRIDE(i, g.n) {
    int64_t off[2];
    strided_offsets<2>(g, i, off);
    y[i] = binary_i(op, a[off[0]], b[off[1]]);
  }
}

// Select: y[i] = c[off_c(i)] != 0 ? a[off_a(i)] : b[off_b(i)]   (operands 0, 1, 2 = c, a, b)
template <typename T>
__global__ void select_kernel(const int32_t* c, const T* a, const T* b, T* y, Geom g) {
  GRID_STRIDE(i, g.n) {
    int64_t off[3];
    strided_offsets<3>(g, i, off);
    y[i] = c[off[0]] != 0 ? a[off[1]] : b[off[2]];
  }
}

// Strided copy: y[off_y(i)] = cast(x[off_x(i)]). Operand 0 is x (with optional Tile wrap), operand 1 is y.
// Transpose, Slice, Tile, Concat (one call per input), PadV2 (fill + interior copy), broadcast and casts all
// reduce to this one kernel.
template <typename TX, typename TY>
__global__ void strided_copy_kernel(const TX* x, TY* y, Geom g) {
  GRID_STRIDE(i, g.n) {
    int64_t off[2];
    strided_offsets<2>(g, i, off);
    if constexpr (std::is_same<TX, TY>::value) y[off[1]] = x[off[0]];  // a raw copy (exact int32, no bf16 round trip)
    else stf(y, off[1], ldf(x, off[0]));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Row reductions over the last axis of a [rows, cols] view (the TS side transposes the reduced axes last).
//   sum: s = sum_j x_j (fp32);  mean: s / cols;  max/min;  argmax/argmin: the first index of the extremum.
// One block per row; each thread strides over the row, then a shared-memory tree combines the partials.
// ---------------------------------------------------------------------------------------------------------------
constexpr int RTPB = 256;

// The block's partials -> thread 0: sums add, extrema merge (extremum_merge keeps the lower index on ties).
template <typename V>
__device__ void block_combine(int op, V* sv, int64_t* si) {
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) {
      if (reduce_is_sum(op)) sv[threadIdx.x] += sv[threadIdx.x + w];
      else {
        Extremum<V> a{sv[threadIdx.x], si[threadIdx.x]};
        extremum_merge(op, a, Extremum<V>{sv[threadIdx.x + w], si[threadIdx.x + w]});
        sv[threadIdx.x] = a.v;
        si[threadIdx.x] = a.i;
      }
    }
    __syncthreads();
  }
}

// V: the accumulator, float (any storage) or int64_t (the exact int32 path: indices, counts).
template <typename V, typename TX> __device__ __forceinline__ V load_acc(const TX* x, int64_t i) { return ldf(x, i); }
template <> __device__ __forceinline__ int64_t load_acc<int64_t, int32_t>(const int32_t* x, int64_t i) { return x[i]; }

template <typename V, typename TX, typename TY>
__global__ void reduce_kernel(int op, const TX* x, TY* y, int64_t rows, int64_t cols) {
  __shared__ V sv[RTPB];
  __shared__ int64_t si[RTPB];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t base = r * cols;
    V sum = 0;
    Extremum<V> e{0, -1};
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      const V v = load_acc<V>(x, base + j);
      if (reduce_is_sum(op)) sum += v;
      else extremum_step<V>(op, e, v, j);
    }
    sv[threadIdx.x] = reduce_is_sum(op) ? sum : e.v;
    si[threadIdx.x] = e.i;
    __syncthreads();
    block_combine(op, sv, si);
    if (threadIdx.x == 0) {
      if constexpr (sizeof(V) == sizeof(float)) reduce_store(op, y, r, sv[0], Extremum<float>{sv[0], si[0]}, cols);
      else y[r] = reduce_result_i(op, sv[0], Extremum<int64_t>{sv[0], si[0]}, cols);
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Softmax over the last axis, fp32 throughout:
//   m = max_j x_j;  s = sum_j e^(x_j - m);  y_j = e^(x_j - m) / s
// One pass computes (m, s) online (s is rescaled by e^(m_old - m_new) whenever the max grows), a second writes y.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
__global__ void softmax_kernel(const T* x, T* y, int64_t rows, int64_t cols) {
  __shared__ float sm[RTPB];
  __shared__ float ss[RTPB];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t base = r * cols;
    float m = -INFINITY, s = 0.f;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) online_combine(m, s, ldf(x, base + j), 1.f);
    sm[threadIdx.x] = m;
    ss[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
      if (threadIdx.x < w) {
        float mm = sm[threadIdx.x], s1 = ss[threadIdx.x];
        online_combine(mm, s1, sm[threadIdx.x + w], ss[threadIdx.x + w]);
        sm[threadIdx.x] = mm;
        ss[threadIdx.x] = s1;
      }
      __syncthreads();
    }
    const float mx = sm[0], inv = 1.f / ss[0];
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) stf(y, base + j, expf(ldf(x, base + j) - mx) * inv);
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// GatherV2 (batchDims = 0): x viewed as [outer, axis_dim, inner], idx of length n_idx,
//   y[o, j, i] = x[o, idx[j], i]      (an index outside [0, axis_dim) gives 0)
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
__global__ void gather_kernel(const T* x, const int32_t* idx, T* y, int64_t outer, int64_t axis_dim, int64_t inner,
                              int64_t n_idx) {
  const int64_t n = outer * n_idx * inner;
  GRID_STRIDE(e, n) {
    int64_t i = e % inner;
    int64_t j = (e / inner) % n_idx;
    int64_t o = e / (inner * n_idx);
    int32_t src = idx[j];
    if (src < 0 || src >= axis_dim) stf(y, e, 0.f);
    else y[e] = x[(o * axis_dim + src) * inner + i];
  }
}

// UnsortedSegmentSum: x viewed as [rows, inner], seg[rows];  y[seg[r], i] += x[r, i]  (fp32 or int32 atomics;
// y must be zeroed first; rows with a segment id outside [0, num_segments) are dropped).
template <typename TX>
__global__ void segment_sum_kernel(const TX* x, const int32_t* seg, float* y, int64_t rows, int64_t inner,
                                   int64_t num_segments) {
  GRID_STRIDE(e, rows * inner) {
    int64_t r = e / inner, i = e % inner;
    int32_t s = seg[r];
    if (s >= 0 && s < num_segments) atomicAdd(&y[s * inner + i], ldf(x, e));
  }
}
__global__ void segment_sum_i32_kernel(const int32_t* x, const int32_t* seg, int32_t* y, int64_t rows, int64_t inner,
                                       int64_t num_segments) {
  GRID_STRIDE(e, rows * inner) {
    int64_t r = e / inner, i = e % inner;
    int32_t s = seg[r];
    if (s >= 0 && s < num_segments) atomicAdd(&y[s * inner + i], x[e]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Multinomial: for each row r and sample s, draw j with probability p_j / sum p, where
//   p_j = e^(x_j - max x) (logits, normalized = false) or p_j = x_j (normalized = true).
// u = multinomial_uniform(r, s) (Philox, kernel_math.h); target t = u * sum p.
// Thread k owns a contiguous chunk; the chunk sums are scanned in shared memory and the one thread whose chunk
// holds t walks it to find the first j with cumsum_j > t. Ties at the end fall to the last nonzero p_j.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
__global__ void multinomial_kernel(const T* x, int32_t* out, int64_t classes, int64_t samples, uint64_t seed,
                                   bool normalized) {
  __shared__ float part[RTPB];
  __shared__ float sm[RTPB];
  __shared__ int last_nz_thread;
  __shared__ int64_t found;
  const int64_t r = blockIdx.x;
  const T* row = x + r * classes;
  const int tid = threadIdx.x, nt = blockDim.x;
  // row max (only used for logits)
  float m = -INFINITY;
  if (!normalized)
    for (int64_t j = tid; j < classes; j += nt) m = fmaxf(m, ldf(row, j));
  sm[tid] = m;
  __syncthreads();
  for (int w = nt / 2; w > 0; w >>= 1) {
    if (tid < w) sm[tid] = fmaxf(sm[tid], sm[tid + w]);
    __syncthreads();
  }
  const float mx = normalized ? 0.f : sm[0];
  const int64_t chunk = (classes + nt - 1) / nt;
  const int64_t j0 = tid * chunk, j1 = min(classes, j0 + chunk);
  float s = 0.f;
  for (int64_t j = j0; j < j1; ++j) s += multinomial_weight(ldf(row, j), mx, normalized);
  if (tid == 0) last_nz_thread = 0;
  __syncthreads();
  if (s > 0.f) atomicMax(&last_nz_thread, tid);
  // inclusive scan of chunk sums (Hillis-Steele)
  part[tid] = s;
  __syncthreads();
  for (int off = 1; off < nt; off <<= 1) {
    float v = tid >= off ? part[tid - off] : 0.f;
    __syncthreads();
    part[tid] += v;
    __syncthreads();
  }
  const float total = part[nt - 1];
  const float excl = part[tid] - s, incl = part[tid];
  for (int64_t q = 0; q < samples; ++q) {
    if (tid == 0) found = -1;
    __syncthreads();
    const float t = multinomial_uniform(r, q, samples, seed) * total;
    const bool mine = (s > 0.f && t >= excl && t < incl) || (tid == last_nz_thread && t >= incl);
    if (mine) {
      float c = excl;
      int64_t pick = -1;
      for (int64_t j = j0; j < j1; ++j) {
        const float p = multinomial_weight(ldf(row, j), mx, normalized);
        if (p > 0.f) pick = j;
        c += p;
        if (c > t && p > 0.f) break;
      }
      found = pick;
    }
    __syncthreads();
    if (tid == 0) out[r * samples + q] = (int32_t)(found < 0 ? 0 : found);
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// TopK over the last axis, k passes per row: pass p finds the first pair in topk order (topk_before: larger value,
// then lower index) after the pair picked by pass p-1, so values come out sorted descending (NaN is skipped).
// The cpu device keeps a heap instead (one pass); both give the same order.
// Cost O(k * cols) per row: fine for sampling (k <= ~100); a radix select is the upgrade for large k.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
__global__ void topk_kernel(const T* x, T* vals, int32_t* idx, int64_t cols, int64_t k) {
  __shared__ float sv[RTPB];
  __shared__ int64_t si[RTPB];
  const int64_t r = blockIdx.x;
  const T* row = x + r * cols;
  float pv = INFINITY;
  int64_t pi = -1;
  for (int64_t p = 0; p < k; ++p) {
    float bv = -INFINITY;
    int64_t bi = -1;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      float v = ldf(row, j);
      if (sc_isnan(v)) continue;
      const bool after_previous = p == 0 || topk_before(pv, pi, v, j);
      if (after_previous && (bi < 0 || topk_before(v, j, bv, bi))) { bv = v; bi = j; }
    }
    sv[threadIdx.x] = bv;
    si[threadIdx.x] = bi;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
      if (threadIdx.x < w) {
        float o = sv[threadIdx.x + w];
        int64_t oi = si[threadIdx.x + w];
        if (oi >= 0 && (si[threadIdx.x] < 0 || topk_before(o, oi, sv[threadIdx.x], si[threadIdx.x]))) {
          sv[threadIdx.x] = o;
          si[threadIdx.x] = oi;
        }
      }
      __syncthreads();
    }
    pv = sv[0];
    pi = si[0];
    if (threadIdx.x == 0) {
      idx[r * k + p] = (int32_t)(pi < 0 ? 0 : pi);
      if (pi >= 0) vals[r * k + p] = row[pi]; else stf(vals, r * k + p, NAN);
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fallback GEMM (used when cuBLASLt is missing): C[b] = op(A[b]) op(B[b]), row-major, fp32 accumulation,
// 16x16 shared-memory tiles. Correct, not fast (a few TFLOP/s at best): it exists so the backend still works.
// ---------------------------------------------------------------------------------------------------------------
constexpr int MT = 16;
template <typename T>
__global__ void matmul_naive_kernel(const T* A, const T* B, T* C, int64_t M, int64_t N, int64_t K, bool ta, bool tb,
                                    int64_t sa, int64_t sb, int64_t sc) {
  __shared__ float As[MT][MT + 1];
  __shared__ float Bs[MT][MT + 1];
  const int64_t bz = blockIdx.z;
  const T* a = A + bz * sa;
  const T* b = B + bz * sb;
  const int64_t row = (int64_t)blockIdx.y * MT + threadIdx.y, col = (int64_t)blockIdx.x * MT + threadIdx.x;
  float acc = 0.f;
  for (int64_t k0 = 0; k0 < K; k0 += MT) {
    int64_t ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    // A is [M,K] (or [K,M] when ta), B is [K,N] (or [N,K] when tb)
    As[threadIdx.y][threadIdx.x] = (row < M && ka < K) ? ldf(a, ta ? ka * M + row : row * K + ka) : 0.f;
    Bs[threadIdx.y][threadIdx.x] = (kb < K && col < N) ? ldf(b, tb ? col * K + kb : kb * N + col) : 0.f;
    __syncthreads();
#pragma unroll
    for (int q = 0; q < MT; ++q) acc += As[threadIdx.y][q] * Bs[q][threadIdx.x];
    __syncthreads();
  }
  if (row < M && col < N) stf(C + bz * sc, row * N + col, acc);
}

// ===============================================================================================================
// Launchers: run-time dtype dispatch.
// ===============================================================================================================
#define CHECK_LAUNCH() return cudaGetLastError()

#define DISPATCH_T(t, T, ...)                                   \
  switch (t) {                                                   \
    case DT_F32: { typedef float T; __VA_ARGS__; break; }        \
    case DT_BF16: { typedef bf16_t T; __VA_ARGS__; break; } \
    case DT_I32: { typedef int32_t T; __VA_ARGS__; break; }      \
    default: return cudaErrorInvalidValue;                       \
  }
#define DISPATCH_FT(t, T, ...)                                   \
  switch (t) {                                                   \
    case DT_F32: { typedef float T; __VA_ARGS__; break; }        \
    case DT_BF16: { typedef bf16_t T; __VA_ARGS__; break; } \
    default: return cudaErrorInvalidValue;                       \
  }

cudaError_t launch_fill(void* y, int ty, int64_t n, double value, cudaStream_t s) {
  if (n <= 0) return cudaSuccess;
  if (ty == DT_I32) fill_i32_kernel<<<grid_for(n), TPB, 0, s>>>((int32_t*)y, n, (int32_t)value);
  else DISPATCH_FT(ty, T, fill_kernel<T><<<grid_for(n), TPB, 0, s>>>((T*)y, n, (float)value));
  CHECK_LAUNCH();
}

cudaError_t launch_unary(int op, const void* x, int tx, void* y, int ty, int64_t n, float a, float b, cudaStream_t s) {
  if (n <= 0) return cudaSuccess;
  if (op < 0 || op >= U_COUNT) return cudaErrorInvalidValue;
  if (tx == DT_I32 && ty == DT_I32) {
    unary_i32_kernel<<<grid_for(n), TPB, 0, s>>>(op, (const int32_t*)x, (int32_t*)y, n, a, b);
  } else {
    DISPATCH_T(tx, TX, DISPATCH_T(ty, TY, unary_kernel<TX, TY><<<grid_for(n), TPB, 0, s>>>(op, (const TX*)x, (TY*)y, n, a, b)));
  }
  CHECK_LAUNCH();
}

cudaError_t launch_binary(int op, const void* a, const void* b, int tin, void* y, int ty, const Geom& g, cudaStream_t s) {
  if (g.n <= 0) return cudaSuccess;
  if (op < 0 || op >= B_COUNT) return cudaErrorInvalidValue;
  if (tin == DT_I32 && ty == DT_I32 && op != B_DIV && op != B_POW) {
    binary_i32_kernel<<<grid_for(g.n), TPB, 0, s>>>(op, (const int32_t*)a, (const int32_t*)b, (int32_t*)y, g);
  } else {
    DISPATCH_T(tin, TI, DISPATCH_T(ty, TY, binary_kernel<TI, TY><<<grid_for(g.n), TPB, 0, s>>>(op, (const TI*)a, (const TI*)b, (TY*)y, g)));
  }
  CHECK_LAUNCH();
}

cudaError_t launch_select(const void* c, const void* a, const void* b, int t, void* y, const Geom& g, cudaStream_t s) {
  if (g.n <= 0) return cudaSuccess;
  DISPATCH_T(t, T, select_kernel<T><<<grid_for(g.n), TPB, 0, s>>>((const int32_t*)c, (const T*)a, (const T*)b, (T*)y, g));
  CHECK_LAUNCH();
}

cudaError_t launch_strided_copy(const void* x, int tx, void* y, int ty, const Geom& g, cudaStream_t s) {
  if (g.n <= 0) return cudaSuccess;
  DISPATCH_T(tx, TX, DISPATCH_T(ty, TY, strided_copy_kernel<TX, TY><<<grid_for(g.n), TPB, 0, s>>>((const TX*)x, (TY*)y, g)));
  CHECK_LAUNCH();
}

static int rows_grid(int64_t rows) { return (int)(rows < 65535LL * 16 ? (rows < 1 ? 1 : rows) : 65535LL * 16); }

cudaError_t launch_reduce(int op, const void* x, int tx, void* y, int ty, int64_t rows, int64_t cols, cudaStream_t s) {
  if (rows <= 0) return cudaSuccess;
  if (op < 0 || op >= R_COUNT) return cudaErrorInvalidValue;
  if (tx == DT_I32 && ty == DT_I32) {
    reduce_kernel<int64_t, int32_t, int32_t><<<rows_grid(rows), RTPB, 0, s>>>(op, (const int32_t*)x, (int32_t*)y, rows, cols);
  } else {
    DISPATCH_T(tx, TX, DISPATCH_T(ty, TY, reduce_kernel<float, TX, TY><<<rows_grid(rows), RTPB, 0, s>>>(op, (const TX*)x, (TY*)y, rows, cols)));
  }
  CHECK_LAUNCH();
}

cudaError_t launch_softmax(const void* x, void* y, int t, int64_t rows, int64_t cols, cudaStream_t s) {
  if (rows <= 0) return cudaSuccess;
  DISPATCH_FT(t, T, softmax_kernel<T><<<rows_grid(rows), RTPB, 0, s>>>((const T*)x, (T*)y, rows, cols));
  CHECK_LAUNCH();
}

cudaError_t launch_gather(const void* x, int t, const int32_t* idx, void* y, int64_t outer, int64_t axis_dim,
                          int64_t inner, int64_t n_idx, cudaStream_t s) {
  int64_t n = outer * n_idx * inner;
  if (n <= 0) return cudaSuccess;
  DISPATCH_T(t, T, gather_kernel<T><<<grid_for(n), TPB, 0, s>>>((const T*)x, idx, (T*)y, outer, axis_dim, inner, n_idx));
  CHECK_LAUNCH();
}

cudaError_t launch_segment_sum(const void* x, int tx, const int32_t* seg, void* y, int ty, int64_t rows,
                               int64_t inner, int64_t num_segments, cudaStream_t s) {
  cudaError_t e = cudaMemsetAsync(y, 0, (size_t)(num_segments * inner) * 4, s);
  if (e != cudaSuccess) return e;
  int64_t n = rows * inner;
  if (n <= 0) return cudaSuccess;
  if (ty == DT_I32) {
    if (tx != DT_I32) return cudaErrorInvalidValue;
    segment_sum_i32_kernel<<<grid_for(n), TPB, 0, s>>>((const int32_t*)x, seg, (int32_t*)y, rows, inner, num_segments);
  } else if (ty == DT_F32) {
    DISPATCH_T(tx, TX, segment_sum_kernel<TX><<<grid_for(n), TPB, 0, s>>>((const TX*)x, seg, (float*)y, rows, inner, num_segments));
  } else {
    return cudaErrorInvalidValue;  // bf16 output: the TS side accumulates in f32 and casts
  }
  CHECK_LAUNCH();
}

cudaError_t launch_multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes,
                               int64_t samples, uint64_t seed, bool normalized, cudaStream_t s) {
  if (batch <= 0 || samples <= 0) return cudaSuccess;
  if (batch > 2147483647LL) return cudaErrorInvalidValue;
  DISPATCH_FT(t, T, multinomial_kernel<T><<<(unsigned)batch, RTPB, 0, s>>>((const T*)logits, out, classes, samples, seed, normalized));
  CHECK_LAUNCH();
}

cudaError_t launch_topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k,
                        cudaStream_t s) {
  if (rows <= 0 || k <= 0) return cudaSuccess;
  if (rows > 2147483647LL) return cudaErrorInvalidValue;
  DISPATCH_T(t, T, topk_kernel<T><<<(unsigned)rows, RTPB, 0, s>>>((const T*)x, (T*)vals, idx, cols, k));
  CHECK_LAUNCH();
}

cudaError_t launch_matmul_naive(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n,
                                int64_t k, bool ta, bool tb, int64_t sa, int64_t sb, int64_t sc, cudaStream_t s) {
  if (batch <= 0 || m <= 0 || n <= 0) return cudaSuccess;
  dim3 grid((unsigned)((n + MT - 1) / MT), (unsigned)((m + MT - 1) / MT), (unsigned)batch);
  dim3 block(MT, MT);
  DISPATCH_FT(t, T, matmul_naive_kernel<T><<<grid, block, 0, s>>>((const T*)a, (const T*)b, (T*)c, m, n, k, ta, tb, sa, sb, sc));
  CHECK_LAUNCH();
}

}  // namespace softcot
