// One knob for the thread count, and one call for the process-wide settings that make
// training fast, which a program asks for: the library itself never changes them.
//
// One pool of threads, OpenMP's, runs a step: attention's (batch, head) pairs and
// slabs of every large matrix product (fast/multiply.hpp) are shared out over it.
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
#include "eigenformer/core/types.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef EIGENFORMER_OPENBLAS
extern "C" void openblas_set_num_threads(int threads);  // OpenBLAS's own knob (cblas.h)
#endif

namespace eigenformer {

/// The first line of our programs (examples, benchmarks, notebooks, tests): settings of
/// the whole process that make training fast, so a program asks for them by name.
///  - the GEMM library runs single-threaded; our OpenMP loops share the cores (a second
///    pool would fight ours);
///  - freed memory stays with the program. Layers return their outputs by value, so a
///    step allocates and frees the same activation-sized blocks every time; glibc would
///    hand a large freed block back to the OS and then fault in fresh zeroed pages for
///    the next step. Kept, the next step reuses them (bench/race.sh shows the gain). The
///    program's peak memory is unchanged; it is simply not returned between steps.
/// A program that includes eigenformer and never calls this keeps its own settings.
inline void tune_process_for_speed() {
  Eigen::setNbThreads(1);
#ifdef EIGENFORMER_OPENBLAS
  openblas_set_num_threads(1);
#endif
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks up to 32 MiB (glibc's maximum) from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);   // keep up to 1 GiB of freed heap for reuse
#endif
}

/// OpenMP's thread count for our loops: a setting of this program's, like any omp_set_num_threads.
inline void set_num_threads(int threads) {
  EF_CHECK(threads >= 1, "thread count must be at least 1, got " << threads);
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

/// Waking a team of threads costs microseconds (tens of them with OMP_WAIT_POLICY=PASSIVE,
/// which must wake each thread from the kernel); below ~2M multiply-adds (tens of
/// microseconds of work on one core) a loop is faster on one thread, and leaves the other
/// cores to other programs. The README's gradient check (small products only) at 1 and 2
/// passive threads is the measure: lower thresholds made 2 threads slower than one.
inline bool worth_parallel(Index multiply_adds) { return multiply_adds >= 2000000; }

}  // namespace eigenformer
