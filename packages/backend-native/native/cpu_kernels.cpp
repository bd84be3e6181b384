// The cpu device's kernels: the formulas of kernel_math.h, run by the thread pool.
//
// Where the cpu differs from kernels.cu it is in the loops only: the GPU gives each element (or row) a thread and
// combines partials with shared-memory trees; here a thread takes a contiguous range, walks the innermost axis as
// a run with fixed strides (so the compiler vectorises the common contiguous and broadcast cases), and partial
// results of one row, when a row is split across threads, merge with the same functions (extremum_merge,
// online_combine) the GPU's trees use.
#include "device.h"
#include "kernel_math.h"
#include "pool.h"
#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

namespace softcot {
namespace device {
namespace {

// Elements per chunk: below it a kernel stays on the calling thread. Waking a worker and joining it costs a few
// microseconds (tens when it sleeps), about what one thread spends on 10^5 elements of a cheap op; the small
// models of the demo and the study run 3x slower when every mid-size op is split.
constexpr int64_t ELEM_GRAIN = 1 << 17;

// ---- dispatch helpers -------------------------------------------------------------------------------------------
template <int V> using IC = std::integral_constant<int, V>;

#define SC_STORAGE_CASES(t, T, ...)                       \
  switch (t) {                                            \
    case DT_F32: { typedef float T; __VA_ARGS__; break; } \
    case DT_BF16: { typedef bf16_t T; __VA_ARGS__; break; } \
    case DT_I32: { typedef int32_t T; __VA_ARGS__; break; } \
    default: return "bad storage type " + std::to_string(t); \
  }
#define SC_FLOAT_CASES(t, T, ...)                          \
  switch (t) {                                             \
    case DT_F32: { typedef float T; __VA_ARGS__; break; }  \
    case DT_BF16: { typedef bf16_t T; __VA_ARGS__; break; } \
    default: return "bad float storage type " + std::to_string(t); \
  }

template <typename F> bool with_unary_op(int op, F&& f) {
  switch (op) {
    case U_COPY: f(IC<U_COPY>()); return true;
    case U_NEG: f(IC<U_NEG>()); return true;
    case U_EXP: f(IC<U_EXP>()); return true;
    case U_LOG: f(IC<U_LOG>()); return true;
    case U_SQRT: f(IC<U_SQRT>()); return true;
    case U_RSQRT: f(IC<U_RSQRT>()); return true;
    case U_SQUARE: f(IC<U_SQUARE>()); return true;
    case U_SIGMOID: f(IC<U_SIGMOID>()); return true;
    case U_CLIP: f(IC<U_CLIP>()); return true;
    case U_ABS: f(IC<U_ABS>()); return true;
    case U_TANH: f(IC<U_TANH>()); return true;
    case U_RELU: f(IC<U_RELU>()); return true;
    case U_FLOOR: f(IC<U_FLOOR>()); return true;
    case U_NOTZERO: f(IC<U_NOTZERO>()); return true;
    case U_LOGICAL_NOT: f(IC<U_LOGICAL_NOT>()); return true;
    case U_STEP: f(IC<U_STEP>()); return true;
  }
  return false;
}
template <typename F> bool with_binary_op(int op, F&& f) {
  switch (op) {
    case B_ADD: f(IC<B_ADD>()); return true;
    case B_SUB: f(IC<B_SUB>()); return true;
    case B_MUL: f(IC<B_MUL>()); return true;
    case B_DIV: f(IC<B_DIV>()); return true;
    case B_POW: f(IC<B_POW>()); return true;
    case B_MAX: f(IC<B_MAX>()); return true;
    case B_MIN: f(IC<B_MIN>()); return true;
    case B_GREATER: f(IC<B_GREATER>()); return true;
    case B_GREATER_EQ: f(IC<B_GREATER_EQ>()); return true;
    case B_LESS: f(IC<B_LESS>()); return true;
    case B_LESS_EQ: f(IC<B_LESS_EQ>()); return true;
    case B_EQUAL: f(IC<B_EQUAL>()); return true;
    case B_NOT_EQUAL: f(IC<B_NOT_EQUAL>()); return true;
    case B_LOGICAL_AND: f(IC<B_LOGICAL_AND>()); return true;
    case B_LOGICAL_OR: f(IC<B_LOGICAL_OR>()); return true;
    case B_FLOOR_DIV: f(IC<B_FLOOR_DIV>()); return true;
  }
  return false;
}

// Calls f(i, len, off) for each run of consecutive output elements [i, i + len) inside [begin, end) that lie on
// one innermost-axis row; off[k] is operand k's element offset at i (strided_offsets, Tile wrap included).
template <int NOPS, typename F>
void for_each_run(const Geom& g, int64_t begin, int64_t end, F&& f) {
  const int64_t L = g.rank > 0 ? g.shape[g.rank - 1] : 1;
  for (int64_t i = begin; i < end;) {
    const int64_t len = std::min(L - i % L, end - i);
    int64_t off[NOPS];
    strided_offsets<NOPS>(g, i, off);
    f(i, len, off);
    i += len;
  }
}
inline int64_t inner_stride(const Geom& g, int k) { return g.rank > 0 ? g.stride[k][g.rank - 1] : 0; }

// ---- binary -----------------------------------------------------------------------------------------------------
// y[j] = f(a[j * sa], b[j * sb]) for j < len; the contiguous and broadcast cases get their own loops to vectorise.
template <int OP, typename TI, typename TY>
void binary_run(const TI* a, int64_t sa, const TI* b, int64_t sb, TY* y, int64_t len) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < len; ++j) stf(y, j, binary_f(OP, ldf(a, j), ldf(b, j)));
  } else if (sa == 1 && sb == 0) {
    const float bv = ldf(b, 0);
    for (int64_t j = 0; j < len; ++j) stf(y, j, binary_f(OP, ldf(a, j), bv));
  } else if (sa == 0 && sb == 1) {
    const float av = ldf(a, 0);
    for (int64_t j = 0; j < len; ++j) stf(y, j, binary_f(OP, av, ldf(b, j)));
  } else {
    for (int64_t j = 0; j < len; ++j) stf(y, j, binary_f(OP, ldf(a, j * sa), ldf(b, j * sb)));
  }
}
template <int OP>
void binary_run_i32(const int32_t* a, int64_t sa, const int32_t* b, int64_t sb, int32_t* y, int64_t len) {
  if (sa == 1 && sb == 1) for (int64_t j = 0; j < len; ++j) y[j] = binary_i(OP, a[j], b[j]);
  else for (int64_t j = 0; j < len; ++j) y[j] = binary_i(OP, a[j * sa], b[j * sb]);
}

