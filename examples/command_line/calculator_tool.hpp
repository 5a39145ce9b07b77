// The flags of examples/calculator_tool.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

namespace examples::calculator_tool {

struct Options {
  eigenformer::Index steps = 2500;
  eigenformer::Index prompts = 200;  // held-out questions per operation and split
  std::uint64_t seed = 1;
  std::string out = "calculator_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--steps", options.steps, "training steps of each model")
      ->check(CLI::Range(Index(100), Index(1000000)))  // the schedule warms up for 50 steps
      ->capture_default_str();
  app.add_option("--prompts", options.prompts, "held-out questions each model is asked per operation and split")
      ->check(CLI::Range(Index(1), Index(100000)))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the CSV files")->capture_default_str();
}

}  // namespace examples::calculator_tool
