// What the lesson is made of: the three models, the budget, and small helpers the stages share.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/core/rng.hpp>
#include <eigenformer/data/bible.hpp>
#include <eigenformer/nn/gpt_config.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "../command_line/one_model.hpp"

namespace examples::one_model {

using namespace eigenformer;  // the lesson's files read as the library's own

/// How often pretraining reads a verse. A fact is stored after many exposures, not one
/// (Allen-Zhu and Li 2024: ~100 exposures for 1 bit per parameter), and the whole Bible read
/// ~4 times is far from that; so the training text holds one book, the Gospel of John, 16
/// times for every once of the others (as pretraining mixes up-weight some sources), and
/// every figure of knowledge is read apart for verses read often, read seldom, never read.
inline constexpr const char* kOftenReadBook = "John";
inline constexpr int kOftenReadCopies = 16;

enum class Exposure { kOften, kSeldom, kNever };
inline constexpr std::array<Exposure, 3> kExposures{Exposure::kOften, Exposure::kSeldom, Exposure::kNever};

inline Exposure exposure_of(const Verse& verse) {
  if (is_held_out_book(verse.book)) return Exposure::kNever;
  return verse.book == kOftenReadBook ? Exposure::kOften : Exposure::kSeldom;
}

inline const char* exposure_name(Exposure exposure) {
  switch (exposure) {
    case Exposure::kOften:
      return "read often (John)";
    case Exposure::kSeldom:
      return "read seldom (other training books)";
    case Exposure::kNever:
      return "never read (held-out books)";
  }
  return "?";
}

/// A model of the lesson: its name, its shape and what it is there to show.
struct Shape {
  const char* name;
  Index layers, channels, heads;
  const char* role;
};

/// What --quick changes: the context, the batch, the three sizes and the budget.
struct Setup {
  Index vocab;          // BPE tokens; the nine chat tokens follow them
  Index time, batch;    // a step: batch x time tokens
  Shape sizes[3];       // the model carrying the story first, then the two it is compared with
  double minutes;       // the whole run's budget
  Index recall_verses;  // asked of each model, from training books and from held-out books each
  Index tune_steps;     // instruction tuning, of the main model and of the never-pretrained control
  Index tuned_verses;   // verses of the training books that tuning asks about
  Index questions;      // per cell of the tuning table
};

inline Setup setup_for(const Options& options) {
  if (options.quick)
    return {1024,
            128,
            16,
            {{"main", 2, 96, 4, "the model of the story"},
             {"one_layer", 1, 96, 4, "no induction circuit possible"},
             {"narrow", 2, 48, 4, "a smaller model, the same tokens"}},
            4,
            60,
            150,
            600,
            40};
  return {2048,
          256,
          16,
          {{"main", 4, 256, 8, "the model of the story"},
           {"one_layer", 1, 256, 8, "no induction circuit possible"},
           {"narrow", 4, 128, 4, "a smaller model, the same tokens"}},
          options.minutes,
          200,
          300,
          2000,
          100};
}

inline GPTConfig config_of(const Shape& shape, const Setup& setup) {
  return {.vocab_size = setup.vocab + Index(kChatTokenTexts.size()),
          .block_size = setup.time,
          .num_layers = shape.layers,
          .num_heads = shape.heads,
          .channels = shape.channels};
}

/// A verse as the model reads it: its reference, then its text, one line.
inline std::string verse_line(const Verse& verse) { return verse.reference() + " " + verse.text + "\n"; }

/// Puts `items` in a uniformly random order (Fisher-Yates: item i swaps with one of 0..i).
template <class T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[std::size_t(rng.uniform_int(Index(i)))]);
}

/// A name written into a CSV file: one without a comma, a quote or a line break, so that the
/// file's columns stay where a reader expects them (a named error otherwise).
inline std::string csv_field(const std::string& text) {
  EF_CHECK(text.find_first_of(",\"\n") == std::string::npos,
           "'" << text << "' cannot be a CSV field: it holds a comma, a quote or a line break");
  return text;
}

/// The numbers of one column of a CSV file this program wrote.
inline std::vector<double> csv_column(const std::string& path, const std::string& name) {
  std::istringstream lines(read_text_file(path));
  std::string line;
  std::getline(lines, line);
  std::vector<std::string> header;
  std::istringstream header_fields(line);
  for (std::string field; std::getline(header_fields, field, ',');) header.push_back(field);
  const auto column = std::find(header.begin(), header.end(), name);
  EF_CHECK(column != header.end(), "'" << path << "' has no column '" << name << "'");
  std::vector<double> values;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field;
    for (auto i = header.begin(); i <= column; ++i)
      EF_CHECK(std::getline(fields, field, ','),
               "'" << path << "': the row '" << line << "' has no column '" << name << "'");
    char* end = nullptr;
    values.push_back(std::strtod(field.c_str(), &end));
    EF_CHECK(end != field.c_str() && *end == '\0' && std::isfinite(values.back()),
             "'" << path << "': '" << field << "' in column '" << name << "' is not a number");
  }
  return values;
}

/// A mean with its 95% interval (normal approximation: mean +- 1.96 standard errors).
struct Mean {
  double value = 0, half_width = 0;
  std::string text() const {
    char buffer[48];
    std::snprintf(buffer, sizeof(buffer), "%.3f +- %.3f", value, half_width);
    return buffer;
  }
};

inline Mean mean_of(const std::vector<double>& values) {
  const double n = double(values.size()), mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (const double value : values) squares += (value - mean) * (value - mean);
  return {mean, 1.96 * std::sqrt(squares / std::max(1.0, n - 1) / n)};
}

}  // namespace examples::one_model
