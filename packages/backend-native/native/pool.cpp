// Fork-join thread pool (see pool.h). One job at a time. The caller publishes a job in one atomic claim word,
// takes chunks itself, and waits only for chunks that were taken: a worker that has not woken up (on a loaded
// machine it may not be scheduled for milliseconds) holds nothing up, because it can only claim a chunk of the
// job that is current when it looks.
//
// claim word = generation (32 bits) | chunk count (16 bits) | next chunk (16 bits). A thread takes chunk i of job g
// by a compare-and-swap from (g, c, i) to (g, c, i + 1) with i < c; the job's fields are read after the swap, and
// the caller rewrites them only once every chunk of the job is done, so a successful claim always sees its job.
#include "pool.h"
#include <sched.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace softcot {
namespace pool {
namespace {

struct Job {
  void (*fn)(void*, int64_t, int64_t) = nullptr;
  void* ctx = nullptr;
  int64_t n = 0, chunk = 1;
};

constexpr int64_t MAX_CHUNKS = 0xffff;

Job g_job;
std::atomic<uint64_t> g_claim{0};
std::atomic<int64_t> g_done{0};   // chunks of the current job finished
std::atomic<uint32_t> g_gen{0};   // bumped per job; sleeping workers wait for it to change
std::atomic<bool> g_stop{false};
// Never destroyed: at process exit a worker may still sleep on the condition variable, and destroying it would
// block exit.
std::mutex& g_mu = *new std::mutex;
std::condition_variable& g_cv = *new std::condition_variable;
int g_workers = 0;                // worker threads running (detached: a process may exit while they sleep)
std::atomic<int> g_alive{0};
int g_threads = 1;

// How long an idle worker spins before it sleeps: kernels of one model step arrive a few microseconds apart. The
// spin yields the core now and then, so on a loaded machine it does not take time slices from the main thread.
constexpr auto SPIN = std::chrono::microseconds(300);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

inline uint64_t claim_word(uint32_t gen, int64_t chunks, int64_t next) {
  return ((uint64_t)gen << 32) | ((uint64_t)chunks << 16) | (uint64_t)next;
}

// Takes and runs chunks of whatever job is current until none is left.
void take_chunks() {
  uint64_t w = g_claim.load(std::memory_order_acquire);
  for (;;) {
    const int64_t chunks = (int64_t)((w >> 16) & 0xffff), next = (int64_t)(w & 0xffff);
    if (next >= chunks) return;
    if (!g_claim.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    const int64_t b = next * g_job.chunk, e = std::min(g_job.n, b + g_job.chunk);
    g_job.fn(g_job.ctx, b, e);
    g_done.fetch_add(1, std::memory_order_acq_rel);
    w = g_claim.load(std::memory_order_acquire);
  }
}

void worker() {
  uint32_t seen = g_gen.load(std::memory_order_acquire);
  for (;;) {
    take_chunks();
    auto t0 = std::chrono::steady_clock::now();
    int spins = 0;
    while (g_gen.load(std::memory_order_acquire) == seen && !g_stop.load(std::memory_order_relaxed)) {
      relax();
      if (++spins % 64 == 0) std::this_thread::yield();
      if (spins % 256 == 0 && std::chrono::steady_clock::now() - t0 > SPIN) {
        std::unique_lock<std::mutex> lk(g_mu);
        g_cv.wait(lk, [&] { return g_gen.load(std::memory_order_acquire) != seen || g_stop.load(); });
      }
    }
    if (g_stop.load()) {
      g_alive.fetch_sub(1);
      return;
    }
    seen = g_gen.load(std::memory_order_acquire);
  }
}

int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

void stop_workers() {
  {
    std::lock_guard<std::mutex> lk(g_mu);
    g_stop.store(true);
  }
  g_cv.notify_all();
  while (g_alive.load() != 0) std::this_thread::yield();
  g_workers = 0;
  g_stop.store(false);
}

}  // namespace

void start(int n) {
  if (n <= 0) n = available_cpus();
  if (n == g_threads && g_workers == n - 1) return;
  stop_workers();
  g_threads = n;
  for (int i = 1; i < n; ++i) {
    g_alive.fetch_add(1);
    std::thread(worker).detach();
    ++g_workers;
  }
}

int threads() { return g_threads; }

void run(int64_t n, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  // A few chunks per thread, so a thread slowed by another process does not hold the others up.
  const int64_t want = std::min<int64_t>((int64_t)g_threads * 4, MAX_CHUNKS);
  const int64_t chunk = std::max(grain, (n + want - 1) / want);
  const int64_t chunks = (n + chunk - 1) / chunk;
  if (g_workers == 0 || chunks <= 1) {
    fn(ctx, 0, n);
    return;
  }
  // Every chunk of the previous job is done (the caller waited for them), so no thread reads these fields now.
  g_job.fn = fn;
  g_job.ctx = ctx;
  g_job.n = n;
  g_job.chunk = chunk;
  g_done.store(0, std::memory_order_relaxed);
  const uint32_t gen = g_gen.load(std::memory_order_relaxed) + 1;
  g_claim.store(claim_word(gen, chunks, 0), std::memory_order_release);
  {
    // The lock orders the bump against a worker that is about to sleep, so no wake-up is lost.
    std::lock_guard<std::mutex> lk(g_mu);
    g_gen.store(gen, std::memory_order_release);
  }
  g_cv.notify_all();
  take_chunks();
  while (g_done.load(std::memory_order_acquire) != chunks) relax();
}

}  // namespace pool
}  // namespace softcot
