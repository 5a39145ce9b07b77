// The flags of examples/induction_heads.cpp, parsed strictly by CLI11: a bad one is
// named, with the usage, before any file is touched. (Apart from the lesson so that
// fuzz/fuzz_example_flags.cpp parses exactly what the program parses.)
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/nn/gpt_config.hpp>
#include <string>

namespace examples::induction_heads {

struct Options {
  bool retrain = false;
  eigenformer::Index steps = 1500;
  eigenformer::GPTConfig config = eigenformer::GPTConfig::induction();
  std::uint64_t seed = 1;
  std::string out = "induction_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_flag("--retrain", options.retrain, "train again even if saved models exist");
  app.add_option("--steps", options.steps, "training steps per model")
      ->check(CLI::Range(Index(1), Index(1000000)))
      ->capture_default_str();
  app.add_option("--layers", options.config.num_layers, "transformer blocks")
      ->check(CLI::Range(Index(1), Index(64)))
      ->capture_default_str();
  app.add_option("--heads", options.config.num_heads, "attention heads per block (dividing the width 64)")
      ->check(CLI::Range(Index(1), Index(64)))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the models and CSV files")->capture_default_str();
}

}  // namespace examples::induction_heads