// ---- strided copy -----------------------------------------------------------------------------------------------
// y[q * sy] = x[q * sx] for q < n: raw copies between equal types, else cast through fp32 (stf rounds / truncates).
template <typename TX, typename TY> void copy_run(const TX* x, int64_t sx, TY* y, int64_t sy, int64_t n) {
  if constexpr (std::is_same<TX, TY>::value) {
    if (sx == 1 && sy == 1) std::copy(x, x + n, y);
    else for (int64_t q = 0; q < n; ++q) y[q * sy] = x[q * sx];
  } else {
    for (int64_t q = 0; q < n; ++q) stf(y, q * sy, ldf(x, q * sx));
  }
}

// ---- reductions -------------------------------------------------------------------------------------------------
// Sum of x[0..n) in fp32 with 16 independent accumulators (vectorised; the rounding error grows with n / 16).
template <typename T> float sum_run(const T* x, int64_t n) {
  float acc[16] = {0};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int q = 0; q < 16; ++q) acc[q] += ldf(x, j + q);
  float s = 0;
  for (; j < n; ++j) s += ldf(x, j);
  for (int q = 0; q < 16; ++q) s += acc[q];
  return s;
}
template <typename T> float max_run(const T* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) m = fmaxf(m, ldf(x, j));  // fmaxf ignores NaN
  return m;
}
template <typename T> Extremum<float> extremum_run(int op, const T* x, int64_t j0, int64_t j1) {
  Extremum<float> e{0.f, -1};
  for (int64_t j = j0; j < j1; ++j) extremum_step(op, e, ldf(x, j), j);
  return e;
}

}  // namespace

