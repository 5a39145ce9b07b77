// The few MPI calls data parallelism needs, each named for what it does (MPI_COMM_WORLD).
//
// N processes ("ranks", numbered 0 .. N-1) each hold a buffer x of the same length:
//   broadcast(x)                every rank gets rank 0's x              weights at the start
//   allreduce_sum(x)            every rank gets sum over ranks of x     the gradients
//   reduce_scatter_sum(x, y)    rank r gets slice r of that sum in y    ZeRO-1's gradients
//   allgather(y, x)             every rank gets every rank's slice      ZeRO-1's weights
// An allreduce is a reduce-scatter followed by an allgather. Done as a ring, each of the two
// sends and receives (N-1)/N of the buffer per rank, so an allreduce moves 2 (N-1)/N of it
// per rank: almost the same for 2 ranks as for 1,000, which is why data parallelism scales.
//
// MPI must be running (MpiSession) before any call; every call here is collective: all
// ranks make it, in the same order, or they wait for each other forever. A rank that
// fails must therefore end them all: abort_every_rank (MPI_Abort), never a lone exit.
#pragma once

#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer::dist {

/// MPI_Init on construction, MPI_Finalize on destruction: one per program, in main.
/// OpenMP threads may run inside a rank; only the main thread calls MPI (FUNNELED).
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv) {
    int provided = 0;
    EF_CHECK(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS, "MPI_Init_thread failed");
  }
  ~MpiSession() { MPI_Finalize(); }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

/// Prints "rank R: error: message" and ends every rank (exit code 1). Call it from a
/// rank's catch block: the other ranks may be waiting in a collective call.
[[noreturn]] inline void abort_every_rank(const std::string& message) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::fprintf(stderr, "rank %d: error: %s\n", rank, message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();  // MPI_Abort does not return; this tells the compiler so
}

class Communicator {
 public:
  Communicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  template <class S>
  void broadcast(S* data, Index count) const {
    check(MPI_Bcast(data, int_count(count), type_of<S>(), 0, MPI_COMM_WORLD), "MPI_Bcast");
  }

  /// In place: data becomes the sum over ranks.
  template <class S>
  void allreduce_sum(S* data, Index count) const {
    check(MPI_Allreduce(MPI_IN_PLACE, data, int_count(count), type_of<S>(), MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
  }

  double sum(double value) const {
    allreduce_sum(&value, 1);
    return value;
  }
  double max(double value) const {
    check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return value;
  }

  /// all: size() slices of `slice` numbers each; mine: slice rank() of their sum over ranks.
  template <class S>
  void reduce_scatter_sum(const S* all, S* mine, Index slice) const {
    check(MPI_Reduce_scatter_block(all, mine, int_count(slice), type_of<S>(), MPI_SUM, MPI_COMM_WORLD),
          "MPI_Reduce_scatter_block");
  }

  /// mine: `slice` numbers; all: every rank's slice, rank 0's first.
  template <class S>
  void allgather(const S* mine, S* all, Index slice) const {
    check(MPI_Allgather(mine, int_count(slice), type_of<S>(), all, int_count(slice), type_of<S>(), MPI_COMM_WORLD),
          "MPI_Allgather");
  }

  /// Rank 0 receives every rank's slice (in `all`, rank 0's first); the others pass nullptr.
  template <class S>
  void gather_to_root(const S* mine, S* all, Index slice) const {
    check(MPI_Gather(mine, int_count(slice), type_of<S>(), all, int_count(slice), type_of<S>(), 0, MPI_COMM_WORLD),
          "MPI_Gather");
  }

  /// The reverse: rank r receives slice r of rank 0's `all`.
  template <class S>
  void scatter_from_root(const S* all, S* mine, Index slice) const {
    check(MPI_Scatter(all, int_count(slice), type_of<S>(), mine, int_count(slice), type_of<S>(), 0, MPI_COMM_WORLD),
          "MPI_Scatter");
  }

  void barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

 private:
  template <class S>
  static MPI_Datatype type_of() {
    static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>, "dist: buffers are float or double");
    return std::is_same_v<S, float> ? MPI_FLOAT : MPI_DOUBLE;
  }
  static int int_count(Index count) {  // MPI counts are int
    EF_CHECK(count >= 0 && count <= INT_MAX, "dist: a buffer of " << count << " numbers is beyond MPI's int count");
    return int(count);
  }
  static void check(int status, const char* call) { EF_CHECK(status == MPI_SUCCESS, call << " failed: " << status); }

  int rank_ = 0, size_ = 1;
};

}  // namespace eigenformer::dist
