// softcot_cuda N-API surface. Everything runs on one CUDA stream, so a buffer freed by the TS caching allocator
// can be reused by the next kernel without extra synchronisation (stream order protects it).
//
// Pointers cross into JS as numbers (device virtual addresses are < 2^53, so a double holds them exactly).
// Shapes and strides arrive packed in one Int32Array per call (see src/device/native.ts for the layouts).
// Every call checks the CUDA return code and the launch error and throws a JS Error naming the call.
#include "common.h"
#include <node_api.h>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace softcot;

static cudaStream_t g_stream = nullptr;
static bool g_ready = false;
static std::string g_init_error;

#define NAPI_OK(call)                                                   \
  do {                                                                  \
    napi_status _s = (call);                                            \
    if (_s != napi_ok) {                                                \
      napi_throw_error(env, nullptr, "softcot_cuda: N-API call failed: " #call); \
      return nullptr;                                                   \
    }                                                                   \
  } while (0)

static napi_value throw_err(napi_env env, const std::string& msg, const char* code = nullptr) {
  napi_throw_error(env, code, msg.c_str());
  return nullptr;
}

// Returns true (with a pending JS exception) when e is an error.
static bool cuda_failed(napi_env env, cudaError_t e, const char* what) {
  if (e == cudaSuccess) return false;
  cudaGetLastError();
  std::string msg = std::string("softcot_cuda: ") + what + " failed: " + cudaGetErrorName(e) + " (" +
                    cudaGetErrorString(e) + ")";
  napi_throw_error(env, "CUDA_ERROR", msg.c_str());
  return true;
}
#define CUDA_THROW(expr, what)                                   \
  do {                                                           \
    if (cuda_failed(env, (expr), what)) return nullptr;           \
  } while (0)

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  bool ok = true;
  Args(napi_env e, napi_callback_info info) : env(e) {
    if (napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr) != napi_ok) ok = false;
  }
  double num(size_t i) {
    double v = 0;
    if (i >= argc || napi_get_value_double(env, argv[i], &v) != napi_ok) ok = false;
    return v;
  }
  int64_t i64(size_t i) { return (int64_t)num(i); }
  int i32(size_t i) { return (int)num(i); }
  void* ptr(size_t i) { return (void*)(uintptr_t)(uint64_t)num(i); }
  bool boolean(size_t i) {
    bool v = false;
    napi_valuetype t;
    if (i < argc && napi_typeof(env, argv[i], &t) == napi_ok && t == napi_boolean) napi_get_value_bool(env, argv[i], &v);
    else v = num(i) != 0;
    return v;
  }
  std::string str(size_t i) {
    if (i >= argc) return "";
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t != napi_string) return "";
    size_t len = 0;
    napi_get_value_string_utf8(env, argv[i], nullptr, 0, &len);
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, argv[i], &s[0], len + 1, &len);
    return s;
  }
  // A typed array's data pointer and element count.
  void* typed(size_t i, size_t* length, napi_typedarray_type* type) {
    napi_value ab;
    size_t off;
    void* data = nullptr;
    if (i >= argc || napi_get_typedarray_info(env, argv[i], type, length, &data, &ab, &off) != napi_ok) {
      ok = false;
      return nullptr;
    }
    return data;
  }
};

#define ARGS(n)                                                                     \
  Args A(env, info);                                                                \
  if (!A.ok || A.argc < (n)) return throw_err(env, std::string("softcot_cuda: ") + __func__ + " expects " #n " arguments");

static napi_value make_num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}
static napi_value make_str(napi_env env, const std::string& s) {
  napi_value r;
  napi_create_string_utf8(env, s.c_str(), s.size(), &r);
  return r;
}
static void set(napi_env env, napi_value o, const char* k, napi_value v) { napi_set_named_property(env, o, k, v); }

