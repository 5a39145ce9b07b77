// The commands and flags of examples/makemore_words.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

#include "checks.hpp"

namespace examples::makemore_words {

struct Arguments {
  std::string command, file = "/usr/share/dict/words", out = "makemore_output", prompt;
  bool resume = false, overwrite = false;
  eigenformer::Index steps = 2500, count = 10, top_k = 0;
  double temperature = 1.0, top_p = 1.0;
  std::uint64_t seed = 42;
};

inline void add_commands(CLI::App& app, Arguments& a) {
  using eigenformer::Index;
  app.require_subcommand(1);
  CLI::App* train = app.add_subcommand("train", "train a character-level GPT on the lines of a text file");
  train->add_option("--file", a.file, "UTF-8 text, one example per line")->capture_default_str();
  train->add_option("--steps", a.steps, "training steps (the schedule warms up for 100)")
      ->check(CLI::Range(Index(101), Index(10000000)))
      ->capture_default_str();
  train->add_option("--out", a.out, "folder for the model, tokenizer and CSV")->capture_default_str();
  CLI::Option* resume = train->add_flag("--resume", a.resume, "continue training the model saved in --out");
  train->add_flag("--overwrite", a.overwrite, "replace the model saved in --out by a new one")->excludes(resume);
  CLI::App* sample = app.add_subcommand("sample", "invent new lines with the trained model");
  sample->add_option("--out", a.out, "folder the model was trained into")->capture_default_str();
  sample->add_option("--prompt", a.prompt, "the start every sample continues");
  sample->add_option("--count", a.count, "samples to write")
      ->check(CLI::Range(Index(1), Index(100000)))
      ->capture_default_str();
  sample->add_option("--temperature", a.temperature, "0 is greedy; higher is more random")
      ->check(CLI::Range(0.0, 100.0) & kFinite)
      ->capture_default_str();
  sample->add_option("--top-k", a.top_k, "keep the k likeliest tokens (0: all)")
      ->check(CLI::Range(Index(0), Index(1000000)))
      ->capture_default_str();
  sample->add_option("--top-p", a.top_p, "keep the likeliest tokens whose probabilities sum to p")
      ->check(CLI::Range(1e-9, 1.0) & kFinite)
      ->capture_default_str();
  sample->add_option("--seed", a.seed, "seeds the sampling")->check(CLI::NonNegativeNumber)->capture_default_str();
  train->callback([&a] { a.command = "train"; });
  sample->callback([&a] { a.command = "sample"; });
}

}  // namespace examples::makemore_words
