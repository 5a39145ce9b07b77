// The flags of examples/fresh_knowledge.cpp, parsed strictly by CLI11 (see
// induction_heads.hpp for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

namespace examples::fresh_knowledge {

struct Options {
  eigenformer::Index steps = 1500;              // the tool model's
  eigenformer::Index closed_book_steps = 3000;  // memorising 320 facts takes longer than learning to look up
  std::uint64_t seed = 1;
  std::string out = "knowledge_output";
  std::string facts;  // a lookup file to ask the tool model about, after the lesson
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--steps", options.steps, "training steps of the tool model")
      ->check(CLI::Range(Index(100), Index(1000000)))  // the schedule warms up for 50 steps
      ->capture_default_str();
  app.add_option("--closed-book-steps", options.closed_book_steps, "training steps of the closed-book model")
      ->check(CLI::Range(Index(100), Index(1000000)))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the weights and the data")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--out", options.out, "folder for the CSV and lookup files")->capture_default_str();
  app.add_option("--facts", options.facts, "a lookup file (name<TAB>city) of your own: ask the tool model about it")
      ->check(CLI::ExistingFile);
}

}  // namespace examples::fresh_knowledge
