// One knob for the thread count.
//
// Two kinds of parallelism run a step: Eigen's GEMM splits large matrix products
// over threads, and attention runs its (batch, head) pairs in parallel with OpenMP.
// set_num_threads sets both. Without OpenMP at build time everything runs on one
// thread and this call only records the wish for Eigen (which then ignores it).
#pragma once

#include <Eigen/Core>

#include "eigenformer/core/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace eigenformer {

inline void set_num_threads(int threads) {
  EF_CHECK(threads >= 1, "thread count must be at least 1, got " << threads);
  Eigen::setNbThreads(threads);
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
}

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
/// iteration must write only its own outputs, which keeps results independent of the
/// thread count.
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