// =================================================================================================================
Status fill(void* y, int ty, int64_t n, double value) {
  if (n <= 0) return "";
  if (ty == DT_I32) {
    const int32_t v = (int32_t)value;
    pool::parallel_for(n, ELEM_GRAIN, [&](int64_t b, int64_t e) { std::fill((int32_t*)y + b, (int32_t*)y + e, v); });
    return "";
  }
  SC_FLOAT_CASES(ty, T, {
    pool::parallel_for(n, ELEM_GRAIN, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) stf((T*)y, i, (float)value);
    });
  });
  return "";
}

Status unary(int op, const void* x, int tx, void* y, int ty, int64_t n, float a, float b) {
  if (n <= 0) return "";
  if (op < 0 || op >= U_COUNT) return "unary: bad op " + std::to_string(op);
  if (tx == DT_I32 && ty == DT_I32) {
    with_unary_op(op, [&](auto opc) {
      pool::parallel_for(n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
        const int32_t* xi = (const int32_t*)x;
        int32_t* yi = (int32_t*)y;
        for (int64_t i = s; i < e; ++i) yi[i] = unary_i(decltype(opc)::value, xi[i], a, b);
      });
    });
    return "";
  }
  SC_STORAGE_CASES(tx, TX, SC_STORAGE_CASES(ty, TY, {
    with_unary_op(op, [&](auto opc) {
      pool::parallel_for(n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
        const TX* xs = (const TX*)x;
        TY* ys = (TY*)y;
        for (int64_t i = s; i < e; ++i) stf(ys, i, unary_f(decltype(opc)::value, ldf(xs, i), a, b));
      });
    });
  }));
  return "";
}

Status binary(int op, const void* a, const void* b, int tin, void* y, int ty, const Geom& g) {
  if (g.n <= 0) return "";
  if (op < 0 || op >= B_COUNT) return "binary: bad op " + std::to_string(op);
  const int64_t sa = inner_stride(g, 0), sb = inner_stride(g, 1);
  if (tin == DT_I32 && ty == DT_I32 && binary_int_exact(op)) {
    with_binary_op(op, [&](auto opc) {
      pool::parallel_for(g.n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
        for_each_run<2>(g, s, e, [&](int64_t i, int64_t len, const int64_t* off) {
          binary_run_i32<decltype(opc)::value>((const int32_t*)a + off[0], sa, (const int32_t*)b + off[1], sb, (int32_t*)y + i, len);
        });
      });
    });
    return "";
  }
  SC_STORAGE_CASES(tin, TI, SC_STORAGE_CASES(ty, TY, {
    with_binary_op(op, [&](auto opc) {
      pool::parallel_for(g.n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
        for_each_run<2>(g, s, e, [&](int64_t i, int64_t len, const int64_t* off) {
          binary_run<decltype(opc)::value>((const TI*)a + off[0], sa, (const TI*)b + off[1], sb, (TY*)y + i, len);
        });
      });
    });
  }));
  return "";
}

// y[i] = c[off_c(i)] != 0 ? a[off_a(i)] : b[off_b(i)]   (operands 0, 1, 2 = c, a, b; raw copies, no rounding)
Status select(const void* c, const void* a, const void* b, int t, void* y, const Geom& g) {
  if (g.n <= 0) return "";
  const int64_t sc = inner_stride(g, 0), sa = inner_stride(g, 1), sb = inner_stride(g, 2);
  SC_STORAGE_CASES(t, T, {
    pool::parallel_for(g.n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
      for_each_run<3>(g, s, e, [&](int64_t i, int64_t len, const int64_t* off) {
        const int32_t* cc = (const int32_t*)c + off[0];
        const T* aa = (const T*)a + off[1];
        const T* bb = (const T*)b + off[2];
        T* yy = (T*)y + i;
        for (int64_t j = 0; j < len; ++j) yy[j] = cc[j * sc] != 0 ? aa[j * sa] : bb[j * sb];
      });
    });
  });
  return "";
}

