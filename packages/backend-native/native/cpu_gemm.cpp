// The cpu device's GEMM: a BLAS library opened with dlopen at run time (no BLAS headers or libraries are needed to
// build), split into tiles over the thread pool, or the built-in blocked GEMM (cpu_gemm_kernel.cpp) when no
// library is found. This is the cpu counterpart of cublaslt.cu; the two cannot share code (a different library
// with a different ABI), only the row-major contract of device::matmul.
//
// Search order (the first library that loads and exports cblas_sgemm wins; every path tried is reported):
//   1. the caller's choice: registerNativeBackend({ blas }) -- a file path or library name, or "builtin" to skip
//      the search and use the built-in GEMM
//   2. $SOFTCOT_BLAS (the same forms)
//   3. OpenBLAS: libopenblas.so.0, libopenblas.so on the default loader path, then Debian/Ubuntu's
//      /usr/lib/<triplet>/openblas-{pthread,openmp}/ and /usr/lib64, /usr/local/lib, /opt/OpenBLAS/lib
//   4. MKL: libmkl_rt.so.2, libmkl_rt.so on the loader path, then $MKLROOT/lib{/intel64,} and
//      /opt/intel/oneapi/mkl/latest/lib{/intel64,}
//   5. BLIS: libblis.so.4, libblis.so on the loader path, then /usr/lib/<triplet>/blis-{pthread,openmp}/
//   6. none: the built-in GEMM
//
// Threads: the library is asked to run one thread per call (openblas_set_num_threads, MKL_Set_Num_Threads,
// bli_thread_set_num_threads) and our pool runs one call per tile, so the process has exactly one set of compute
// threads and no two pools spin against each other. A library without such a control is called from one thread
// and left to thread itself.
#include "device.h"
#include "kernel_math.h"
#include "pool.h"
#include <dlfcn.h>
#include <sys/stat.h>
#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace softcot {
namespace avx512 {
template <typename T> void gemm_tile(const T*, bool, int64_t, const T*, bool, int64_t, T*, int64_t, int64_t, int64_t, int64_t);
}
namespace avx2 {
template <typename T> void gemm_tile(const T*, bool, int64_t, const T*, bool, int64_t, T*, int64_t, int64_t, int64_t, int64_t);
}
namespace generic {
template <typename T> void gemm_tile(const T*, bool, int64_t, const T*, bool, int64_t, T*, int64_t, int64_t, int64_t, int64_t);
}

