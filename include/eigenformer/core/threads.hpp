// One knob for the thread count.
//
// One pool of threads, OpenMP's, runs a step: attention's (batch, head) pairs and
// slabs of every large matrix product (parallel_product.hpp) are shared out over it.
// The GEMM underneath (Eigen's own, or OpenBLAS's when EIGENFORMER_OPENBLAS routes
// products there) runs on the thread that calls it: a second pool would fight ours.
//
// Determinism: the same seed and thread count give bit-identical results, run after
// run (tested over 100 training steps). A different thread count splits products
// into different slabs, so sums may round differently in the last bits.
// Without OpenMP at build time everything runs on one thread.
#pragma once

#include <Eigen/Core>

#include "eigenformer/core/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef EIGENFORMER_OPENBLAS
extern "C" void openblas_set_num_threads(int threads);  // OpenBLAS's own knob (cblas.h)
#endif

namespace eigenformer {

/// Makes the GEMM library single-threaded (once per program); our OpenMP loops share the cores.
inline void use_one_thread_pool() {
  static const bool done = [] {
    Eigen::setNbThreads(1);
#ifdef EIGENFORMER_OPENBLAS
    openblas_set_num_threads(1);
#endif
    return true;
  }();
  (void)done;
}

inline void set_num_threads(int threads) {
  EF_CHECK(threads >= 1, "thread count must be at least 1, got " << threads);
  use_one_thread_pool();
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
}

/// The threads a step uses (all of OpenMP's unless set_num_threads said otherwise).
inline int num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace eigenformer

/// Runs the following for-loop's iterations on OpenMP threads when OpenMP is on and
/// `condition` holds (a plain loop otherwise, with no unknown-pragma warning). Each
/// iteration must write only its own outputs: no two threads touch the same number.
#define EF_PRAGMA(text) _Pragma(#text)
#ifdef _OPENMP
#define EF_PARALLEL_FOR_IF(condition) EF_PRAGMA(omp parallel for schedule(static) if (condition))
#else
#define EF_PARALLEL_FOR_IF(condition)
#endif

namespace eigenformer {

/// Waking a team of threads costs microseconds; below this many multiply-adds a loop
/// runs faster on one thread (and leaves the other cores to other programs).
inline bool worth_parallel(Index multiply_adds) { return multiply_adds >= 200000; }

}  // namespace eigenformer
