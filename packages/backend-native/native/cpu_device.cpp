// The cpu device: host memory, the thread pool, and host <-> "device" copies (plain memory copies, with the bf16
// conversion when the precision policy stores floats as bf16).
//
// Out of memory is an answer, not an abort: raw_malloc refuses a request larger than what the machine (or the
// cgroup the process runs in) has available, before Linux's overcommit would let it through and the OOM killer
// end the process later. The TypeScript allocator then releases its cache, retries, and throws an error naming the
// requested and the available bytes.
#include "device.h"
#include "kernel_math.h"
#include "pool.h"
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace softcot {
namespace device {

const char* const NAME = "cpu";

namespace {

bool g_ready = false;

// Large blocks are aligned to 2 MiB and offered transparent huge pages: the GEMM streams gigabytes of weights,
// and 2 MiB pages cut its TLB misses.
constexpr size_t HUGE_ALIGN = 2u << 20;
constexpr size_t CHECK_AVAILABLE_FROM = 16u << 20;

// A value in kB from /proc/meminfo, in bytes (0 when missing).
size_t meminfo_bytes(const char* key) {
  std::ifstream f("/proc/meminfo");
  std::string k;
  size_t v = 0;
  std::string unit;
  while (f >> k >> v) {
    std::getline(f, unit);
    if (k == key) return v * 1024;
  }
  return 0;
}
size_t read_number(const char* path) {
  std::ifstream f(path);
  std::string s;
  if (!(f >> s) || s == "max") return 0;
  return (size_t)strtoull(s.c_str(), nullptr, 10);
}
// (available, total) for this process: the machine's MemAvailable, capped by a cgroup v2 (or v1) memory limit.
void memory_budget(size_t& avail, size_t& total) {
  total = meminfo_bytes("MemTotal:");
  avail = meminfo_bytes("MemAvailable:");
  size_t lim = read_number("/sys/fs/cgroup/memory.max"), used = read_number("/sys/fs/cgroup/memory.current");
  if (!lim) {
    lim = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  if (lim && lim < total) {
    total = lim;
    avail = std::min(avail, lim > used ? lim - used : 0);
  }
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t c = line.find(':');
      if (c != std::string::npos) return line.substr(line.find_first_not_of(" \t", c + 1));
    }
  }
  return "unknown cpu";
}

std::string simd_level() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2+fma";
  return "sse2";
#else
  return "generic";
#endif
}

}  // namespace

DeviceInfo init(int threads) {
  // Blocks of 1 MiB and more come from mmap and go back to the system when freed. glibc's default threshold grows
  // with every large block freed, after which freed tensors stayed in the process: a 0.5B training run reached
  // 23 GB of RSS with 13.5 GB of live tensors.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  pool::start(threads);
  g_ready = true;
  DeviceInfo d;
  d.ok = true;
  size_t avail, total;
  memory_budget(avail, total);
  d.fields.push_back(info_str("name", cpu_model()));
  d.fields.push_back(info_num("threads", pool::threads()));
  d.fields.push_back(info_str("simd", simd_level()));
  d.fields.push_back(info_num("totalMem", (double)total));
  d.fields.push_back(info_num("freeMem", (double)avail));
  return d;
}

bool ready() { return g_ready; }

void* raw_malloc(size_t bytes, Status& st) {
  st.clear();
  if (bytes < 1) bytes = 1;
  if (bytes >= CHECK_AVAILABLE_FROM) {
    size_t avail, total;
    memory_budget(avail, total);
    if (avail && bytes > avail) return nullptr;
  }
  const size_t align = bytes >= 2 * HUGE_ALIGN ? HUGE_ALIGN : 64;
  void* p = nullptr;
  if (posix_memalign(&p, align, bytes) != 0) return nullptr;
#if defined(MADV_HUGEPAGE)
  if (align == HUGE_ALIGN) madvise(p, bytes & ~(HUGE_ALIGN - 1), MADV_HUGEPAGE);
#endif
  return p;
}

Status raw_free(void* p) {
  free(p);
  return "";
}

Status mem_info(size_t& free_bytes, size_t& total_bytes) {
  memory_budget(free_bytes, total_bytes);
  return "";
}

Status upload(void* dst, int dt, const void* host, bool host_is_i32, size_t n) {
  if (dt == DT_BF16) {
    if (host_is_i32) return "upload: bf16 storage needs float data";
    const float* f = (const float*)host;
    bf16_t* h = (bf16_t*)dst;
    pool::parallel_for((int64_t)n, 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) h[i] = bf16_store(f[i]);
    });
    return "";
  }
  memcpy(dst, host, n * 4);
  return "";
}

Status download(void* host, const void* src, int dt, size_t n) {
  if (dt == DT_BF16) {
    const bf16_t* h = (const bf16_t*)src;
    float* f = (float*)host;
    pool::parallel_for((int64_t)n, 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) f[i] = bf16_load(h[i]);
    });
    return "";
  }
  memcpy(host, src, n * 4);
  return "";
}

Status copy(void* dst, const void* src, size_t bytes) {
  if (bytes) memmove(dst, src, bytes);
  return "";
}

// Every cpu kernel has finished when its call returns.
Status sync() { return ""; }

}  // namespace device
}  // namespace softcot