namespace device {
namespace {

// ---- hand-declared CBLAS ABI (cblas.h: CBLAS_ORDER / CBLAS_TRANSPOSE values) ------------------------------------
enum : int { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };
typedef void (*PFN_sgemm)(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda,
                          const float* b, int ldb, float beta, float* c, int ldc);
typedef void (*PFN_set_threads_int)(int);
typedef void (*PFN_set_threads_i64)(int64_t);
typedef const char* (*PFN_str)(void);
typedef void (*PFN_mkl_version)(char*, int);

struct Blas {
  void* lib = nullptr;
  PFN_sgemm sgemm = nullptr;
  bool one_thread_per_call = false;  // the library runs single-threaded, our pool splits the work
  std::string path, name, version;
};
Blas g_blas;
bool g_blas_searched = false;
std::mutex g_mu;

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}
std::string env(const char* k) {
  const char* v = getenv(k);
  return v ? std::string(v) : std::string();
}

std::string triplet() {
#if defined(__x86_64__)
  return "x86_64-linux-gnu";
#elif defined(__aarch64__)
  return "aarch64-linux-gnu";
#else
  return "";
#endif
}

// Candidates in search order; a bare name goes through the loader path, a path must exist.
std::vector<std::string> candidates(const std::string& choice) {
  std::vector<std::string> c;
  auto add = [&](const std::string& s) {
    if (!s.empty() && std::find(c.begin(), c.end(), s) == c.end()) c.push_back(s);
  };
  add(choice);
  add(env("SOFTCOT_BLAS"));
  const std::string t = triplet();
  // OpenBLAS
  add("libopenblas.so.0");
  add("libopenblas.so");
  for (const char* v : {"openblas-pthread", "openblas-openmp", "openblas-serial"}) add("/usr/lib/" + t + "/" + v + "/libopenblas.so.0");
  for (const char* d : {"/usr/lib64", "/usr/local/lib", "/opt/OpenBLAS/lib"}) add(std::string(d) + "/libopenblas.so.0");
  // MKL
  add("libmkl_rt.so.2");
  add("libmkl_rt.so");
  for (const std::string& root : {env("MKLROOT"), std::string("/opt/intel/oneapi/mkl/latest")}) {
    if (root.empty()) continue;
    add(root + "/lib/intel64/libmkl_rt.so.2");
    add(root + "/lib/libmkl_rt.so.2");
  }
  // BLIS
  add("libblis.so.4");
  add("libblis.so");
  for (const char* v : {"blis-pthread", "blis-openmp", "blis-serial"}) add("/usr/lib/" + t + "/" + v + "/libblis.so.4");
  return c;
}

// Identify the library and make it single-threaded per call.
void configure(Blas& b) {
  if (auto set = (PFN_set_threads_int)dlsym(b.lib, "openblas_set_num_threads")) {
    set(1);
    b.one_thread_per_call = true;
    auto cfg = (PFN_str)dlsym(b.lib, "openblas_get_config");
    auto core = (PFN_str)dlsym(b.lib, "openblas_get_corename");
    b.version = cfg ? cfg() : "OpenBLAS";
    b.name = "OpenBLAS";
    if (core) b.name += std::string(" (") + core() + " kernels)";
  } else if (auto set = (PFN_set_threads_int)dlsym(b.lib, "MKL_Set_Num_Threads")) {
    set(1);
    b.one_thread_per_call = true;
    char buf[256] = {0};
    if (auto ver = (PFN_mkl_version)dlsym(b.lib, "MKL_Get_Version_String")) ver(buf, sizeof(buf) - 1);
    b.version = buf[0] ? buf : "MKL";
    b.name = "MKL";
  } else if (auto set = (PFN_set_threads_i64)dlsym(b.lib, "bli_thread_set_num_threads")) {
    set(1);
    b.one_thread_per_call = true;
    auto ver = (PFN_str)dlsym(b.lib, "bli_info_get_version_str");
    b.version = ver ? std::string("BLIS ") + ver() : "BLIS";
    b.name = "BLIS";
  } else {
    b.name = "an unknown CBLAS library (threads: its own)";
  }
}

// ---- partition: (batch, row range, column range) tiles for the pool ------------------------------------------------
struct Tile { int64_t batch, m0, m1, n0, n1; };

// About four tiles per thread, none smaller than ~1M multiply-adds (below that a split costs more than it saves);
// columns split in multiples of 16, rows of 6.
std::vector<Tile> tiles(int64_t batch, int64_t m, int64_t n, int64_t k) {
  std::vector<Tile> out;
  const int64_t want = (int64_t)pool::threads() * 4;
  int64_t per = batch >= want ? 1 : (want + batch - 1) / batch;
  const int64_t max_by_work = std::max<int64_t>(1, m * n * std::max<int64_t>(k, 1) / (1 << 20));
  per = std::max<int64_t>(1, std::min(per, max_by_work));
  const bool split_n = n >= m;
  const int64_t dim = split_n ? n : m, align = split_n ? 16 : 6;
  int64_t step = (dim + per - 1) / per;
  step = std::max(align, (step + align - 1) / align * align);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < dim; s += step) {
      const int64_t e = std::min(dim, s + step);
      out.push_back(split_n ? Tile{b, 0, m, s, e} : Tile{b, s, e, 0, n});
    }
  return out;
}

// Tiles per pool chunk, so that a chunk holds at least ~1M multiply-adds (tiny batched products stay on one thread).
int64_t tile_grain(size_t tiles, int64_t batch, int64_t m, int64_t n, int64_t k) {
  const double per_tile = (double)batch * m * n * std::max<int64_t>(k, 1) / std::max<size_t>(tiles, 1);
  return std::max<int64_t>(1, (int64_t)((1 << 20) / std::max(per_tile, 1.0)));
}

template <typename T>
void (*builtin_gemm())(const T*, bool, int64_t, const T*, bool, int64_t, T*, int64_t, int64_t, int64_t, int64_t) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return avx512::gemm_tile<T>;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2::gemm_tile<T>;
#endif
  return generic::gemm_tile<T>;
}

template <typename T>
void run_builtin(const T* a, const T* b, T* c, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                 int64_t sa, int64_t sb, int64_t sc) {
  static const auto kernel = builtin_gemm<T>();
  const std::vector<Tile> ts = tiles(batch, m, n, k);
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  pool::parallel_for((int64_t)ts.size(), tile_grain(ts.size(), batch, m, n, k), [&](int64_t t0, int64_t t1) {
    for (int64_t i = t0; i < t1; ++i) {
      const Tile& t = ts[i];
      const T* A = a + t.batch * sa + (ta ? t.m0 : t.m0 * k);
      const T* B = b + t.batch * sb + (tb ? t.n0 * k : t.n0);
      kernel(A, ta, lda, B, tb, ldb, c + t.batch * sc + t.m0 * n + t.n0, n, t.m1 - t.m0, t.n1 - t.n0, k);
    }
  });
}

