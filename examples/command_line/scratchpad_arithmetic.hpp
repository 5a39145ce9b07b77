// The flags of examples/scratchpad_arithmetic.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

namespace examples::scratchpad_arithmetic {

struct Options {
  eigenformer::Index steps = 1500, seeds = 3;
  std::uint64_t seed = 1;  // the first seed
  std::string out = "scratchpad_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--steps", options.steps, "training steps per model")
      ->check(CLI::Range(Index(250), Index(1000000)))  // the curves are measured every 250 steps
      ->capture_default_str();
  app.add_option("--seeds", options.seeds, "seeds to train every format with")
      ->check(CLI::Range(Index(1), Index(100)))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "the first seed")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--out", options.out, "folder for the CSV files")->capture_default_str();
}

}  // namespace examples::scratchpad_arithmetic
