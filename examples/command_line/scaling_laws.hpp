// The flags of examples/scaling_laws.cpp, parsed strictly by CLI11 (see induction_heads.hpp
// for why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace examples::scaling_laws {

struct Options {
  std::string corpus;  // the King James Bible as `bible "Gen1:1-Rev22:21"` prints it
  std::string out = "scaling_output";
  bool quick = false;
  bool check_learning_rates = false;
};

inline void add_options(CLI::App& app, Options& options) {
  app.add_option("--corpus", options.corpus,
                 "the text of bible \"Gen1:1-Rev22:21\" (Debian's bible-kjv), saved to a file")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", options.out, "folder for the token files, each run's result and the CSV files")
      ->capture_default_str();
  app.add_flag("--quick", options.quick, "budgets a tenth as large: every step of the lesson in minutes, noisier fits");
  app.add_flag("--check-learning-rates", options.check_learning_rates,
               "also train each size at half and twice its learning rate, at the smallest budget");
}

}  // namespace examples::scaling_laws
