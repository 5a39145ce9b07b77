// The flags of examples/train_data_parallel.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

namespace examples::train_data_parallel {

struct Options {
  std::string file = "/usr/share/dict/words";
  eigenformer::Index steps = 300, batch = 32;  // batch: rows of the global batch, split between the ranks
  bool zero = false;
  bool resume = false;
  std::uint64_t seed = 1;
  std::string out = "data_parallel_output";
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--file", options.file, "the text to train on (on every machine, at this path)")
      ->capture_default_str();
  app.add_option("--steps", options.steps, "training steps (the schedule warms up for 30)")
      ->check(CLI::Range(Index(31), Index(10000000)))
      ->capture_default_str();
  app.add_option("--batch", options.batch, "rows of 64 tokens per step, all ranks together (a multiple of the ranks)")
      ->check(CLI::Range(Index(1), Index(4096)))
      ->capture_default_str();
  app.add_flag("--zero", options.zero, "ZeRO-1: split AdamW's state between the ranks");
  app.add_flag("--resume", options.resume, "continue from DIR/model.ckpt (saved by any number of ranks)");
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the checkpoint and the CSV (written by rank 0)")
      ->capture_default_str();
}

}  // namespace examples::train_data_parallel