// y[off_y(i)] = cast(x[off_x(i)]): Transpose, Slice, Tile, Concat, PadV2, broadcasts and casts. Within a run the
// innermost coordinate of x wraps every mod elements (Tile); the run is cut at each wrap.
Status strided_copy(const void* x, int tx, void* y, int ty, const Geom& g) {
  if (g.n <= 0) return "";
  const int64_t sx = inner_stride(g, 0), sy = inner_stride(g, 1);
  const int64_t wrap = g.rank > 0 ? g.mod[g.rank - 1] : 0;
  const int64_t L = g.rank > 0 ? g.shape[g.rank - 1] : 1;
  SC_STORAGE_CASES(tx, TX, SC_STORAGE_CASES(ty, TY, {
    pool::parallel_for(g.n, ELEM_GRAIN, [&](int64_t s, int64_t e) {
      for_each_run<2>(g, s, e, [&](int64_t i, int64_t len, const int64_t* off) {
        const int64_t pos0 = i % L;  // innermost output coordinate of element i
        // x's offset at innermost coordinate 0 of this row (strided_offsets wrapped pos0 already)
        const int64_t x_row = off[0] - (wrap > 0 ? pos0 % wrap : pos0) * sx;
        TY* yy = (TY*)y + off[1];
        for (int64_t j = 0; j < len;) {
          const int64_t cx = wrap > 0 ? (pos0 + j) % wrap : pos0 + j;
          const int64_t seg = wrap > 0 ? std::min(len - j, wrap - cx) : len - j;
          const TX* xx = (const TX*)x + x_row + cx * sx;
          TY* yj = yy + j * sy;
          copy_run(xx, sx, yj, sy, seg);
          j += seg;
        }
      });
    });
  }));
  return "";
}

Status reduce(int op, const void* x, int tx, void* y, int ty, int64_t rows, int64_t cols) {
  if (rows <= 0) return "";
  if (op < 0 || op >= R_COUNT) return "reduce: bad op " + std::to_string(op);
  const int64_t row_grain = std::max<int64_t>(1, ELEM_GRAIN / std::max<int64_t>(cols, 1));
  if (tx == DT_I32 && ty == DT_I32) {
    pool::parallel_for(rows, row_grain, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int32_t* row = (const int32_t*)x + r * cols;
        int64_t sum = 0;
        Extremum<int64_t> e{0, -1};
        if (reduce_is_sum(op)) for (int64_t j = 0; j < cols; ++j) sum += row[j];
        else for (int64_t j = 0; j < cols; ++j) extremum_step<int64_t>(op, e, row[j], j);
        ((int32_t*)y)[r] = reduce_result_i(op, sum, e, cols);
      }
    });
    return "";
  }
  SC_STORAGE_CASES(tx, TX, SC_STORAGE_CASES(ty, TY, {
    const TX* xs = (const TX*)x;
    if (rows >= pool::threads() || cols < 4 * ELEM_GRAIN) {
      pool::parallel_for(rows, row_grain, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const TX* row = xs + r * cols;
          float sum = 0;
          Extremum<float> e{0.f, -1};
          if (reduce_is_sum(op)) sum = sum_run(row, cols);
          else e = extremum_run(op, row, 0, cols);
          reduce_store(op, (TY*)y, r, sum, e, cols);
        }
      });
    } else {
      // Few long rows: split each row across the threads and merge the partials in order.
      const int64_t parts = pool::threads() * 4, chunk = (cols + parts - 1) / parts;
      std::vector<float> psum(parts);
      std::vector<Extremum<float>> pext(parts);
      for (int64_t r = 0; r < rows; ++r) {
        const TX* row = xs + r * cols;
        pool::parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
          for (int64_t p = p0; p < p1; ++p) {
            const int64_t j0 = std::min(cols, p * chunk), j1 = std::min(cols, j0 + chunk);
            if (reduce_is_sum(op)) psum[p] = sum_run(row + j0, j1 - j0);
            else pext[p] = extremum_run(op, row, j0, j1);
          }
        });
        float sum = 0;
        Extremum<float> e{0.f, -1};
        for (int64_t p = 0; p < parts; ++p) {
          if (reduce_is_sum(op)) sum += psum[p];
          else extremum_merge(op, e, pext[p]);
        }
        reduce_store(op, (TY*)y, r, sum, e, cols);
      }
    }
  }));
  return "";
}

