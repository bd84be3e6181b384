// The N-API surface of the native addon, the same source for both devices (see device.h). Compiled by g++.
//
// Pointers cross into JS as numbers (host and GPU virtual addresses are < 2^53, so a double holds them exactly).
// Shapes and strides arrive packed in one Int32Array per call (see src/device/api.ts, PackedGeom). Every call checks
// the device's status and throws a JS Error naming the call; nothing aborts the process.
#include "device.h"
#include <node_api.h>
#include <cstring>
#include <string>

using namespace softcot;

static std::string prefix() { return std::string("softcot_") + device::NAME + ": "; }

static napi_value throw_err(napi_env env, const std::string& msg, const char* code = nullptr) {
  napi_throw_error(env, code, msg.c_str());
  return nullptr;
}

// Throws (and returns true) when st is an error.
static bool failed(napi_env env, const Status& st) {
  if (st.empty()) return false;
  napi_throw_error(env, "DEVICE_ERROR", (prefix() + st).c_str());
  return true;
}
#define DEVICE_CALL(expr)                      \
  do {                                         \
    if (failed(env, (expr))) return nullptr;   \
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

#define ARGS(n)                                                                                  \
  Args A(env, info);                                                                             \
  if (!A.ok || A.argc < (n)) return throw_err(env, prefix() + __func__ + " expects " #n " arguments"); \
  if (!device::ready()) return throw_err(env, prefix() + "call init() first (the device is not open)");

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
static napi_value make_bool(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}
static void set(napi_env env, napi_value o, const char* k, napi_value v) { napi_set_named_property(env, o, k, v); }

// Geometry arrives as Int32Array: [rank, n_ops, shape[rank], (stride[k][rank]) for k < n_ops, offsets[n_ops],
// mod[rank]]. n is the product of the shape.
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
#define GEOM(i, nops)                                                                         \
  Geom g;                                                                                     \
  if (!read_geom(A, i, g, nops)) return throw_err(env, prefix() + __func__ + ": bad geometry");

// ---- init / info -----------------------------------------------------------------------------------------------
// init(threads) never throws: it returns { ok, reason?, device, ...fields } so the TS side can explain itself.
static napi_value Init_(napi_env env, napi_callback_info info) {
  Args A(env, info);
  DeviceInfo d = device::init(A.argc > 0 ? A.i32(0) : 0);
  napi_value o;
  napi_create_object(env, &o);
  set(env, o, "ok", make_bool(env, d.ok));
  set(env, o, "device", make_str(env, device::NAME));
  if (!d.ok) set(env, o, "reason", make_str(env, d.reason));
  for (auto& f : d.fields) set(env, o, f.key.c_str(), f.is_str ? make_str(env, f.str) : make_num(env, f.num));
  return o;
}

static napi_value LoadBlas(napi_env env, napi_callback_info info) {
  Args A(env, info);
  BlasLoadResult r = device::load_blas(A.argc > 0 ? A.str(0) : std::string());
  napi_value o;
  napi_create_object(env, &o);
  set(env, o, "ok", make_bool(env, r.ok));
  set(env, o, "path", make_str(env, r.path));
  set(env, o, "name", make_str(env, r.name));
  set(env, o, "extra", make_str(env, r.extra));
  set(env, o, "tried", make_str(env, r.tried));
  set(env, o, "error", make_str(env, r.error));
  set(env, o, "version", make_str(env, r.version));
  return o;
}

// ---- memory ----------------------------------------------------------------------------------------------------
// rawMalloc(bytes) -> pointer, or 0 when the device is out of memory.
static napi_value RawMalloc(napi_env env, napi_callback_info info) {
  ARGS(1);
  Status st;
  void* p = device::raw_malloc((size_t)A.num(0), st);
  DEVICE_CALL(st);
  return make_num(env, (double)(uintptr_t)p);
}
static napi_value RawFree(napi_env env, napi_callback_info info) {
  ARGS(1);
  DEVICE_CALL(device::raw_free(A.ptr(0)));
  return nullptr;
}
static napi_value MemInfo(napi_env env, napi_callback_info info) {
  ARGS(0);
  size_t fr = 0, tot = 0;
  DEVICE_CALL(device::mem_info(fr, tot));
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, make_num(env, (double)fr));
  napi_set_element(env, arr, 1, make_num(env, (double)tot));
  return arr;
}

// upload(ptr, dtype, Float32Array | Int32Array)
static napi_value Upload(napi_env env, napi_callback_info info) {
  ARGS(3);
  size_t len = 0;
  napi_typedarray_type tt;
  int dt = A.i32(1);
  void* data = A.typed(2, &len, &tt);
  if (!A.ok) return throw_err(env, prefix() + "upload expects a typed array");
  if (len == 0) return nullptr;
  const bool is_i32 = tt == napi_int32_array;
  if (!is_i32 && tt != napi_float32_array) return throw_err(env, prefix() + "upload expects a Float32Array or Int32Array");
  if ((dt == DT_I32) != is_i32) return throw_err(env, prefix() + "upload: the typed array does not match the dtype");
  DEVICE_CALL(device::upload(A.ptr(0), dt, data, is_i32, len));
  return nullptr;
}

// download(ptr, dtype, n) -> Float32Array (f32, bf16) or Int32Array (i32).
static napi_value Download(napi_env env, napi_callback_info info) {
  ARGS(3);
  const void* src = A.ptr(0);
  int dt = A.i32(1);
  size_t n = (size_t)A.num(2);
  napi_value ab, out;
  void* buf = nullptr;
  if (napi_create_arraybuffer(env, n * 4, &buf, &ab) != napi_ok)
    return throw_err(env, prefix() + "download: cannot allocate a " + std::to_string(n * 4) + "-byte ArrayBuffer");
  if (n > 0) DEVICE_CALL(device::download(buf, src, dt, n));
  napi_create_typedarray(env, dt == DT_I32 ? napi_int32_array : napi_float32_array, n, ab, 0, &out);
  return out;
}

static napi_value Copy(napi_env env, napi_callback_info info) {
  ARGS(3);
  DEVICE_CALL(device::copy(A.ptr(0), A.ptr(1), (size_t)A.num(2)));
  return nullptr;
}
static napi_value Sync(napi_env env, napi_callback_info info) {
  ARGS(0);
  DEVICE_CALL(device::sync());
  return nullptr;
}

// ---- kernels ---------------------------------------------------------------------------------------------------
static napi_value Fill(napi_env env, napi_callback_info info) {  // fill(y, ty, n, value)
  ARGS(4);
  DEVICE_CALL(device::fill(A.ptr(0), A.i32(1), A.i64(2), A.num(3)));
  return nullptr;
}
static napi_value Unary(napi_env env, napi_callback_info info) {  // unary(op, x, tx, y, ty, n, a, b)
  ARGS(8);
  DEVICE_CALL(device::unary(A.i32(0), A.ptr(1), A.i32(2), A.ptr(3), A.i32(4), A.i64(5), (float)A.num(6), (float)A.num(7)));
  return nullptr;
}
static napi_value Binary(napi_env env, napi_callback_info info) {  // binary(op, a, b, tin, y, ty, geom)
  ARGS(7);
  GEOM(6, 2);
  DEVICE_CALL(device::binary(A.i32(0), A.ptr(1), A.ptr(2), A.i32(3), A.ptr(4), A.i32(5), g));
  return nullptr;
}
static napi_value Select(napi_env env, napi_callback_info info) {  // select(c, a, b, t, y, geom)
  ARGS(6);
  GEOM(5, 3);
  DEVICE_CALL(device::select(A.ptr(0), A.ptr(1), A.ptr(2), A.i32(3), A.ptr(4), g));
  return nullptr;
}
static napi_value StridedCopy(napi_env env, napi_callback_info info) {  // stridedCopy(x, tx, y, ty, geom)
  ARGS(5);
  GEOM(4, 2);
  DEVICE_CALL(device::strided_copy(A.ptr(0), A.i32(1), A.ptr(2), A.i32(3), g));
  return nullptr;
}
static napi_value Reduce(napi_env env, napi_callback_info info) {  // reduce(op, x, tx, y, ty, rows, cols)
  ARGS(7);
  DEVICE_CALL(device::reduce(A.i32(0), A.ptr(1), A.i32(2), A.ptr(3), A.i32(4), A.i64(5), A.i64(6)));
  return nullptr;
}
static napi_value Softmax(napi_env env, napi_callback_info info) {  // softmax(x, y, t, rows, cols)
  ARGS(5);
  DEVICE_CALL(device::softmax(A.ptr(0), A.ptr(1), A.i32(2), A.i64(3), A.i64(4)));
  return nullptr;
}
static napi_value Gather(napi_env env, napi_callback_info info) {  // gather(x, t, idx, y, outer, axisDim, inner, nIdx)
  ARGS(8);
  DEVICE_CALL(device::gather(A.ptr(0), A.i32(1), (const int32_t*)A.ptr(2), A.ptr(3), A.i64(4), A.i64(5), A.i64(6), A.i64(7)));
  return nullptr;
}
static napi_value SegmentSum(napi_env env, napi_callback_info info) {  // (x, tx, seg, y, ty, rows, inner, numSeg)
  ARGS(8);
  DEVICE_CALL(device::segment_sum(A.ptr(0), A.i32(1), (const int32_t*)A.ptr(2), A.ptr(3), A.i32(4), A.i64(5), A.i64(6), A.i64(7)));
  return nullptr;
}
static napi_value Multinomial(napi_env env, napi_callback_info info) {  // (logits, t, out, batch, classes, samples, seed, normalized)
  ARGS(8);
  DEVICE_CALL(device::multinomial(A.ptr(0), A.i32(1), (int32_t*)A.ptr(2), A.i64(3), A.i64(4), A.i64(5), (uint64_t)A.num(6), A.boolean(7)));
  return nullptr;
}
static napi_value TopK(napi_env env, napi_callback_info info) {  // topk(x, t, vals, idx, rows, cols, k)
  ARGS(7);
  DEVICE_CALL(device::topk(A.ptr(0), A.i32(1), A.ptr(2), (int32_t*)A.ptr(3), A.i64(4), A.i64(5), A.i64(6)));
  return nullptr;
}
// matmul(a, b, c, t, batch, m, n, k, ta, tb, sa, sb, sc, allowTf32, forceFallback) -> 1 (BLAS/cuBLASLt) | 0 (built-in)
static napi_value Matmul(napi_env env, napi_callback_info info) {
  ARGS(15);
  bool used = false;
  DEVICE_CALL(device::matmul(A.ptr(0), A.ptr(1), A.ptr(2), A.i32(3), A.i64(4), A.i64(5), A.i64(6), A.i64(7),
                             A.boolean(8), A.boolean(9), A.i64(10), A.i64(11), A.i64(12), A.boolean(13), A.boolean(14), used));
  return make_num(env, used ? 1 : 0);
}

static napi_value ModuleInit(napi_env env, napi_value exports) {
  struct { const char* name; napi_callback fn; } fns[] = {
      {"init", Init_}, {"loadBlas", LoadBlas}, {"rawMalloc", RawMalloc}, {"rawFree", RawFree},
      {"memInfo", MemInfo}, {"upload", Upload}, {"download", Download}, {"copy", Copy}, {"sync", Sync},
      {"fill", Fill}, {"unary", Unary}, {"binary", Binary}, {"select", Select}, {"stridedCopy", StridedCopy},
      {"reduce", Reduce}, {"softmax", Softmax}, {"gather", Gather}, {"segmentSum", SegmentSum},
      {"multinomial", Multinomial}, {"topk", TopK}, {"matmul", Matmul},
  };
  for (auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  set(env, exports, "device", make_str(env, device::NAME));
  set(env, exports, "version", make_str(env, std::string("softcot_") + device::NAME + " 0.2.0"));
  return exports;
}

NAPI_MODULE(softcot_native, ModuleInit)
