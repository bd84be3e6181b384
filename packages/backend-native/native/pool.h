// The cpu device's thread pool: one fork-join pool shared by every kernel and by the GEMM (the BLAS is asked to
// run one thread per call, so exactly `threads()` threads ever compute and none fight over the cores).
//
// Workers spin for a short while after a job (kernels arrive microseconds apart) and then sleep on a condition
// variable, so an idle process costs no cpu.
#pragma once
#include <cstdint>

namespace softcot {
namespace pool {

// Starts (or resizes to) n threads in all, the calling thread included. n <= 0: every cpu this process may run on.
void start(int n);
int threads();

// Runs fn(ctx, begin, end) over [0, n) in chunks of at least `grain` items, on up to threads() threads (the caller
// takes part). Returns when every chunk is done. Runs inline when one chunk covers everything.
void run(int64_t n, int64_t grain, void (*fn)(void*, int64_t, int64_t), void* ctx);

template <typename F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  if (threads() <= 1 || n <= grain) {
    f((int64_t)0, n);
    return;
  }
  run(n, grain, [](void* c, int64_t b, int64_t e) { (*static_cast<F*>(c))(b, e); }, (void*)&f);
}

}  // namespace pool
}  // namespace softcot
