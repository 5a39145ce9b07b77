// Lesson: scaling laws, measured on real text on this machine.
//
// The claim the survey starts from: a language model's loss falls as a power of its size
// and of its data (Kaplan et al. 2020), and for a fixed compute budget there is a best
// split between a bigger model and more tokens (Hoffmann et al. 2022, "Chinchilla").
// Here: the King James Bible (4.3 MB of English, Debian's bible-kjv), a byte-level BPE
// of 1,024 tokens trained on it, six books held out for validation, and GPTs of five
// sizes each trained at three compute budgets C = 6 N D (model/model_size.hpp), every run
// with its own warmup + cosine schedule ending at its last step. Each run's result is
// saved as it finishes, so an interrupted sweep resumes where it stopped; results.csv
// holds them all, to fit the laws to and plot.
#include "command_line/scaling_laws.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/data/token_shard.hpp>
#include <eigenformer/data/token_windows.hpp>
#include <eigenformer/io/binary_file.hpp>
#include <eigenformer/model/generate.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/model_size.hpp>
#include <eigenformer/model/sampler.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/evaluate.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using examples::scaling_laws::Options;

namespace {

constexpr Index kVocab = 1024, kTime = 64, kBatch = 16;  // 1,024 tokens a step
// Held out whole, so validation measures English the model has not read, not verses it
// saw the neighbours of: narrative, poetry, prophecy, gospel and letter (~4% of the text).
constexpr std::array<const char*, 6> kHeldOutBooks{"Ruth", "Esther", "Ecclesiastes", "Jonah", "Mark", "James"};

struct Corpus {
  std::string training, validation;  // one verse per line
  Index books = 0, verses = 0;
};

/// The Bible as `bible` prints it: a chapter heading ("Genesis 1", "Song of Solomon 2")
/// after an empty line, then verses "  1 In the beginning ...", wrapped at 80 columns.
/// Each verse becomes one line of its book's text, without its number.
Corpus split_bible(const std::string& text) {
  EF_CHECK(text.size() > 4200000 && text.size() < 4400000,
           "expected the whole King James Bible (bible \"Gen1:1-Rev22:21\" prints 4,298,239 bytes), got " << text.size()
                                                                                                          << " bytes");
  Corpus corpus;
  std::istringstream lines(text);
  std::string line, previous = "x", book, verse, first_verse, last_verse;
  bool held_out = false;
  const auto finish_verse = [&] {
    if (verse.empty()) return;
    (held_out ? corpus.validation : corpus.training) += verse + "\n";
    if (first_verse.empty()) first_verse = verse;
    last_verse = verse;
    ++corpus.verses;
    verse.clear();
  };
  while (std::getline(lines, line)) {
    if (previous.empty() && !line.empty() && line[0] != ' ') {  // a chapter heading
      finish_verse();
      const std::string name = line.substr(0, line.rfind(' '));
      if (name != book) {
        book = name;
        ++corpus.books;
        held_out = std::find(kHeldOutBooks.begin(), kHeldOutBooks.end(), book) != kHeldOutBooks.end();
      }
    } else if (line.size() > 2 && line[0] == ' ') {  // "  12 verse text"
      finish_verse();
      const std::size_t text_start = line.find(' ', line.find_first_not_of(' '));
      verse = line.substr(text_start + 1);
    } else if (!line.empty()) {  // a verse's next line
      verse += " " + line;
    }
    previous = line;
  }
  finish_verse();
  EF_CHECK(corpus.books == 66 && corpus.verses == 31102,
           "expected 66 books and 31,102 verses, read " << corpus.books << " and " << corpus.verses);
  EF_CHECK(first_verse == "In the beginning God created the heaven and the earth." &&
               last_verse == "The grace of our Lord Jesus Christ be with you all. Amen.",
           "the first or last verse is not the KJV's: '" << first_verse << "' ... '" << last_verse << "'");
  return corpus;
}

/// The tokenizer and the two token files, made once and then read from `out`.
BPETokenizer prepare_tokens(const Options& options) {
  const std::string tokenizer_path = options.out + "/tokenizer.bpe";
  const std::string training_path = options.out + "/training.bin", validation_path = options.out + "/validation.bin";
  if (std::filesystem::exists(tokenizer_path) && std::filesystem::exists(training_path) &&
      std::filesystem::exists(validation_path)) {
    std::printf("Token files from an earlier run: %s\n", training_path.c_str());
    return BPETokenizer::load(tokenizer_path);
  }
  const Corpus corpus = split_bible(read_text_file(options.corpus, 64 << 20));
  std::printf(
      "The King James Bible (Debian's bible-kjv): 66 books, 31,102 verses, from Genesis 1:1 to\n"
      "Revelation 22:21; held out: %s %s %s %s %s %s (%.1f%% of the text)\n",
      kHeldOutBooks[0], kHeldOutBooks[1], kHeldOutBooks[2], kHeldOutBooks[3], kHeldOutBooks[4], kHeldOutBooks[5],
      100.0 * double(corpus.validation.size()) / double(corpus.training.size() + corpus.validation.size()));
  BPETokenizer tokenizer;
  tokenizer.train(corpus.training, kVocab);  // on the training books only
  const Tokens training = tokenizer.encode(corpus.training), validation = tokenizer.encode(corpus.validation);
  std::printf("BPE of %lld tokens: %zu training tokens, %zu validation tokens (%.2f bytes a token)\n",
              static_cast<long long>(kVocab), training.size(), validation.size(),
              double(corpus.training.size()) / double(training.size()));
  write_token_shard(training_path, training);
  write_token_shard(validation_path, validation);
  tokenizer.save(tokenizer_path);  // last: its presence says the token files are complete
  return tokenizer;
}

struct ModelShape {
  Index layers, channels, heads;
};
// Five sizes, N (non-embedding) from ~13K to ~800K: a 60x range.
constexpr std::array<ModelShape, 5> kShapes{{{1, 32, 2}, {2, 48, 3}, {2, 64, 4}, {3, 96, 4}, {4, 128, 4}}};

/// The learning rate of a width: 2e-3 at C = 128, larger for narrower models as
/// sqrt(128 / C) (narrow models take larger steps; a documented rule, not a tuned one).
double learning_rate(Index channels) { return 2e-3 * std::sqrt(128.0 / double(channels)); }

struct RunResult {
  std::string name;
  Index layers = 0, channels = 0, non_embedding = 0, total = 0, steps = 0;
  double budget = 0, tokens = 0, lr = 0, train_loss = 0, validation_loss = 0, seconds = 0;
  std::uint64_t seed = 0;
};

std::string result_line(const RunResult& r) {
  std::ostringstream line;
  line.precision(9);
  line << r.name << "," << r.layers << "," << r.channels << "," << r.non_embedding << "," << r.total << "," << r.budget
       << "," << r.tokens << "," << r.steps << "," << r.seed << "," << r.lr << "," << r.train_loss << ","
       << r.validation_loss << "," << r.seconds << "\n";
  return line.str();
}
constexpr const char* kResultColumns =
    "name,layers,channels,non_embedding,total,budget_flops,tokens,steps,seed,lr,train_loss,validation_loss,seconds\n";

/// Trains one model at one budget (or reads its result, when an earlier sweep saved it).
RunResult run(const ModelShape& shape, double budget, std::uint64_t seed, const BPETokenizer& tokenizer,
              const MappedTokenShard& training, const std::vector<Batch>& validation, const Options& options) {
  char name[64];
  std::snprintf(name, sizeof(name), "L%lld_C%lld_flops%.0e_seed%llu", static_cast<long long>(shape.layers),
                static_cast<long long>(shape.channels), budget, static_cast<unsigned long long>(seed));
  const std::string result_path = options.out + "/runs/" + name + ".csv";
  if (std::filesystem::exists(result_path)) {
    std::printf("  %-28s done before (%s)\n", name, result_path.c_str());
    const std::string text = read_text_file(result_path);
    std::vector<std::string> fields;  // the line after the header: name, then 12 numbers
    std::istringstream line(text.substr(text.find('\n') + 1));
    for (std::string field; std::getline(line, field, ',');) fields.push_back(field);
    EF_CHECK(fields.size() == 13 && fields[0] == name, "'" << result_path << "' is not a result of this sweep");
    const auto number = [&](std::size_t i) {
      char* end = nullptr;
      const double value = std::strtod(fields[i].c_str(), &end);
      EF_CHECK(end != fields[i].c_str() && std::isfinite(value),
               "'" << result_path << "': field " << i + 1 << " is not a number: '" << fields[i] << "'");
      return value;
    };
    RunResult saved{name, Index(number(1)), Index(number(2)), Index(number(3)), Index(number(4)), Index(number(7))};
    saved.budget = number(5);
    saved.tokens = number(6);
    saved.seed = std::uint64_t(number(8));
    saved.lr = number(9);
    saved.train_loss = number(10);
    saved.validation_loss = number(11);
    saved.seconds = number(12);
    return saved;
  }
  GPTConfig config;
  config.vocab_size = tokenizer.vocab_size();
  config.block_size = kTime;
  config.num_layers = shape.layers;
  config.channels = shape.channels;
  config.num_heads = shape.heads;
  GPT<float> model(config, seed);
  const ModelSize size = model_size(model);
  RunResult result{name, shape.layers, shape.channels, size.non_embedding(), size.total};
  result.budget = budget;
  result.seed = seed;
  result.lr = learning_rate(shape.channels);
  result.steps = std::max<Index>(
      20, Index(std::ceil(budget / training_flops(size.non_embedding(), 1.0) / double(kBatch * kTime))));
  result.tokens = double(result.steps * kBatch * kTime);

  AdamWOptions adam;
  adam.lr = result.lr;
  adam.weight_decay = 0.1;
  AdamW<float> optimizer(model.parameter_list(), adam);
  const WarmupCosineSchedule schedule{adam.lr, std::max<Index>(1, std::min<Index>(100, result.steps / 10)),
                                      result.steps, adam.lr / 10};
  TrainingOptions train_options;
  train_options.steps = result.steps;
  train_options.csv_path = options.out + "/runs/" + name + ".curve.csv";
  train_options.show_progress = false;
  const auto start = std::chrono::steady_clock::now();
  const auto history = train(
      model, optimizer, schedule,
      [&](Index step, Index) {
        Rng rng(seed * 1000003 + std::uint64_t(step));
        return random_windows(training.tokens(), kBatch, kTime, rng);
      },
      train_options);
  result.train_loss = history.back().loss;
  result.validation_loss = mean_loss(model, validation);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %-28s N %7lld  D %9.0f  %6lld steps  train %.3f  validation %.3f  %5.0f s\n", name,
              static_cast<long long>(result.non_embedding), result.tokens, static_cast<long long>(result.steps),
              result.train_loss, result.validation_loss, result.seconds);
  write_text_file(result_path, std::string(kResultColumns) + result_line(result));  // atomic: whole or absent
  return result;
}

}  // namespace

