// The flags of examples/linear_regression.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

#include "checks.hpp"

namespace examples::linear_regression {

struct Options {
  eigenformer::Index steps = 8000;
  std::uint64_t seed = 1;
  double learning_rate = 1e-3, clip = 1.0;
  std::string out = "regression_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--steps", options.steps, "training steps (the schedule warms up for 200)")
      ->check(CLI::Range(Index(201), Index(10000000)))
      ->capture_default_str();
  app.add_option("--lr", options.learning_rate, "peak learning rate")
      ->check(CLI::Range(1e-7, 1.0) & kFinite)
      ->capture_default_str();
  app.add_option("--clip", options.clip, "gradient-norm clip (0: none)")
      ->check(CLI::Range(0.0, 1e6) & kFinite)
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the CSV file")->capture_default_str();
}

}  // namespace examples::linear_regression
