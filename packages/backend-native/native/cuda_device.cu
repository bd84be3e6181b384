// The cuda device (see device.h). Everything runs on one CUDA stream, so a buffer freed by the TypeScript caching
// allocator can be reused by the next kernel without extra synchronisation: stream order protects it.
// Every call checks the CUDA return code and the launch error.
#include "cuda_launch.h"
#include "kernel_math.h"
#include <vector>

namespace softcot {
namespace device {

const char* const NAME = "cuda";

namespace {
cudaStream_t g_stream = nullptr;
bool g_ready = false;

Status cuda_status(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return "";
  cudaGetLastError();
  return std::string(what) + " failed: " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
}
}  // namespace

// Never fails loudly: a machine without a driver or a GPU gets the reason in DeviceInfo.
DeviceInfo init(int /*threads: cpu only*/) {
  DeviceInfo d;
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  d.fields.push_back(info_num("driverVersion", driver));
  d.fields.push_back(info_num("runtimeVersion", runtime));
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorInsufficientDriver || (e != cudaSuccess && driver == 0)) {
    cudaGetLastError();
    d.reason = std::string("no CUDA driver found (") + cudaGetErrorName(e) + ")";
    return d;
  }
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    cudaGetLastError();
    d.reason = "no CUDA GPU found (driver present, 0 devices)";
    return d;
  }
  if (e != cudaSuccess) {
    d.reason = cuda_status(e, "CUDA initialisation");
    return d;
  }
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  if (!g_ready) {
    e = cudaSetDevice(0);
    if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking);
    if (e != cudaSuccess) {
      d.reason = cuda_status(e, "CUDA context creation");
      return d;
    }
    g_ready = true;
  }
  size_t fr = 0, tot = 0;
  cudaMemGetInfo(&fr, &tot);
  d.ok = true;
  d.fields.push_back(info_num("deviceCount", count));
  d.fields.push_back(info_str("name", prop.name));
  d.fields.push_back(info_num("major", prop.major));
  d.fields.push_back(info_num("minor", prop.minor));
  d.fields.push_back(info_num("smCount", prop.multiProcessorCount));
  d.fields.push_back(info_num("totalMem", (double)tot));
  d.fields.push_back(info_num("freeMem", (double)fr));
  return d;
}

bool ready() { return g_ready; }

BlasLoadResult load_blas(const std::string& choice) { return cublaslt_load(choice); }

void* raw_malloc(size_t bytes, Status& st) {
  st.clear();
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, bytes < 1 ? 1 : bytes);
  if (e == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    return nullptr;
  }
  st = cuda_status(e, "cudaMalloc");
  return p;
}
Status raw_free(void* p) { return cuda_status(cudaFree(p), "cudaFree"); }
Status mem_info(size_t& free_bytes, size_t& total_bytes) {
  return cuda_status(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
}

// Host -> device, converting f32 -> bf16 on the host (round to nearest even) when dt is bf16.
Status upload(void* dst, int dt, const void* host, bool host_is_i32, size_t n) {
  if (dt == DT_BF16) {
    if (host_is_i32) return "upload: bf16 storage needs float data";
    std::vector<uint16_t> h(n);
    const float* f = (const float*)host;
    for (size_t i = 0; i < n; ++i) h[i] = f32_to_bf16_bits(f[i]);
    Status st = cuda_status(cudaMemcpyAsync(dst, h.data(), n * 2, cudaMemcpyHostToDevice, g_stream), "upload");
    return st.empty() ? cuda_status(cudaStreamSynchronize(g_stream), "upload sync") : st;
  }
  Status st = cuda_status(cudaMemcpyAsync(dst, host, n * 4, cudaMemcpyHostToDevice, g_stream), "upload");
  return st.empty() ? cuda_status(cudaStreamSynchronize(g_stream), "upload sync") : st;
}

// Device -> host (synchronises the stream), widening bf16 to f32.
Status download(void* host, const void* src, int dt, size_t n) {
  if (dt == DT_BF16) {
    std::vector<uint16_t> h(n);
    Status st = cuda_status(cudaMemcpyAsync(h.data(), src, n * 2, cudaMemcpyDeviceToHost, g_stream), "download");
    if (st.empty()) st = cuda_status(cudaStreamSynchronize(g_stream), "download sync");
    if (!st.empty()) return st;
    float* f = (float*)host;
    for (size_t i = 0; i < n; ++i) f[i] = bf16_bits_to_f32(h[i]);
    return "";
  }
  Status st = cuda_status(cudaMemcpyAsync(host, src, n * 4, cudaMemcpyDeviceToHost, g_stream), "download");
  return st.empty() ? cuda_status(cudaStreamSynchronize(g_stream), "download sync") : st;
}

Status copy(void* dst, const void* src, size_t bytes) {
  return cuda_status(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, g_stream), "copy");
}
Status sync() { return cuda_status(cudaStreamSynchronize(g_stream), "cudaStreamSynchronize"); }

