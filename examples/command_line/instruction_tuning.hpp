// The flags of examples/instruction_tuning.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

namespace examples::instruction_tuning {

struct Options {
  eigenformer::Index base_steps = 5500, tune_steps = 900;
  eigenformer::Index prompts = 500;  // new prompts per split and model
  std::uint64_t seed = 1;
  std::string out = "instruction_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--base-steps", options.base_steps, "pretraining steps of the base model")
      ->check(CLI::Range(Index(100), Index(1000000)))  // both schedules warm up for 50 steps
      ->capture_default_str();
  app.add_option("--tune-steps", options.tune_steps, "steps of each fine-tuning run")
      ->check(CLI::Range(Index(100), Index(1000000)))
      ->capture_default_str();
  app.add_option("--prompts", options.prompts, "new prompts each model is asked per split")
      ->check(CLI::Range(Index(8), Index(100000)))  // at least one per task
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the CSV files")->capture_default_str();
}

}  // namespace examples::instruction_tuning
