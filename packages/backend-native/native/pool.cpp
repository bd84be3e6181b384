// Fork-join thread pool (see pool.h). One job at a time: the caller publishes it by bumping a generation counter,
// takes chunks itself, then waits until every worker has acknowledged the generation.
#include "pool.h"
#include <sched.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace softcot {
namespace pool {
namespace {

struct Job {
  void (*fn)(void*, int64_t, int64_t) = nullptr;
  void* ctx = nullptr;
  int64_t n = 0, chunk = 1, chunks = 0;
  std::atomic<int64_t> next{0};
};

Job g_job;
std::atomic<uint64_t> g_gen{0};
std::atomic<int> g_pending{0};  // workers that have not finished the current generation
std::atomic<bool> g_stop{false};
// Never destroyed: at process exit a worker may still sleep on the condition variable, and destroying it would
// block exit.
std::mutex& g_mu = *new std::mutex;
std::condition_variable& g_cv = *new std::condition_variable;
int g_workers = 0;                // worker threads running (detached: a process may exit while they sleep)
std::atomic<int> g_alive{0};
int g_threads = 1;

// How long an idle worker spins before it sleeps: kernels of one model step arrive a few microseconds apart.
constexpr auto SPIN = std::chrono::microseconds(2000);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

void take_chunks() {
  for (;;) {
    const int64_t c = g_job.next.fetch_add(1, std::memory_order_relaxed);
    if (c >= g_job.chunks) return;
    const int64_t b = c * g_job.chunk, e = std::min(g_job.n, b + g_job.chunk);
    g_job.fn(g_job.ctx, b, e);
  }
}

// `seen`: the generation at the worker's creation, so a job published before the thread first runs is not missed.
void worker(uint64_t seen) {
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    int spins = 0;
    while (g_gen.load(std::memory_order_acquire) == seen && !g_stop.load(std::memory_order_relaxed)) {
      relax();
      if (++spins % 256 == 0 && std::chrono::steady_clock::now() - t0 > SPIN) {
        std::unique_lock<std::mutex> lk(g_mu);
        g_cv.wait(lk, [&] { return g_gen.load(std::memory_order_acquire) != seen || g_stop.load(); });
      }
    }
    if (g_stop.load()) {
      g_alive.fetch_sub(1);
      return;
    }
    seen = g_gen.load(std::memory_order_acquire);
    take_chunks();
    g_pending.fetch_sub(1, std::memory_order_acq_rel);
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
    std::thread(worker, g_gen.load()).detach();
    ++g_workers;
  }
}

int threads() { return g_threads; }

void run(int64_t n, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  // A few chunks per thread, so a thread slowed by another process does not hold the others up.
  const int64_t want = (int64_t)g_threads * 4;
  int64_t chunk = std::max(grain, (n + want - 1) / want);
  const int64_t chunks = (n + chunk - 1) / chunk;
  if (g_workers == 0 || chunks <= 1) {
    fn(ctx, 0, n);
    return;
  }
  g_job.fn = fn;
  g_job.ctx = ctx;
  g_job.n = n;
  g_job.chunk = chunk;
  g_job.chunks = chunks;
  g_job.next.store(0, std::memory_order_relaxed);
  g_pending.store(g_workers, std::memory_order_relaxed);
  {
    // The lock orders the bump against a worker that is about to sleep, so no wake-up is lost.
    std::lock_guard<std::mutex> lk(g_mu);
    g_gen.fetch_add(1, std::memory_order_acq_rel);
  }
  g_cv.notify_all();
  take_chunks();
  while (g_pending.load(std::memory_order_acquire) != 0) relax();
}

}  // namespace pool
}  // namespace softcot