// Geometry arrives as Int32Array: [rank, n_ops, shape[rank], (stride[k][rank]) for k < n_ops, offsets[n_ops],
// mod[rank]] — mod only when n_ops == 2 (strided copy). n is the product of the shape.
static bool read_geom(Args& A, size_t i, Geom& g, int want_ops) {
  size_t len;
  napi_typedarray_type tt;
  int32_t* p = (int32_t*)A.typed(i, &len, &tt);
  if (!p || tt != napi_int32_array || len < 2) return false;
  memset(&g, 0, sizeof(g));
  int rank = p[0], nops = p[1];
  if (rank < 0 || rank > MAX_RANK || nops != want_ops) return false;
  size_t need = 2 + rank + (size_t)nops * rank + nops + rank;
  if (len < need) return false;
  g.rank = rank;
  g.n = 1;
  const int32_t* q = p + 2;
  for (int d = 0; d < rank; ++d) { g.shape[d] = q[d]; g.n *= q[d]; }
  q += rank;
  for (int k = 0; k < nops; ++k) { for (int d = 0; d < rank; ++d) g.stride[k][d] = q[d]; q += rank; }
  for (int k = 0; k < nops; ++k) g.offset[k] = q[k];
  q += nops;
  for (int d = 0; d < rank; ++d) g.mod[d] = q[d];
  return true;
}

// ---- init / info -----------------------------------------------------------------------------------------------
// init() never throws: it returns { ok, reason?, name, ... } so isCudaAvailable() can explain itself.
static napi_value Init_(napi_env env, napi_callback_info info) {
  napi_value o;
  napi_create_object(env, &o);
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  set(env, o, "driverVersion", make_num(env, driver));
  set(env, o, "runtimeVersion", make_num(env, runtime));
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  napi_value f, t;
  napi_get_boolean(env, false, &f);
  napi_get_boolean(env, true, &t);
  if (e == cudaErrorInsufficientDriver || (e != cudaSuccess && driver == 0)) {
    cudaGetLastError();
    set(env, o, "ok", f);
    set(env, o, "reason", make_str(env, std::string("no CUDA driver found (") + cudaGetErrorName(e) + ")"));
    return o;
  }
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    cudaGetLastError();
    set(env, o, "ok", f);
    set(env, o, "reason", make_str(env, "no CUDA GPU found (driver present, 0 devices)"));
    return o;
  }
  if (e != cudaSuccess) {
    cudaGetLastError();
    set(env, o, "ok", f);
    set(env, o, "reason", make_str(env, std::string("CUDA initialisation failed: ") + cudaGetErrorName(e) + " (" +
                                            cudaGetErrorString(e) + ")"));
    return o;
  }
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  if (!g_ready) {
    e = cudaSetDevice(0);
    if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking);
    if (e != cudaSuccess) {
      cudaGetLastError();
      set(env, o, "ok", f);
      set(env, o, "reason", make_str(env, std::string("CUDA context creation failed: ") + cudaGetErrorName(e)));
      return o;
    }
    g_ready = true;
  }
  size_t fr = 0, tot = 0;
  cudaMemGetInfo(&fr, &tot);
  set(env, o, "ok", t);
  set(env, o, "deviceCount", make_num(env, count));
  set(env, o, "name", make_str(env, prop.name));
  set(env, o, "major", make_num(env, prop.major));
  set(env, o, "minor", make_num(env, prop.minor));
  set(env, o, "smCount", make_num(env, prop.multiProcessorCount));
  set(env, o, "totalMem", make_num(env, (double)tot));
  set(env, o, "freeMem", make_num(env, (double)fr));
  return o;
}

static napi_value LoadCublas(napi_env env, napi_callback_info info) {
  Args A(env, info);
  BlasLoadResult r = blas_load(A.argc > 0 ? A.str(0) : std::string());
  napi_value o, b;
  napi_create_object(env, &o);
  napi_get_boolean(env, r.ok, &b);
  set(env, o, "ok", b);
  set(env, o, "path", make_str(env, r.path));
  set(env, o, "cublasPath", make_str(env, r.blas_path));
  set(env, o, "tried", make_str(env, r.tried));
  set(env, o, "error", make_str(env, r.error));
  set(env, o, "version", make_num(env, (double)r.version));
  return o;
}

#define REQUIRE_READY() \
  if (!g_ready) return throw_err(env, "softcot_cuda: call init() first (no CUDA device is open)");

