// A seeded random number generator whose numbers are the same on every platform.
//
// std::normal_distribution and friends are implementation-defined: the same seed
// gives different numbers with libstdc++ and libc++. We therefore draw our own:
// xoshiro256** (Blackman & Vigna, 2018) for 64-bit words, seeded through
// splitmix64, uniform floats from the top bits, normals by Box-Muller, integers
// by rejection (no modulo bias). Same seed, same sequence, always.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1337) {
    // splitmix64 spreads any seed (even 0) over the 256-bit state.
    for (auto& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      word = z ^ (z >> 31);
    }
  }

  /// Next 64 random bits (xoshiro256**).
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  /// Standard normal N(0, 1) by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1]: log is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  /// N(mean, std^2).
  double normal(double mean, double std) { return mean + std * normal(); }

  /// Uniform integer in [0, n), without modulo bias (rejects the ragged top range).
  Index uniform_int(Index n) {
    EF_CHECK(n > 0, "uniform_int needs n > 0, got " << n);
    const auto range = static_cast<std::uint64_t>(n);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t word = next();
    while (word >= limit) word = next();
    return static_cast<Index>(word % range);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace eigenformer