void run_blas(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta,
              bool tb, int64_t sa, int64_t sb, int64_t sc) {
  const int lda = (int)(ta ? m : k), ldb = (int)(tb ? k : n);
  auto call = [&](const Tile& t) {
    const float* A = a + t.batch * sa + (ta ? t.m0 : t.m0 * k);
    const float* B = b + t.batch * sb + (tb ? t.n0 * k : t.n0);
    g_blas.sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)(t.m1 - t.m0),
                 (int)(t.n1 - t.n0), (int)k, 1.f, A, lda, B, ldb, 0.f, c + t.batch * sc + t.m0 * n + t.n0, (int)n);
  };
  if (!g_blas.one_thread_per_call) {
    for (int64_t i = 0; i < batch; ++i) call(Tile{i, 0, m, 0, n});
    return;
  }
  const std::vector<Tile> ts = tiles(batch, m, n, k);
  pool::parallel_for((int64_t)ts.size(), tile_grain(ts.size(), batch, m, n, k), [&](int64_t t0, int64_t t1) {
    for (int64_t i = t0; i < t1; ++i) call(ts[i]);
  });
}

}  // namespace

// The first call searches; later calls report the same library (one BLAS per process), except that "builtin"
// switches the BLAS off from then on.
BlasLoadResult load_blas(const std::string& choice) {
  std::lock_guard<std::mutex> lk(g_mu);
  BlasLoadResult r;
  const bool builtin = choice == "builtin" || (choice.empty() && env("SOFTCOT_BLAS") == "builtin");
  if (!g_blas_searched && !builtin) {
    std::vector<std::string> tried;
    for (const std::string& p : candidates(choice)) {
      const bool is_path = p.find('/') != std::string::npos;
      if (is_path && !exists(p)) { tried.push_back(p + " (not found)"); continue; }
      void* h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        const char* e = dlerror();
        std::string why = e ? e : "?";
        if (!is_path && why.find("No such file") != std::string::npos) why = "not on the loader path";
        tried.push_back(p + " (" + why + ")");
        continue;
      }
      auto sgemm = (PFN_sgemm)dlsym(h, "cblas_sgemm");
      if (!sgemm) { tried.push_back(p + " (no cblas_sgemm)"); dlclose(h); continue; }
      g_blas.lib = h;
      g_blas.sgemm = sgemm;
      g_blas.path = p;
      configure(g_blas);
      break;
    }
    for (auto& t : tried) r.tried += t + "\n";
  }
  g_blas_searched = true;
  if (builtin) g_blas.sgemm = nullptr;
  if (g_blas.sgemm) {
    r.ok = true;
    r.path = g_blas.path;
    r.version = g_blas.version;
    r.name = g_blas.name + (g_blas.one_thread_per_call ? ", one thread per call x " + std::to_string(pool::threads()) + " pool threads" : "");
  } else {
    r.name = "built-in blocked GEMM";
    r.error = builtin ? "the built-in GEMM was asked for" : "no BLAS library found (OpenBLAS, MKL or BLIS)";
  }
  return r;
}

Status matmul(const void* a, const void* b, void* c, int t, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta,
              bool tb, int64_t sa, int64_t sb, int64_t sc, bool /*allow_tf32: GPU only*/, bool force_fallback,
              bool& used_library) {
  used_library = false;
  if (batch <= 0 || m <= 0 || n <= 0) return "";
  if (k == 0) return fill(c, t, batch * m * n, 0.0);
  if (t == DT_F32) {
    if (g_blas.sgemm && !force_fallback && m < (1LL << 31) && n < (1LL << 31) && k < (1LL << 31)) {
      used_library = true;
      run_blas((const float*)a, (const float*)b, (float*)c, batch, m, n, k, ta, tb, sa, sb, sc);
      return "";
    }
    run_builtin((const float*)a, (const float*)b, (float*)c, batch, m, n, k, ta, tb, sa, sb, sc);
    return "";
  }
  if (t == DT_BF16) {
    run_builtin((const bf16_t*)a, (const bf16_t*)b, (bf16_t*)c, batch, m, n, k, ta, tb, sa, sb, sc);
    return "";
  }
  return "matmul supports f32 and bf16 storage only";
}

}  // namespace device
}  // namespace softcot