// Softmax over the last axis: m = max x, s = sum e^(x - m), y = e^(x - m) / s (see kernel_math.h).
Status softmax(const void* x, void* y, int t, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0) return "";
  SC_FLOAT_CASES(t, T, {
    const T* xs = (const T*)x;
    T* ys = (T*)y;
    // y_j = e^(x_j - m) * (1 / s); the exponent is recomputed rather than stored so bf16 output rounds once.
    auto write_row = [](const T* row, T* out, int64_t n, float m, float inv) {
      for (int64_t j = 0; j < n; ++j) stf(out, j, expf(ldf(row, j) - m) * inv);
    };
    auto partial = [](const T* row, int64_t n, float& m, float& s) {
      m = max_run(row, n);
      s = 0;
      if (m == -INFINITY) return;
      for (int64_t j = 0; j < n; ++j) s += expf(ldf(row, j) - m);
    };
    if (rows >= pool::threads() || cols < 4 * ELEM_GRAIN) {
      const int64_t row_grain = std::max<int64_t>(1, ELEM_GRAIN / cols);
      pool::parallel_for(rows, row_grain, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          float m, s;
          partial(xs + r * cols, cols, m, s);
          write_row(xs + r * cols, ys + r * cols, cols, m, 1.f / s);
        }
      });
    } else {
      // Few long rows (a vocabulary-wide softmax of one sequence): per-thread (m, s) partials merged online.
      const int64_t parts = pool::threads() * 4, chunk = (cols + parts - 1) / parts;
      std::vector<float> pm(parts), ps(parts);
      for (int64_t r = 0; r < rows; ++r) {
        const T* row = xs + r * cols;
        pool::parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
          for (int64_t p = p0; p < p1; ++p) {
            const int64_t j0 = std::min(cols, p * chunk), j1 = std::min(cols, j0 + chunk);
            partial(row + j0, j1 - j0, pm[p], ps[p]);
          }
        });
        float m = -INFINITY, s = 0.f;
        for (int64_t p = 0; p < parts; ++p) online_combine(m, s, pm[p], ps[p]);
        const float inv = 1.f / s;
        pool::parallel_for(cols, ELEM_GRAIN, [&](int64_t j0, int64_t j1) { write_row(row + j0, ys + r * cols + j0, j1 - j0, m, inv); });
      }
    }
  });
  return "";
}

// y[o, j, i] = x[o, idx[j], i] (0 when idx[j] is out of range); rows are raw copies.
Status gather(const void* x, int t, const int32_t* idx, void* y, int64_t outer, int64_t axis_dim, int64_t inner,
              int64_t n_idx) {
  const int64_t rows = outer * n_idx;
  if (rows <= 0 || inner <= 0) return "";
  const size_t eb = dtype_bytes(t), row_bytes = (size_t)inner * eb;
  pool::parallel_for(rows, std::max<int64_t>(1, ELEM_GRAIN / inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / n_idx, j = r % n_idx, src = idx[j];
      char* dst = (char*)y + (size_t)r * row_bytes;
      if (src < 0 || src >= axis_dim) memset(dst, 0, row_bytes);  // all-zero bits are 0 in f32, bf16 and i32
      else memcpy(dst, (const char*)x + (size_t)(o * axis_dim + src) * row_bytes, row_bytes);
    }
  });
  return "";
}

// y [numSegments, inner] (f32 or i32) = sum of the rows of x [rows, inner] by segment id; ids out of range are
// dropped. Threads own disjoint column ranges, so the sum runs in row order and is deterministic.
Status segment_sum(const void* x, int tx, const int32_t* seg, void* y, int ty, int64_t rows, int64_t inner,
                   int64_t num_segments) {
  if (ty == DT_BF16) return "segmentSum: the output must be f32 or i32 (the TS side accumulates bf16 in f32)";
  if (ty == DT_I32 && tx != DT_I32) return "segmentSum: an i32 output needs an i32 input";
  const int64_t n_out = num_segments * inner;
  if (n_out > 0) memset(y, 0, (size_t)n_out * 4);
  if (rows <= 0 || inner <= 0) return "";
  const int64_t col_grain = std::max<int64_t>(16, ELEM_GRAIN / std::max<int64_t>(rows, 1));
  if (ty == DT_I32) {
    pool::parallel_for(inner, col_grain, [&](int64_t c0, int64_t c1) {
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t s = seg[r];
        if (s < 0 || s >= num_segments) continue;
        const int32_t* xr = (const int32_t*)x + r * inner;
        int32_t* yr = (int32_t*)y + s * inner;
        for (int64_t c = c0; c < c1; ++c) yr[c] = (int32_t)((uint32_t)yr[c] + (uint32_t)xr[c]);
      }
    });
    return "";
  }
  SC_STORAGE_CASES(tx, TX, {
    pool::parallel_for(inner, col_grain, [&](int64_t c0, int64_t c1) {
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t s = seg[r];
        if (s < 0 || s >= num_segments) continue;
        const TX* xr = (const TX*)x + r * inner;
        float* yr = (float*)y + s * inner;
        for (int64_t c = c0; c < c1; ++c) yr[c] += ldf(xr, c);
      }
    });
  });
  return "";
}

