// The cpu device's built-in GEMM: C[mt, nt] = op(A)[mt, K] op(B)[K, nt] for one tile, fp32 accumulation.
//
// It is used when no BLAS library is found, and always for bf16 storage (the BLAS libraries have no bf16-in,
// bf16-out GEMM): panels are packed to fp32, so bf16 inputs are widened once per pack and the result is rounded once.
//
// This file is compiled once per instruction set (build-native.sh: -DSC_GEMM_ISA=avx512 with -mavx512f -mfma,
// avx2 with -mavx2 -mfma, generic with the baseline), each into its own namespace; cpu_gemm.cpp picks one at run
// time. Blocking follows the BLIS/GotoBLAS layout:
//   for pc in K by KC:  pack B[pc:pc+KC, tile] into NR-wide slivers (k-major)
//     for ic in M by MC:  pack A[ic:ic+MC, pc:pc+KC] into MR-tall slivers (k-major)
//       for each (MR x NR) micro-tile:  c[MR][NR] += sum_k a[k][MR] (outer) b[k][NR]
// The micro-kernel keeps c in vector registers: MR rows x NR/16 vectors of 16 floats (GCC vector extensions; with
// AVX-512 a vector is one zmm register, with AVX2 two ymm registers, on the baseline four xmm registers).
#include "kernel_math.h"
#include <algorithm>
#include <type_traits>
#include <vector>

#ifndef SC_GEMM_ISA
#error "compile with -DSC_GEMM_ISA=avx512|avx2|generic"
#endif

namespace softcot {
namespace SC_GEMM_ISA {

typedef float v16 __attribute__((vector_size(64), aligned(4)));

constexpr int MR = 6;
#if defined(__AVX512F__)
constexpr int NV = 2;  // 6 x 32: 12 zmm accumulators
#else
constexpr int NV = 1;  // 6 x 16: 12 ymm accumulators with AVX2
#endif
constexpr int NR = 16 * NV;
constexpr int64_t KC = 256, MC = 120;

// Element (i, k) of op(A); lda is the row stride of the stored matrix.
template <typename T> SC_HD float a_at(const T* a, bool ta, int64_t lda, int64_t i, int64_t k) {
  return ldf(a, ta ? k * lda + i : i * lda + k);
}

// out[i][kk][MR]: rows i0.. of op(A) in MR slivers, zero-padded past mt.
template <typename T>
void pack_a(const T* a, bool ta, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* out) {
  for (int64_t s = 0; s < mc; s += MR) {
    float* o = out + s * kc;
    const int64_t rows = std::min<int64_t>(MR, mc - s);
    for (int64_t kk = 0; kk < kc; ++kk)
      for (int r = 0; r < MR; ++r) o[kk * MR + r] = r < rows ? a_at(a, ta, lda, i0 + s + r, k0 + kk) : 0.f;
  }
}
// out[j][kk][NR]: columns j0.. of op(B) in NR slivers, zero-padded past nt.
template <typename T>
void pack_b(const T* b, bool tb, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* out) {
  for (int64_t s = 0; s < nc; s += NR) {
    float* o = out + s * kc;
    const int64_t cols = std::min<int64_t>(NR, nc - s);
    if (tb) {
      // B stored [N, K] (x W^T): column j of op(B) is a contiguous row of b
      for (int c = 0; c < NR; ++c) {
        if (c < cols) {
          const T* src = b + (j0 + s + c) * ldb + k0;
          for (int64_t kk = 0; kk < kc; ++kk) o[kk * NR + c] = ldf(src, kk);
        } else {
          for (int64_t kk = 0; kk < kc; ++kk) o[kk * NR + c] = 0.f;
        }
      }
    } else {
      for (int64_t kk = 0; kk < kc; ++kk) {
        const T* src = b + (k0 + kk) * ldb + j0 + s;
        for (int c = 0; c < NR; ++c) o[kk * NR + c] = c < cols ? ldf(src, c) : 0.f;
      }
    }
  }
}

// acc[MR][NR] = sum_k ap[k][MR] * bp[k][NR]
inline void micro_kernel(int64_t kc, const float* ap, const float* bp, float* acc) {
  v16 c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) c[r][v] = v16{} ;
  for (int64_t k = 0; k < kc; ++k) {
    v16 bv[NV];
    for (int v = 0; v < NV; ++v) __builtin_memcpy(&bv[v], bp + k * NR + 16 * v, sizeof(v16));
    for (int r = 0; r < MR; ++r) {
      const float av = ap[k * MR + r];
      for (int v = 0; v < NV; ++v) c[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) __builtin_memcpy(acc + r * NR + 16 * v, &c[r][v], sizeof(v16));
}

// C tile (row stride ldc) = op(A) op(B); `cf` is an fp32 accumulation buffer of mt x nt when T is not float.
template <typename T>
void gemm_tile(const T* a, bool ta, int64_t lda, const T* b, bool tb, int64_t ldb, T* c, int64_t ldc, int64_t mt,
               int64_t nt, int64_t K) {
  const int64_t mc_max = std::min<int64_t>(MC, (mt + MR - 1) / MR * MR);
  const int64_t nt_pad = (nt + NR - 1) / NR * NR;
  thread_local std::vector<float> abuf, bbuf, cbuf;
  abuf.resize((size_t)(mc_max * KC));
  bbuf.resize((size_t)(nt_pad * KC));
  const bool direct = std::is_same<T, float>::value;
  if (!direct) cbuf.assign((size_t)(mt * nt), 0.f);
  float acc[MR * NR];
  for (int64_t k0 = 0; k0 < K; k0 += KC) {
    const int64_t kc = std::min(KC, K - k0);
    pack_b(b, tb, ldb, k0, kc, 0, nt, bbuf.data());
    for (int64_t i0 = 0; i0 < mt; i0 += MC) {
      const int64_t mc = std::min(MC, mt - i0);
      pack_a(a, ta, lda, i0, mc, k0, kc, abuf.data());
      for (int64_t s = 0; s < mc; s += MR) {
        const int64_t rows = std::min<int64_t>(MR, mc - s);
        for (int64_t j = 0; j < nt; j += NR) {
          const int64_t cols = std::min<int64_t>(NR, nt - j);
          micro_kernel(kc, abuf.data() + s * kc, bbuf.data() + j * kc, acc);
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t i = i0 + s + r;
            if (direct) {
              float* cr = (float*)c + i * ldc + j;
              if (k0 == 0) for (int64_t q = 0; q < cols; ++q) cr[q] = acc[r * NR + q];
              else for (int64_t q = 0; q < cols; ++q) cr[q] += acc[r * NR + q];
            } else {
              float* cr = cbuf.data() + i * nt + j;
              for (int64_t q = 0; q < cols; ++q) cr[q] += acc[r * NR + q];
            }
          }
        }
      }
    }
  }
  if (!direct)
    for (int64_t i = 0; i < mt; ++i)
      for (int64_t j = 0; j < nt; ++j) stf(c, i * ldc + j, cbuf[i * nt + j]);
}

template void gemm_tile<float>(const float*, bool, int64_t, const float*, bool, int64_t, float*, int64_t, int64_t,
                               int64_t, int64_t);
template void gemm_tile<bf16_t>(const bf16_t*, bool, int64_t, const bf16_t*, bool, int64_t, bf16_t*, int64_t, int64_t,
                                int64_t, int64_t);

}  // namespace SC_GEMM_ISA
}  // namespace softcot