// ---- memory ----------------------------------------------------------------------------------------------------
// rawMalloc(bytes) -> pointer, or 0 when the device is out of memory (the TS allocator then frees its cache and
// retries, and finally throws an error that names requested and free bytes).
static napi_value RawMalloc(napi_env env, napi_callback_info info) {
  ARGS(1);
  REQUIRE_READY();
  size_t bytes = (size_t)A.num(0);
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, bytes < 1 ? 1 : bytes);
  if (e == cudaErrorMemoryAllocation) { cudaGetLastError(); return make_num(env, 0); }
  CUDA_THROW(e, "cudaMalloc");
  return make_num(env, (double)(uintptr_t)p);
}
static napi_value RawFree(napi_env env, napi_callback_info info) {
  ARGS(1);
  REQUIRE_READY();
  CUDA_THROW(cudaFree(A.ptr(0)), "cudaFree");
  return nullptr;
}
static napi_value MemInfo(napi_env env, napi_callback_info info) {
  REQUIRE_READY();
  size_t fr = 0, tot = 0;
  CUDA_THROW(cudaMemGetInfo(&fr, &tot), "cudaMemGetInfo");
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, make_num(env, (double)fr));
  napi_set_element(env, arr, 1, make_num(env, (double)tot));
  return arr;
}

