// The kernel math of the native backend, written once for both devices.
//
// Every function here is SC_HD: the cpu device (cpu_kernels.cpp, g++) and the cuda device (kernels.cu, nvcc) call
// the same formulas, so the cpu build -- which runs in CI -- tests what the GPU build computes. What the two devices
// do differently is the loop structure around these functions (thread pool and vector loops on the cpu, grid-stride
// loops, shared-memory trees and warp reductions on the GPU) and the GEMM (BLAS vs cuBLASLt); that is said next to
// the code in each file.
//
// Conventions:
// - Storage types: f32, bf16 and i32. Every float kernel computes in fp32; bf16 is storage only (one rounding to
//   nearest even when a value is stored).
// - Index arithmetic is int64 so a tensor may hold more than 2^31 elements.
#pragma once
#include "common.h"
#include <cmath>
#include <cstring>

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#endif

namespace softcot {

// ---------------------------------------------------------------------------------------------------------------
// bf16 <-> f32 on the host: round to nearest even; a NaN stays a quiet NaN (sign kept). The GPU uses the
// hardware conversions __float2bfloat16_rn / __bfloat162float, which round the same way.
// ---------------------------------------------------------------------------------------------------------------
inline uint16_t f32_to_bf16_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
inline float bf16_bits_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

#if defined(__CUDACC__)
typedef __nv_bfloat16 bf16_t;
SC_HD float bf16_load(bf16_t h) { return __bfloat162float(h); }
SC_HD bf16_t bf16_store(float f) { return __float2bfloat16_rn(f); }
#else
struct bf16_t { uint16_t bits; };
SC_HD float bf16_load(bf16_t h) { return bf16_bits_to_f32(h.bits); }
SC_HD bf16_t bf16_store(float f) { return bf16_t{f32_to_bf16_bits(f)}; }
#endif

// NaN test that survives any -O level (no -ffast-math is used, but x != x needs no header on either side).
SC_HD bool sc_isnan(float x) { return x != x; }

// ---------------------------------------------------------------------------------------------------------------
// Loads and stores: everything float is read as fp32 and written rounded to the storage type.
// ---------------------------------------------------------------------------------------------------------------
template <typename T> SC_HD float ldf(const T* p, int64_t i);
template <> SC_HD float ldf<float>(const float* p, int64_t i) { return p[i]; }
template <> SC_HD float ldf<bf16_t>(const bf16_t* p, int64_t i) { return bf16_load(p[i]); }
template <> SC_HD float ldf<int32_t>(const int32_t* p, int64_t i) { return (float)p[i]; }

// float -> int32 truncates toward zero, like tfjs's Int32Array conversion; NaN becomes 0.
SC_HD int32_t f32_to_i32(float v) {
  return sc_isnan(v) ? 0 : (int32_t)fminf(fmaxf(v, -2147483648.f), 2147483520.f);
}

template <typename T> SC_HD void stf(T* p, int64_t i, float v);
template <> SC_HD void stf<float>(float* p, int64_t i, float v) { p[i] = v; }
template <> SC_HD void stf<bf16_t>(bf16_t* p, int64_t i, float v) { p[i] = bf16_store(v); }
template <> SC_HD void stf<int32_t>(int32_t* p, int64_t i, float v) { p[i] = f32_to_i32(v); }

// Indices are stored exactly when the output is int32.
template <typename T> SC_HD void st_index(T* p, int64_t i, int64_t v) { stf(p, i, (float)v); }
template <> SC_HD void st_index<int32_t>(int32_t* p, int64_t i, int64_t v) { p[i] = (int32_t)v; }

// ---------------------------------------------------------------------------------------------------------------
// Unary: y = f(x) for f in
//   copy (a cast when the types differ), -x, e^x, ln x, sqrt x, 1/sqrt x, x^2, 1/(1+e^-x), clip(x, a, b), |x|,
//   tanh x, max(x, 0), floor x, (x != 0), !x, step(x) = x > 0 ? 1 : a (NaN stays NaN in clip, relu and step)
// With `op` a compile-time constant (the cpu device instantiates one loop per op) the switch folds away.
// ---------------------------------------------------------------------------------------------------------------
SC_HD float sc_rsqrt(float x) {
#if defined(__CUDA_ARCH__)
  return rsqrtf(x);  // GPU: the hardware approximation (<= 2 ulp); the cpu divides exactly
#else
  return 1.f / sqrtf(x);
#endif
}

SC_HD float unary_f(int op, float x, float a, float b) {
  switch (op) {
    case U_COPY: return x;
    case U_NEG: return -x;
    case U_EXP: return expf(x);
    case U_LOG: return logf(x);
    case U_SQRT: return sqrtf(x);
    case U_RSQRT: return sc_rsqrt(x);
    case U_SQUARE: return x * x;
    case U_SIGMOID: return 1.f / (1.f + expf(-x));
    case U_CLIP: return sc_isnan(x) ? x : fminf(fmaxf(x, a), b);  // NaN stays NaN, like tfjs
    case U_ABS: return fabsf(x);
    case U_TANH: return tanhf(x);
    case U_RELU: return sc_isnan(x) || x > 0.f ? x : 0.f;
    case U_FLOOR: return floorf(x);
    case U_NOTZERO: return x != 0.f ? 1.f : 0.f;
    case U_LOGICAL_NOT: return x != 0.f ? 0.f : 1.f;
    case U_STEP: return sc_isnan(x) ? x : (x > 0.f ? 1.f : a);
  }
  return NAN;
}

// Exact int32 arithmetic where tfjs keeps int32 (wrapping like Math.imul / |0 in JS); the rest goes through fp32.
SC_HD int32_t unary_i(int op, int32_t x, float a, float b) {
  switch (op) {
    case U_COPY: return x;
    case U_NEG: return (int32_t)(0u - (uint32_t)x);
    case U_SQUARE: return (int32_t)((uint32_t)x * (uint32_t)x);
    case U_ABS: return x < 0 ? (int32_t)(0u - (uint32_t)x) : x;
    case U_RELU: return x > 0 ? x : 0;
    case U_FLOOR: return x;
    case U_CLIP: return (int32_t)fminf(fmaxf((float)x, a), b);
    case U_NOTZERO: return x != 0;
    case U_LOGICAL_NOT: return x == 0;
  }
  return f32_to_i32(unary_f(op, (float)x, a, b));
}

// ---------------------------------------------------------------------------------------------------------------
// Binary: y = f(a, b); comparisons and logical ops give 1/0; floor division is floor(a / b). Integer inputs use exact (wrapping) int32 arithmetic
// except for division and pow, which are computed in fp32.
// ---------------------------------------------------------------------------------------------------------------
SC_HD float binary_f(int op, float a, float b) {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return powf(a, b);
    case B_MAX: return (sc_isnan(a) || sc_isnan(b)) ? NAN : fmaxf(a, b);
    case B_MIN: return (sc_isnan(a) || sc_isnan(b)) ? NAN : fminf(a, b);
    case B_GREATER: return a > b;
    case B_GREATER_EQ: return a >= b;
    case B_LESS: return a < b;
    case B_LESS_EQ: return a <= b;
    case B_EQUAL: return a == b;
    case B_NOT_EQUAL: return a != b;
    case B_LOGICAL_AND: return (a != 0.f) && (b != 0.f);
    case B_LOGICAL_OR: return (a != 0.f) || (b != 0.f);
    case B_FLOOR_DIV: return floorf(a / b);
  }
  return NAN;
}
SC_HD int32_t binary_i(int op, int32_t a, int32_t b) {
  switch (op) {
    case B_ADD: return (int32_t)((uint32_t)a + (uint32_t)b);
    case B_SUB: return (int32_t)((uint32_t)a - (uint32_t)b);
    case B_MUL: return (int32_t)((uint32_t)a * (uint32_t)b);
    case B_MAX: return a > b ? a : b;
    case B_MIN: return a < b ? a : b;
    case B_GREATER: return a > b;
    case B_GREATER_EQ: return a >= b;
    case B_LESS: return a < b;
    case B_LESS_EQ: return a <= b;
    case B_EQUAL: return a == b;
    case B_NOT_EQUAL: return a != b;
    case B_LOGICAL_AND: return (a != 0) && (b != 0);
    case B_LOGICAL_OR: return (a != 0) || (b != 0);
    case B_FLOOR_DIV: {
      // floor(a / b); division by zero gives 0 (tfjs stores +-Infinity and NaN into an Int32Array as 0)
      if (b == 0) return 0;
      if (b == -1) return (int32_t)(0u - (uint32_t)a);  // INT32_MIN / -1 wraps, as in JS
      const int32_t q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    }
  }
  return 0;
}
SC_HD bool binary_int_exact(int op) { return op != B_DIV && op != B_POW; }

