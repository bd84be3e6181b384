// The device interface of the native addon: one implementation per device, linked into its own .node file.
//   cpu:  cpu_device.cpp + cpu_kernels.cpp + cpu_gemm.cpp + pool.cpp  (g++ alone)  -> softcot_cpu.node
//   cuda: cuda_device.cu + kernels.cu + cublaslt.cu                    (nvcc)       -> softcot_cuda.node
// addon.cpp (the N-API surface) is the same source for both. The functions mirror DeviceApi in
// src/device/api.ts; each returns a Status: empty on success, else a one-line message naming the call.
#pragma once
#include "common.h"
#include <string>
#include <vector>

namespace softcot {

using Status = std::string;

// A field of the info() object handed to JavaScript (a number or a string).
struct InfoField {
  std::string key;
  std::string str;
  double num = 0;
  bool is_str = false;
};
inline InfoField info_num(const char* k, double v) { return InfoField{k, "", v, false}; }
inline InfoField info_str(const char* k, const std::string& v) { return InfoField{k, v, 0, true}; }

struct DeviceInfo {
  bool ok = false;
  std::string reason;             // why not, when !ok
  std::vector<InfoField> fields;  // name, memory, threads, ...
};

// The matrix-multiply library: cuBLASLt on the GPU, a BLAS (OpenBLAS, MKL, BLIS) on the cpu.
struct BlasLoadResult {
  bool ok = false;
  std::string path;     // the library that loaded ("" when none)
  std::string name;     // what it is, e.g. "OpenBLAS 0.3.21 (1 thread per call)"
  std::string extra;    // cuda: libcublas, when it loaded too
  std::string tried;    // every path tried, '\n'-separated
  std::string error;    // why none loaded
  std::string version;
};

namespace device {

extern const char* const NAME;  // "cpu" or "cuda"

// Opens the device. `threads` <= 0 means the default (cpu: every core this process may run on); cuda ignores it.
// Never throws: a device that cannot open says why in DeviceInfo::reason.
DeviceInfo init(int threads);
bool ready();
// `choice`: cpu -- a library path or name to load first, or "fallback" for the built-in GEMM;
//           cuda -- a directory holding libcublasLt.so.13 (searched first).
BlasLoadResult load_blas(const std::string& choice);

// nullptr with an empty status: out of memory (the TypeScript allocator frees its cache, retries, then reports).
void* raw_malloc(size_t bytes, Status& st);
Status raw_free(void* p);
Status mem_info(size_t& free_bytes, size_t& total_bytes);
// Host <-> device. `host_is_i32` tells the host array's type (Int32Array or Float32Array); float data converts
// to/from bf16 storage when dt is DT_BF16.
Status upload(void* dst, int dt, const void* host, bool host_is_i32, size_t n);
Status download(void* host, const void* src, int dt, size_t n);
Status copy(void* dst, const void* src, size_t bytes);
Status sync();

Status fill(void* y, int ty, int64_t n, double value);
Status unary(int op, const void* x, int tx, void* y, int ty, int64_t n, float a, float b);
Status binary(int op, const void* a, const void* b, int tin, void* y, int ty, const Geom& g);
Status select(const void* c, const void* a, const void* b, int t, void* y, const Geom& g);
Status strided_copy(const void* x, int tx, void* y, int ty, const Geom& g);
Status reduce(int op, const void* x, int tx, void* y, int ty, int64_t rows, int64_t cols);
Status softmax(const void* x, void* y, int t, int64_t rows, int64_t cols);
Status gather(const void* x, int t, const int32_t* idx, void* y, int64_t outer, int64_t axis_dim, int64_t inner,
              int64_t n_idx);
Status segment_sum(const void* x, int tx, const int32_t* seg, void* y, int ty, int64_t rows, int64_t inner,
                   int64_t num_segments);
Status multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes, int64_t samples,
                   uint64_t seed, bool normalized);
Status topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k);
// Row-major batched C = op(A) op(B). `used_library` is set to true when the BLAS/cuBLASLt ran, false for the
// built-in GEMM. allow_tf32 only matters on the GPU.
Status matmul(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta,
              bool tb, int64_t sa, int64_t sb, int64_t sc, bool allow_tf32, bool force_fallback, bool& used_library);

}  // namespace device
}  // namespace softcot
