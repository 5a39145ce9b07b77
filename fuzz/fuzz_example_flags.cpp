// The examples' command lines (examples/command_line/): the first byte picks an example,
// the rest, split at NUL bytes, are its arguments. Parsing must end in a CLI11 ParseError
// (a usage message) or in options that hold what the flags promise: every number in its
// range and finite. Anything else, a crash or a value outside its range, is a bug.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "command_line/calculator_tool.hpp"
#include "command_line/fresh_knowledge.hpp"
#include "command_line/induction_heads.hpp"
#include "command_line/instruction_tuning.hpp"
#include "command_line/linear_regression.hpp"
#include "command_line/makemore_words.hpp"
#include "command_line/one_model.hpp"
#include "command_line/scratchpad_arithmetic.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer saves the input that broke a promise
}

/// Parses the arguments; true when CLI11 accepted them.
template <class Options, class AddOptions>
bool parse(Options& options, AddOptions&& add_options, std::vector<std::string> arguments) {
  CLI::App app{"fuzzed"};
  add_options(app, options);
  std::reverse(arguments.begin(), arguments.end());  // CLI11's vector form reads from the back
  try {
    app.parse(arguments);
    return true;
  } catch (const CLI::ParseError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::vector<std::string> arguments(1);
  for (std::size_t i = 1; i < size; ++i)
    if (data[i] == 0)
      arguments.emplace_back();
    else
      arguments.back() += char(data[i]);
  if (arguments.back().empty()) arguments.pop_back();

  namespace ex = examples;
  switch (data[0] % 8) {
    case 0: {
      ex::induction_heads::Options o;
      if (parse(o, ex::induction_heads::add_options, arguments))
        require(o.steps >= 1 && o.steps <= 1000000 && o.config.num_layers >= 1 && o.config.num_layers <= 64 &&
                o.config.num_heads >= 1 && o.config.num_heads <= 64);
      break;
    }
    case 1: {
      ex::instruction_tuning::Options o;
      if (parse(o, ex::instruction_tuning::add_options, arguments))
        require(o.base_steps >= 100 && o.tune_steps >= 100 && o.base_steps <= 1000000 && o.tune_steps <= 1000000);
      break;
    }
    case 2: {
      ex::linear_regression::Options o;
      if (parse(o, ex::linear_regression::add_options, arguments))
        require(o.steps >= 201 && std::isfinite(o.learning_rate) && o.learning_rate >= 1e-7 && o.learning_rate <= 1.0 &&
                std::isfinite(o.clip) && o.clip >= 0 && o.clip <= 1e6);
      break;
    }
    case 3: {
      ex::makemore_words::Arguments a;
      if (parse(a, ex::makemore_words::add_commands, arguments))
        require((a.command == "train" || a.command == "sample") && a.steps >= 101 && a.count >= 1 &&
                a.count <= 100000 && std::isfinite(a.temperature) && a.temperature >= 0 && a.temperature <= 100 &&
                a.top_k >= 0 && std::isfinite(a.top_p) && a.top_p > 0 && a.top_p <= 1 && !(a.resume && a.overwrite));
      break;
    }
    case 5: {
      ex::calculator_tool::Options o;
      if (parse(o, ex::calculator_tool::add_options, arguments)) require(o.steps >= 100 && o.steps <= 1000000);
      break;
    }
    case 6: {
      ex::fresh_knowledge::Options o;  // --facts must name an existing file
      if (parse(o, ex::fresh_knowledge::add_options, arguments))
        require(o.steps >= 100 && o.steps <= 1000000 && (o.facts.empty() || std::filesystem::exists(o.facts)));
      break;
    }
    case 7: {
      ex::one_model::Options o;  // --corpus must name an existing file
      if (parse(o, ex::one_model::add_options, arguments))
        require(std::filesystem::exists(o.corpus) && std::isfinite(o.minutes) && o.minutes >= 1 &&
                o.minutes <= 100000 && (o.steps == 0 || (o.steps >= 50 && o.steps <= 10000000)));
      break;
    }
    default: {
      ex::scratchpad_arithmetic::Options o;
      if (parse(o, ex::scratchpad_arithmetic::add_options, arguments))
        require(o.steps >= 100 && o.steps <= 1000000 && o.seeds >= 1 && o.seeds <= 100);
      break;
    }
  }
  return 0;
}