// For each row r and sample q: u = multinomial_uniform(r, q), t = u * sum p; the draw is the first class j whose
// running sum of p exceeds t (p_j > 0 then holds); rounding at the top end falls to the last class with p_j > 0.
Status multinomial(const void* logits, int t, int32_t* out, int64_t batch, int64_t classes, int64_t samples,
                   uint64_t seed, bool normalized) {
  if (batch <= 0 || samples <= 0) return "";
  if (classes <= 0) return "multinomial: no classes";
  SC_FLOAT_CASES(t, T, {
    pool::parallel_for(batch, std::max<int64_t>(1, ELEM_GRAIN / classes), [&](int64_t r0, int64_t r1) {
      std::vector<float> cdf((size_t)classes);
      for (int64_t r = r0; r < r1; ++r) {
        const T* row = (const T*)logits + r * classes;
        const float mx = normalized ? 0.f : max_run(row, classes);
        float c = 0.f;
        int64_t last_nz = 0;
        for (int64_t j = 0; j < classes; ++j) {
          const float p = multinomial_weight(ldf(row, j), mx, normalized);
          if (p > 0.f) last_nz = j;
          c += p;
          cdf[j] = c;
        }
        for (int64_t q = 0; q < samples; ++q) {
          const float target = multinomial_uniform(r, q, samples, seed) * c;
          const int64_t j = std::upper_bound(cdf.begin(), cdf.end(), target) - cdf.begin();
          out[r * samples + q] = (int32_t)(j < classes ? j : last_nz);
        }
      }
    });
  });
  return "";
}

// The k largest values of each row, in order (ties by lower index, NaN skipped; missing slots get index 0, NaN).
Status topk(const void* x, int t, void* vals, int32_t* idx, int64_t rows, int64_t cols, int64_t k) {
  if (rows <= 0 || k <= 0) return "";
  SC_STORAGE_CASES(t, T, {
    pool::parallel_for(rows, std::max<int64_t>(1, ELEM_GRAIN / std::max<int64_t>(cols, 1)), [&](int64_t r0, int64_t r1) {
      typedef std::pair<float, int64_t> Cand;
      // Heap order: the candidate that comes last in topk order is on top.
      auto before = [](const Cand& p, const Cand& q) { return topk_before(p.first, p.second, q.first, q.second); };
      std::vector<Cand> heap;
      heap.reserve((size_t)std::min(k, cols) + 1);
      for (int64_t r = r0; r < r1; ++r) {
        const T* row = (const T*)x + r * cols;
        heap.clear();
        for (int64_t j = 0; j < cols; ++j) {
          const float v = ldf(row, j);
          if (sc_isnan(v)) continue;
          if ((int64_t)heap.size() < k) {
            heap.emplace_back(v, j);
            std::push_heap(heap.begin(), heap.end(), before);
          } else if (topk_before(v, j, heap.front().first, heap.front().second)) {
            std::pop_heap(heap.begin(), heap.end(), before);
            heap.back() = Cand(v, j);
            std::push_heap(heap.begin(), heap.end(), before);
          }
        }
        std::sort_heap(heap.begin(), heap.end(), before);
        for (int64_t p = 0; p < k; ++p) {
          if (p < (int64_t)heap.size()) {
            idx[r * k + p] = (int32_t)heap[p].second;
            ((T*)vals)[r * k + p] = row[heap[p].second];
          } else {
            idx[r * k + p] = 0;
            stf((T*)vals, r * k + p, NAN);
          }
        }
      }
    });
  });
  return "";
}

}  // namespace device
}  // namespace softcot