int main(int argc, char** argv) try {
  Options options;
  CLI::App app{"Scaling laws on the King James Bible: loss against model size, data and compute."};
  examples::scaling_laws::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out + "/runs");
  const BPETokenizer tokenizer = prepare_tokens(options);
  const MappedTokenShard training(options.out + "/training.bin");
  const Tokens validation_tokens = read_token_shard(options.out + "/validation.bin");
  const std::vector<Batch> validation = tiling_windows(std::span<const int>(validation_tokens), 32, kTime);

  // Budgets in Kaplan's FLOPs (6 N D); --quick takes a tenth of each.
  const double scale = options.quick ? 0.1 : 1.0;
  const std::array<double, 3> budgets{3e11 * scale, 1e12 * scale, 3e12 * scale};
  std::printf("\n%zu sizes x %zu budgets (+ a second seed at the smallest), batches of %lld x %lld tokens:\n",
              kShapes.size(), budgets.size(), static_cast<long long>(kBatch), static_cast<long long>(kTime));
  std::string table = kResultColumns;
  std::vector<RunResult> results;
  for (const double budget : budgets)
    for (const ModelShape& shape : kShapes)
      for (std::uint64_t seed = 1; seed <= (budget == budgets[0] ? 2u : 1u); ++seed) {
        results.push_back(run(shape, budget, seed, tokenizer, training, validation, options));
        table += result_line(results.back());
      }
  write_text_file(options.out + "/results.csv", table);

  // The isoFLOP view: at each budget, which size reached the lowest validation loss.
  std::printf("\nValidation loss (held-out books, nats per token; seed 1) by size and budget:\n  %-10s", "N");
  for (const double budget : budgets) std::printf("  C = %-8.0e", budget);
  for (const ModelShape& shape : kShapes) {
    std::printf("\n");
    for (const double budget : budgets)
      for (const RunResult& r : results)
        if (r.channels == shape.channels && r.budget == budget && r.seed == 1) {
          if (budget == budgets[0]) std::printf("  %-10lld", static_cast<long long>(r.non_embedding));
          std::printf("  %-12.3f", r.validation_loss);
        }
  }
  std::printf("\n\nEvery run's result is in %s/results.csv, its loss curve in %s/runs/.\n", options.out.c_str(),
              options.out.c_str());
  examples::check_standard_output();
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