Status fill(void* y, int ty, int64_t n, double value) { return cuda_status(launch_fill(y, ty, n, value, g_stream), "fill"); }
Status unary(int op, const void* x, int tx, void* y, int ty, int64_t n, float a, float b) {
  return cuda_status(launch_unary(op, x, tx, y, ty, n, a, b, g_stream), "unary");
}
Status binary(int op, const void* a, const void* b, int tin, void* y, int ty, const Geom& g) {
  return cuda_status(launch_binary(op, a, b, tin, y, ty, g, g_stream), "binary");
}
Status select(const void* c, const void* a, const void* b, int t, void* y, const Geom& g) {
  return cuda_status(launch_select(c, a, b, t, y, g, g_stream), "select");
}
Status strided_copy(const void* x, int tx, void* y, int ty, const Geom& g) {
  return cuda_status(launch_strided_copy(x, tx, y, ty, g, g_stream), "stridedCopy");
}
Status reduce(int op, const void* x, int tx, void* y, int ty, int64_t rows, int64_t cols) {
  return cuda_status(launch_reduce(op, x, tx, y, ty, rows, cols, g_stream), "reduce");
}
Status softmax(const void* x, void* y, int t, int64_t rows, int64_t cols) {
  return cuda_status(launch_softmax(x, y, t, rows, cols, g_stream), "softmax");
}
Status gather(const void* x, int t, const int32_t* idx, void* y, int64_t outer, int64_t axis_dim, int64_t inner,
              int64_t n_idx) {
  return cuda_status(launch_gather(x, t, idx, y, outer, axis_dim, inner, n_idx, g_stream), "gather");
}
Status segment_sum(const void* x, int tx, const int32_t* seg, void* y, int ty, int64_t rows, int64_t inner,
                   int64_t num_segments) {
  return cuda_status(launch_segment_sum(x, tx, seg, y, ty, rows, inner, num_segments, g_stream), "segmentSum");
}
Status multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes, int64_t samples,
                   uint64_t seed, bool normalized) {
  return cuda_status(launch_multinomial(logits, t, out, batch, classes, samples, seed, normalized, g_stream), "multinomial");
}
Status topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k) {
  return cuda_status(launch_topk(x, t, vals, idx, rows, cols, k, g_stream), "topk");
}
Status matmul(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta,
              bool tb, int64_t sa, int64_t sb, int64_t sc, bool allow_tf32, bool force_fallback, bool& used_library) {
  used_library = false;
  if (k == 0) return fill(c, t, batch * m * n, 0.0);  // empty inner dimension: C = 0
  if (!force_fallback && cublaslt_loaded()) {
    std::string err = cublaslt_matmul(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, allow_tf32, g_stream);
    if (!err.empty()) return "matmul: " + err;
    used_library = true;
    return "";
  }
  return cuda_status(launch_matmul_naive(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, g_stream), "matmul (fallback)");
}

}  // namespace device
}  // namespace softcot