// float -> bf16, round to nearest even (NaN stays a quiet NaN).
static inline uint16_t f2bf(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
static inline float bf2f(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

// upload(ptr, Float32Array | Int32Array, dtype): host -> device, converting f32 -> bf16 when dtype is bf16.
static napi_value Upload(napi_env env, napi_callback_info info) {
  ARGS(3);
  REQUIRE_READY();
  size_t len;
  napi_typedarray_type tt;
  void* data = A.typed(1, &len, &tt);
  int dt = A.i32(2);
  if (!data && len > 0) return throw_err(env, "softcot_cuda: upload expects a typed array");
  void* dst = A.ptr(0);
  if (len == 0) return nullptr;
  if (dt == DT_BF16) {
    if (tt != napi_float32_array) return throw_err(env, "softcot_cuda: bf16 upload expects a Float32Array");
    std::vector<uint16_t> h(len);
    const float* f = (const float*)data;
    for (size_t i = 0; i < len; ++i) h[i] = f2bf(f[i]);
    CUDA_THROW(cudaMemcpyAsync(dst, h.data(), len * 2, cudaMemcpyHostToDevice, g_stream), "upload");
    CUDA_THROW(cudaStreamSynchronize(g_stream), "upload sync");
  } else {
    if ((dt == DT_F32 && tt != napi_float32_array) || (dt == DT_I32 && tt != napi_int32_array))
      return throw_err(env, "softcot_cuda: upload typed array does not match dtype");
    CUDA_THROW(cudaMemcpyAsync(dst, data, len * 4, cudaMemcpyHostToDevice, g_stream), "upload");
    CUDA_THROW(cudaStreamSynchronize(g_stream), "upload sync");
  }
  return nullptr;
}

// download(ptr, n, dtype) -> Float32Array (f32, bf16) or Int32Array (i32). Synchronises the stream.
static napi_value Download(napi_env env, napi_callback_info info) {
  ARGS(3);
  REQUIRE_READY();
  const void* src = A.ptr(0);
  size_t n = (size_t)A.num(1);
  int dt = A.i32(2);
  napi_value ab, out;
  void* buf = nullptr;
  NAPI_OK(napi_create_arraybuffer(env, n * 4, &buf, &ab));
  if (n > 0) {
    if (dt == DT_BF16) {
      std::vector<uint16_t> h(n);
      CUDA_THROW(cudaMemcpyAsync(h.data(), src, n * 2, cudaMemcpyDeviceToHost, g_stream), "download");
      CUDA_THROW(cudaStreamSynchronize(g_stream), "download sync");
      float* f = (float*)buf;
      for (size_t i = 0; i < n; ++i) f[i] = bf2f(h[i]);
    } else {
      CUDA_THROW(cudaMemcpyAsync(buf, src, n * 4, cudaMemcpyDeviceToHost, g_stream), "download");
      CUDA_THROW(cudaStreamSynchronize(g_stream), "download sync");
    }
  }
  NAPI_OK(napi_create_typedarray(env, dt == DT_I32 ? napi_int32_array : napi_float32_array, n, ab, 0, &out));
  return out;
}

static napi_value Copy(napi_env env, napi_callback_info info) {
  ARGS(3);
  REQUIRE_READY();
  CUDA_THROW(cudaMemcpyAsync(A.ptr(0), A.ptr(1), (size_t)A.num(2), cudaMemcpyDeviceToDevice, g_stream), "copy");
  return nullptr;
}
static napi_value Sync(napi_env env, napi_callback_info info) {
  REQUIRE_READY();
  CUDA_THROW(cudaStreamSynchronize(g_stream), "cudaStreamSynchronize");
  return nullptr;
}

// ---- kernels ---------------------------------------------------------------------------------------------------
static napi_value Fill(napi_env env, napi_callback_info info) {  // fill(y, ty, n, value)
  ARGS(4);
  REQUIRE_READY();
  CUDA_THROW(launch_fill(A.ptr(0), A.i32(1), A.i64(2), A.num(3), g_stream), "fill");
  return nullptr;
}
static napi_value Unary(napi_env env, napi_callback_info info) {  // unary(op, x, tx, y, ty, n, a, b)
  ARGS(8);
  REQUIRE_READY();
  CUDA_THROW(launch_unary(A.i32(0), A.ptr(1), A.i32(2), A.ptr(3), A.i32(4), A.i64(5), (float)A.num(6), (float)A.num(7), g_stream), "unary");
  return nullptr;
}
static napi_value Binary(napi_env env, napi_callback_info info) {  // binary(op, a, b, tin, y, ty, geom)
  ARGS(7);
  REQUIRE_READY();
  Geom g;
  if (!read_geom(A, 6, g, 2)) return throw_err(env, "softcot_cuda: binary: bad geometry");
  CUDA_THROW(launch_binary(A.i32(0), A.ptr(1), A.ptr(2), A.i32(3), A.ptr(4), A.i32(5), g, g_stream), "binary");
  return nullptr;
}
static napi_value Select(napi_env env, napi_callback_info info) {  // select(c, a, b, t, y, geom)
  ARGS(6);
  REQUIRE_READY();
  Geom g;
  if (!read_geom(A, 5, g, 3)) return throw_err(env, "softcot_cuda: select: bad geometry");
  CUDA_THROW(launch_select(A.ptr(0), A.ptr(1), A.ptr(2), A.i32(3), A.ptr(4), g, g_stream), "select");
  return nullptr;
}
static napi_value StridedCopy(napi_env env, napi_callback_info info) {  // stridedCopy(x, tx, y, ty, geom)
  ARGS(5);
  REQUIRE_READY();
  Geom g;
  if (!read_geom(A, 4, g, 2)) return throw_err(env, "softcot_cuda: stridedCopy: bad geometry");
  CUDA_THROW(launch_strided_copy(A.ptr(0), A.i32(1), A.ptr(2), A.i32(3), g, g_stream), "stridedCopy");
  return nullptr;
}
static napi_value Reduce(napi_env env, napi_callback_info info) {  // reduce(op, x, tx, y, ty, rows, cols)
  ARGS(7);
  REQUIRE_READY();
  CUDA_THROW(launch_reduce(A.i32(0), A.ptr(1), A.i32(2), A.ptr(3), A.i32(4), A.i64(5), A.i64(6), g_stream), "reduce");
  return nullptr;
}
static napi_value Softmax(napi_env env, napi_callback_info info) {  // softmax(x, y, t, rows, cols)
  ARGS(5);
  REQUIRE_READY();
  CUDA_THROW(launch_softmax(A.ptr(0), A.ptr(1), A.i32(2), A.i64(3), A.i64(4), g_stream), "softmax");
  return nullptr;
}
static napi_value Gather(napi_env env, napi_callback_info info) {  // gather(x, t, idx, y, outer, axisDim, inner, nIdx)
  ARGS(8);
  REQUIRE_READY();
  CUDA_THROW(launch_gather(A.ptr(0), A.i32(1), (const int32_t*)A.ptr(2), A.ptr(3), A.i64(4), A.i64(5), A.i64(6), A.i64(7), g_stream), "gather");
  return nullptr;
}
static napi_value SegmentSum(napi_env env, napi_callback_info info) {  // (x, tx, seg, y, ty, rows, inner, numSeg)
  ARGS(8);
  REQUIRE_READY();
  CUDA_THROW(launch_segment_sum(A.ptr(0), A.i32(1), (const int32_t*)A.ptr(2), A.ptr(3), A.i32(4), A.i64(5), A.i64(6), A.i64(7), g_stream), "segmentSum");
  return nullptr;
}
static napi_value Random(napi_env env, napi_callback_info info) {  // random(y, ty, n, dist, seed, offset, a, b)
  ARGS(8);
  REQUIRE_READY();
  CUDA_THROW(launch_random(A.ptr(0), A.i32(1), A.i64(2), A.i32(3), (uint64_t)A.num(4), (uint64_t)A.num(5), (float)A.num(6), (float)A.num(7), g_stream), "random");
  return nullptr;
}
static napi_value Multinomial(napi_env env, napi_callback_info info) {  // (logits, t, out, batch, classes, samples, seed, normalized)
  ARGS(8);
  REQUIRE_READY();
  CUDA_THROW(launch_multinomial(A.ptr(0), A.i32(1), (int32_t*)A.ptr(2), A.i64(3), A.i64(4), A.i64(5), (uint64_t)A.num(6), A.boolean(7), g_stream), "multinomial");
  return nullptr;
}
static napi_value TopK(napi_env env, napi_callback_info info) {  // topk(x, t, vals, idx, rows, cols, k)
  ARGS(7);
  REQUIRE_READY();
  CUDA_THROW(launch_topk(A.ptr(0), A.i32(1), A.ptr(2), (int32_t*)A.ptr(3), A.i64(4), A.i64(5), A.i64(6), g_stream), "topk");
  return nullptr;
}
// matmul(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, allowTf32, forceNaive) -> 1 (cuBLASLt) | 0 (fallback)
static napi_value Matmul(napi_env env, napi_callback_info info) {
  ARGS(15);
  REQUIRE_READY();
  const void *a = A.ptr(0), *b = A.ptr(1);
  void* c = A.ptr(2);
  int t = A.i32(3);
  int64_t batch = A.i64(4), m = A.i64(5), n = A.i64(6), k = A.i64(7);
  bool ta = A.boolean(8), tb = A.boolean(9);
  int64_t sa = A.i64(10), sb = A.i64(11), sc = A.i64(12);
  bool tf32 = A.boolean(13), naive = A.boolean(14);
  if (k == 0) {  // empty inner dimension: C = 0
    CUDA_THROW(launch_fill(c, t, batch * m * n, 0.0, g_stream), "matmul (k = 0)");
    return make_num(env, 0);
  }
  if (!naive && blas_loaded()) {
    std::string err = blas_matmul(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, tf32, g_stream);
    if (!err.empty()) return throw_err(env, "softcot_cuda: matmul: " + err, "CUBLAS_ERROR");
    return make_num(env, 1);
  }
  CUDA_THROW(launch_matmul_naive(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, g_stream), "matmul (fallback)");
  return make_num(env, 0);
}

static napi_value ModuleInit(napi_env env, napi_value exports) {
  struct { const char* name; napi_callback fn; } fns[] = {
      {"init", Init_}, {"loadCublas", LoadCublas}, {"rawMalloc", RawMalloc}, {"rawFree", RawFree},
      {"memInfo", MemInfo}, {"upload", Upload}, {"download", Download}, {"copy", Copy}, {"sync", Sync},
      {"fill", Fill}, {"unary", Unary}, {"binary", Binary}, {"select", Select}, {"stridedCopy", StridedCopy},
      {"reduce", Reduce}, {"softmax", Softmax}, {"gather", Gather}, {"segmentSum", SegmentSum},
      {"random", Random}, {"multinomial", Multinomial}, {"topk", TopK}, {"matmul", Matmul},
  };
  for (auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  napi_value ver;
  napi_create_string_utf8(env, "softcot_cuda 0.1.0", NAPI_AUTO_LENGTH, &ver);
  napi_set_named_property(env, exports, "version", ver);
  return exports;
}

NAPI_MODULE(softcot_cuda, ModuleInit)
