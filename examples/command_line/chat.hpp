// The flags of examples/chat.cpp, parsed strictly by CLI11 (see induction_heads.hpp for
// why they live apart from the lesson).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <eigenformer/core/types.hpp>
#include <string>

#include "checks.hpp"

namespace examples::chat {

struct Options {
  std::string model = "chat_output";  // folder of model.ckpt and tokenizer.txt
  std::string facts;                  // the lookup tool's file ("" = DIR/facts.tsv)
  std::string script;                 // user lines from a file instead of the terminal
  eigenformer::Index steps = 3000;    // training steps, when there is no model to load
  double temperature = 0.0, top_p = 1.0;
  eigenformer::Index top_k = 0;
  std::uint64_t seed = 1;
};

inline void add_options(CLI::App& app, Options& options) {
  using eigenformer::Index;
  app.add_option("--model", options.model, "folder with model.ckpt and tokenizer.txt (trained there if absent)")
      ->capture_default_str();
  app.add_option("--facts", options.facts, "the lookup tool's file, name<TAB>city per line (default DIR/facts.tsv)");
  app.add_option("--script", options.script, "play the user's lines from this file, then exit")
      ->check(CLI::ExistingFile);
  app.add_option("--steps", options.steps, "training steps when no model is saved yet")
      ->check(CLI::Range(Index(100), Index(1000000)))
      ->capture_default_str();
  app.add_option("--temperature", options.temperature, "0 is greedy; higher is more random")
      ->check(CLI::Range(0.0, 100.0) & kFinite)
      ->capture_default_str();
  app.add_option("--top-k", options.top_k, "keep the k likeliest tokens (0: all)")
      ->check(CLI::Range(Index(0), Index(1000000)))
      ->capture_default_str();
  app.add_option("--top-p", options.top_p, "keep the likeliest tokens whose probabilities sum to p")
      ->check(CLI::Range(1e-9, 1.0) & kFinite)
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seeds the training and the sampling")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace examples::chat