// ---------------------------------------------------------------------------------------------------------------
// Strided index: element i of the output -> element offsets of the operands.
//   coord_d = (i / prod(shape[d+1:])) % shape[d];  off_k = offset_k + sum_d coord_d * stride_k[d]
// Operand 0's coordinate wraps modulo mod[d] when mod[d] > 0 (Tile).
// ---------------------------------------------------------------------------------------------------------------
template <int NOPS>
SC_HD void strided_offsets(const Geom& g, int64_t i, int64_t* off) {
  for (int k = 0; k < NOPS; ++k) off[k] = g.offset[k];
  for (int d = g.rank - 1; d >= 0; --d) {
    int64_t c = i % g.shape[d];
    i /= g.shape[d];
    for (int k = 0; k < NOPS; ++k) {
      int64_t ck = (k == 0 && g.mod[d] > 0) ? c % g.mod[d] : c;
      off[k] += ck * g.stride[k][d];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Row reductions over the last axis of a [rows, cols] view.
//   sum: s = sum_j x_j (fp32 accumulation); mean: s / cols; max/min: the extremum, NaN when the row holds a NaN
//   (like tfjs); argmax/argmin: the first index of the extremum ignoring NaN (0 for an all-NaN row).
// A partial result is an Extremum; partials merge in any order and give the same answer (ties keep the lower index).
// ---------------------------------------------------------------------------------------------------------------
template <typename V>
struct Extremum {
  V v;
  int64_t i;  // < 0: nothing seen yet
};
SC_HD bool reduce_is_sum(int op) { return op == R_SUM || op == R_MEAN; }
SC_HD bool reduce_wants_max(int op) { return op == R_MAX || op == R_ARGMAX; }
SC_HD bool reduce_is_arg(int op) { return op == R_ARGMAX || op == R_ARGMIN; }

template <typename V>
SC_HD bool extremum_is_nan(const Extremum<V>& a) { return a.i >= 0 && sc_isnan((float)a.v); }
template <typename V>
SC_HD void extremum_step(int op, Extremum<V>& a, V v, int64_t j) {
  if (extremum_is_nan(a)) return;  // max/min: a NaN has already decided the row
  if (sc_isnan((float)v)) {
    if (!reduce_is_arg(op)) { a.v = v; a.i = j; }
    return;
  }
  if (a.i < 0 || (reduce_wants_max(op) ? v > a.v : v < a.v)) { a.v = v; a.i = j; }
}
template <typename V>
SC_HD void extremum_merge(int op, Extremum<V>& a, const Extremum<V>& o) {
  if (o.i < 0 || extremum_is_nan(a)) return;
  if (extremum_is_nan(o) || a.i < 0 || (reduce_wants_max(op) ? o.v > a.v : o.v < a.v) || (o.v == a.v && o.i < a.i)) a = o;
}
// Store a row's float result: the sum/mean, the extremum, or its index.
template <typename TY>
SC_HD void reduce_store(int op, TY* y, int64_t r, float sum, const Extremum<float>& e, int64_t cols) {
  if (reduce_is_sum(op)) stf(y, r, op == R_MEAN ? sum / (float)cols : sum);
  else if (reduce_is_arg(op)) st_index(y, r, e.i < 0 ? 0 : e.i);
  else stf(y, r, e.i < 0 ? NAN : e.v);
}
// The exact int32 version (indices, counts): mean truncates toward zero like tfjs-cpu.
SC_HD int32_t reduce_result_i(int op, int64_t sum, const Extremum<int64_t>& e, int64_t cols) {
  if (reduce_is_sum(op)) return (int32_t)(op == R_MEAN ? sum / cols : sum);
  if (reduce_is_arg(op)) return (int32_t)(e.i < 0 ? 0 : e.i);
  return (int32_t)e.v;
}

// ---------------------------------------------------------------------------------------------------------------
// Softmax over the last axis, fp32 throughout:
//   m = max_j x_j;  s = sum_j e^(x_j - m);  y_j = e^(x_j - m) / s
// (m, s) is computed online: s is rescaled by e^(m_old - m_new) whenever the max grows; partials merge the same way.
// ---------------------------------------------------------------------------------------------------------------
SC_HD void online_combine(float& m, float& s, float m2, float s2) {
  if (m2 == -INFINITY) return;
  if (m == -INFINITY) { m = m2; s = s2; return; }
  float mn = fmaxf(m, m2);
  s = s * expf(m - mn) + s2 * expf(m2 - mn);
  m = mn;
}

// ---------------------------------------------------------------------------------------------------------------
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): counter c, key (k0, k1).
// Used by Multinomial: the draw for (row r, sample q) is u24 of word 0 at counter (r * samples + q, 0, 0, 0).
// ---------------------------------------------------------------------------------------------------------------
struct U4 { uint32_t x, y, z, w; };

constexpr U4 philox4x32_10(U4 c, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = (uint64_t)0xD2511F53u * c.x, p1 = (uint64_t)0xCD9E8D57u * c.z;
    c = U4{(uint32_t)(p1 >> 32) ^ c.y ^ k0, (uint32_t)p1, (uint32_t)(p0 >> 32) ^ c.w ^ k1, (uint32_t)p0};
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c;
}
#if !defined(__CUDA_ARCH__)
// The Random123 known-answer vectors, checked by every build (g++ and nvcc's host pass).
constexpr bool philox_is(U4 got, U4 want) { return got.x == want.x && got.y == want.y && got.z == want.z && got.w == want.w; }
static_assert(philox_is(philox4x32_10(U4{0, 0, 0, 0}, 0, 0), U4{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}),
              "Philox4x32-10 known-answer vector 1");
static_assert(philox_is(philox4x32_10(U4{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, 0xffffffffu, 0xffffffffu),
                        U4{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}),
              "Philox4x32-10 known-answer vector 2");
static_assert(philox_is(philox4x32_10(U4{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, 0xa4093822u, 0x299f31d0u),
                        U4{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}),
              "Philox4x32-10 known-answer vector 3");
#endif

// (w >> 8) * 2^-24: a float in [0, 1).
SC_HD float u24(uint32_t w) { return (float)(w >> 8) * (1.0f / 16777216.0f); }

// The uniform draw for (row r, sample q) of a multinomial with `samples` draws per row.
SC_HD float multinomial_uniform(int64_t r, int64_t q, int64_t samples, uint64_t seed) {
  const uint64_t ctr = (uint64_t)r * (uint64_t)samples + (uint64_t)q;
  return u24(philox4x32_10(U4{(uint32_t)ctr, (uint32_t)(ctr >> 32), 0u, 0u}, (uint32_t)seed, (uint32_t)(seed >> 32)).x);
}
// Unnormalised class weight: p_j = e^(x_j - max x) for logits, max(x_j, 0) for probabilities.
SC_HD float multinomial_weight(float x, float mx, bool normalized) {
  return normalized ? fmaxf(x, 0.f) : expf(x - mx);
}

// ---------------------------------------------------------------------------------------------------------------
// TopK order: (v, j) comes before (pv, pj) when v > pv, or v == pv and j < pj; NaN never enters.
// Pass p of a k-pass selection looks for the best candidate strictly after the one pass p-1 picked.
// ---------------------------------------------------------------------------------------------------------------
SC_HD bool topk_before(float v, int64_t j, float pv, int64_t pj) { return v > pv || (v == pv && j < pj); }

}  // namespace softcot
