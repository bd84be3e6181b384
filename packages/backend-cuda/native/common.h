// softcot_cuda: shared definitions for the native addon.
//
// The op codes and dtype codes below are part of the contract with the TypeScript side
// (packages/backend-cuda/src/device/ops.ts). Change both together.
#pragma once
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cstdint>
#include <string>

namespace softcot {

// Storage types on the device. tfjs 'bool' and 'int32' both live as int32.
enum DType : int { DT_F32 = 0, DT_BF16 = 1, DT_I32 = 2 };

inline size_t dtype_bytes(int t) { return t == DT_BF16 ? 2 : 4; }

enum UnaryOp : int {
  U_COPY = 0, U_NEG = 1, U_EXP = 2, U_LOG = 3, U_SQRT = 4, U_RSQRT = 5, U_SQUARE = 6, U_SIGMOID = 7,
  U_CLIP = 8, U_ABS = 9, U_TANH = 10, U_RELU = 11, U_FLOOR = 12, U_NOTZERO = 13, U_LOGICAL_NOT = 14,
  U_STEP = 15, U_COUNT = 16
};

enum BinaryOp : int {
  B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_POW = 4, B_MAX = 5, B_MIN = 6, B_GREATER = 7,
  B_GREATER_EQ = 8, B_LESS = 9, B_LESS_EQ = 10, B_EQUAL = 11, B_NOT_EQUAL = 12, B_LOGICAL_AND = 13,
  B_LOGICAL_OR = 14, B_COUNT = 15
};

enum ReduceOp : int { R_SUM = 0, R_MEAN = 1, R_MAX = 2, R_MIN = 3, R_ARGMAX = 4, R_ARGMIN = 5, R_COUNT = 6 };

enum RandomDist : int { RNG_UNIFORM = 0, RNG_NORMAL = 1 };

constexpr int MAX_RANK = 6;

// Strided geometry for elementwise kernels: an output of `shape` (row-major, contiguous unless a stride says
// otherwise) and up to three operands, each with its own element strides (0 = broadcast) and start offset.
// `mod[d]` > 0 wraps the coordinate of operand 0 on axis d (used by Tile).
struct Geom {
  int rank;
  int64_t n;
  int shape[MAX_RANK];
  int64_t stride[4][MAX_RANK];  // operand k's stride on axis d; operand 3 is the output for strided copy
  int64_t offset[4];
  int mod[MAX_RANK];
};

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
cudaError_t launch_random(void* y, int ty, int64_t n, int dist, uint64_t seed, uint64_t offset, float a, float b,
                          cudaStream_t s);
cudaError_t launch_multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes,
                               int64_t samples, uint64_t seed, bool normalized, cudaStream_t s);
cudaError_t launch_topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k,
                        cudaStream_t s);
cudaError_t launch_matmul_naive(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n,
                                int64_t k, bool ta, bool tb, int64_t sa, int64_t sb, int64_t sc, cudaStream_t s);

// cuBLASLt (cublaslt.cu), loaded with dlopen.
struct BlasLoadResult {
  bool ok;
  std::string path;       // the libcublasLt that loaded
  std::string blas_path;  // libcublas, if it loaded (optional)
  std::string tried;      // every path tried, '\n'-separated
  std::string error;
  size_t version;
};
BlasLoadResult blas_load(const std::string& user_dir);
bool blas_loaded();
// Returns an empty string on success, an error message otherwise.
std::string blas_matmul(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n, int64_t k,
                        bool ta, bool tb, int64_t sa, int64_t sb, int64_t sc, bool allow_tf32, cudaStream_t s);
void blas_shutdown();

}  // namespace softcot
