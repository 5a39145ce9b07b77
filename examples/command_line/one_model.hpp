// The flags of examples/one_model.cpp, parsed strictly by CLI11 (see induction_heads.hpp
// for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

#include "checks.hpp"

namespace examples::one_model {

struct Options {
  std::string corpus;  // the King James Bible as `bible "Gen1:1-Rev22:21"` prints it
  std::string out = "one_model_output";
  double minutes = 60;
  bool quick = false;
  eigenformer::Index steps = 0;  // 0: as many as the minutes allow
  std::uint64_t seed = 1;
};

inline void add_options(CLI::App& app, Options& options) {
  app.add_option("--corpus", options.corpus,
                 "the text of bible \"Gen1:1-Rev22:21\" (Debian's bible-kjv), saved to a file")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", options.out, "folder for the tokens, the models, the CSV files and the report card")
      ->capture_default_str();
  app.add_option("--minutes", options.minutes,
                 "the budget of the whole run on this machine; the pretraining steps are set from it by timing a "
                 "few steps of each model first")
      ->check(CLI::Range(1.0, 100000.0) & kFinite)
      ->capture_default_str();
  app.add_flag("--quick", options.quick, "small models and a budget of about 4 minutes: every stage, briefly");
  app.add_option("--steps", options.steps,
                 "pretraining steps of every model, instead of what the minutes allow (the same steps on any machine)")
      ->check(CLI::Range(eigenformer::Index(50), eigenformer::Index(10000000)));
  app.add_option("--seed", options.seed, "seeds the weights, the batches and the questions")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace examples::one_model
