// The cuda device's internals: kernel launchers (kernels.cu) and cuBLASLt (cublaslt.cu), used by cuda_device.cu.
#pragma once
#include "common.h"
#include "device.h"
#include <cuda_runtime.h>
#include <string>

namespace softcot {

// Host-side launchers (kernels.cu). Each returns cudaSuccess or the launch error.
cudaError_t launch_fill(void* y, int ty, int64_t n, double value, cudaStream_t s);
cudaError_t launch_unary(int op, const void* x, int tx, void* y, int ty, int64_t n, float a, float b, cudaStream_t s);
cudaError_t launch_binary(int op, const void* a, const void* b, int tin, void* y, int ty, const Geom& g, cudaStream_t s);
cudaError_t launch_select(const void* c, const void* a, const void* b, int t, void* y, const Geom& g, cudaStream_t s);
cudaError_t launch_strided_copy(const void* x, int tx, void* y, int ty, const Geom& g, cudaStream_t s);
cudaError_t launch_reduce(int op, const void* x, int tx, void* y, int ty, int64_t rows, int64_t cols, cudaStream_t s);
cudaError_t launch_softmax(const void* x, void* y, int t, int64_t rows, int64_t cols, cudaStream_t s);
cudaError_t launch_gather(const void* x, int t, const int32_t* idx, void* y, int64_t outer, int64_t axis_dim,
                          int64_t inner, int64_t n_idx, cudaStream_t s);
cudaError_t launch_segment_sum(const void* x, int tx, const int32_t* seg, void* y, int ty, int64_t rows,
                               int64_t inner, int64_t num_segments, cudaStream_t s);
cudaError_t launch_multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes,
                               int64_t samples, uint64_t seed, bool normalized, cudaStream_t s);
cudaError_t launch_topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k,
                        cudaStream_t s);
cudaError_t launch_matmul_naive(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n,
                                int64_t k, bool ta, bool tb, int64_t sa, int64_t sb, int64_t sc, cudaStream_t s);

// cuBLASLt (cublaslt.cu), loaded with dlopen.
BlasLoadResult cublaslt_load(const std::string& user_dir);
bool cublaslt_loaded();
// Returns an empty string on success, an error message otherwise.
std::string cublaslt_matmul(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n,
                            int64_t k, bool ta, bool tb, int64_t sa, int64_t sb, int64_t sc, bool allow_tf32,
                            cudaStream_t s);

}  // namespace softcot
