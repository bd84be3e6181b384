// softcot native backend: definitions shared by both devices (cpu, cuda) and the N-API surface.
//
// This header compiles under g++ alone (the cpu device) and under nvcc (the cuda device). The op and dtype codes
// are part of the contract with the TypeScript side (packages/backend-native/src/device/api.ts): change both
// together.
#pragma once
#include <cstddef>
#include <cstdint>

// SC_HD marks a function that runs on the host (cpu device) and on the GPU (cuda device): the kernel math is written
// once, in kernel_math.h, with this qualifier.
#if defined(__CUDACC__)
#define SC_HD __host__ __device__ __forceinline__
#else
#define SC_HD inline __attribute__((always_inline))
#endif

namespace softcot {

// Storage types on a device. tfjs 'bool' and 'int32' both live as int32.
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
  B_LOGICAL_OR = 14, B_FLOOR_DIV = 15, B_COUNT = 16
};

enum ReduceOp : int { R_SUM = 0, R_MEAN = 1, R_MAX = 2, R_MIN = 3, R_ARGMAX = 4, R_ARGMIN = 5, R_COUNT = 6 };

constexpr int MAX_RANK = 6;

// Strided geometry for elementwise kernels: an output of `shape` (row-major, contiguous unless a stride says
// otherwise) and up to three operands, each with its own element strides (0 = broadcast) and start offset.
// `mod[d]` > 0 wraps the coordinate of operand 0 on axis d (used by Tile).
struct Geom {
  int rank;
  int64_t n;
  int shape[MAX_RANK];
  int64_t stride[4][MAX_RANK];  // operand k's stride on axis d; for a strided copy operand 1 is the output
  int64_t offset[4];
  int mod[MAX_RANK];
};

}  // namespace softcot
