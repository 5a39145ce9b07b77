// Lesson: scaling laws, measured on real text on this machine.
//
// The claim the survey starts from: a language model's loss falls as a power of its size
// and of its data (Kaplan et al. 2020), and for a fixed compute budget there is a best
// split between a bigger model and more tokens (Hoffmann et al. 2022, "Chinchilla").
// Here: the King James Bible (4.3 MB of English, Debian's bible-kjv), a byte-level BPE
// of 1,024 tokens trained on it, six books held out for validation, and GPTs of six
// sizes each trained at three compute budgets C = 6 N D (model/model_size.hpp), every run
// with its own warmup + cosine schedule ending at its last step. Each run's result is
// saved as it finishes, so an interrupted sweep resumes where it stopped; results.csv
// holds them all, to fit the laws to and plot (notebooks/08_scaling_laws.ipynb).
//
//   scaling_laws --corpus kjv.txt                 the sweep: 21 runs, ~20 minutes on 2 cores
//   scaling_laws --corpus kjv.txt --quick         budgets a tenth as large: ~3 minutes
//   scaling_laws --corpus kjv.txt --check-learning-rates   also each size at half and twice its rate
// where kjv.txt is what `bible "Gen1:1-Rev22:21" > kjv.txt` writes.
#include "command_line/scaling_laws.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/core/os.hpp>
#include <eigenformer/data/bible.hpp>
#include <eigenformer/data/token_shard.hpp>
#include <eigenformer/data/token_windows.hpp>
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
struct Corpus {
  std::string training, validation;  // one verse per line, without its reference
};

/// The verses' texts, the held-out books (data/bible.hpp) apart: validation measures English
/// the model has not read, not verses it saw the neighbours of.
Corpus split_bible(const std::vector<Verse>& verses) {
  Corpus corpus;
  for (const Verse& verse : verses)
    (is_held_out_book(verse.book) ? corpus.validation : corpus.training) += verse.text + "\n";
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
  const Corpus corpus = split_bible(read_bible(read_text_file(options.corpus, 64 << 20)));
  std::printf("The King James Bible (Debian's bible-kjv): 66 books, 31,102 verses; held out:");
  for (const HeldOutBook& book : kHeldOutBooks) std::printf(" %s", book.name);
  std::printf(" (%.1f%% of the text)\n",
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
// Six sizes, N (non-embedding) from ~13K to ~800K, about 2x apart: a 60x range.
constexpr std::array<ModelShape, 6> kShapes{{{1, 32, 2}, {2, 48, 3}, {2, 64, 4}, {2, 96, 4}, {4, 96, 4}, {4, 128, 4}}};

/// The learning rate of a width: 4e-3 at C = 128, larger for narrower models as
/// sqrt(128 / C) (narrow models take larger steps). A documented rule, set by measurement:
/// --check-learning-rates trains each size at half and twice it. With 2e-3 sqrt(128 / C),
/// twice the rate was better for five sizes of six by 0.03-0.06 nats (3x the seed noise).
double learning_rate(Index channels) { return 4e-3 * std::sqrt(128.0 / double(channels)); }

// A run that would read the training text more than 16 times is not run: past ~16 epochs,
// repeated tokens are worth almost nothing (Muennighoff et al. 2023, "Scaling data-constrained
// language models"), so its loss would measure the corpus's size, not the model's.
constexpr double kMaxEpochs = 16;

/// One point of the sweep: a size trained at a budget, from a seed, at a multiple of its rule's rate.
struct RunPlan {
  ModelShape shape;
  double budget;
  std::uint64_t seed;
  double lr_multiplier = 1;

  std::string name() const {
    char text[96];
    std::snprintf(text, sizeof(text), "L%lld_C%lld_flops%.0e_seed%llu", static_cast<long long>(shape.layers),
                  static_cast<long long>(shape.channels), budget, static_cast<unsigned long long>(seed));
    return lr_multiplier == 1 ? text : text + ("_lr" + std::to_string(lr_multiplier).substr(0, 3) + "x");
  }
  GPTConfig config(Index vocab_size) const {
    GPTConfig config;
    config.vocab_size = vocab_size;
    config.block_size = kTime;
    config.num_layers = shape.layers;
    config.channels = shape.channels;
    config.num_heads = shape.heads;
    return config;
  }
  /// Steps of kBatch x kTime tokens that spend the budget: D = C / (6 N).
  Index steps(Index non_embedding) const {
    return std::max<Index>(20, Index(std::ceil(budget / training_flops(non_embedding, 1.0) / double(kBatch * kTime))));
  }
};

struct RunResult {
  std::string name;
  Index layers = 0, channels = 0, non_embedding = 0, total = 0, steps = 0;
  double budget = 0, tokens = 0, epochs = 0, lr = 0, lr_multiplier = 0, train_loss = 0, validation_loss = 0;
  double seconds = 0;
  std::uint64_t seed = 0;
};

std::string result_line(const RunResult& r) {
  std::ostringstream line;
  line.precision(9);
  line << r.name << "," << r.layers << "," << r.channels << "," << r.non_embedding << "," << r.total << "," << r.budget
       << "," << r.tokens << "," << r.epochs << "," << r.steps << "," << r.seed << "," << r.lr << "," << r.lr_multiplier
       << "," << r.train_loss << "," << r.validation_loss << "," << r.seconds << "\n";
  return line.str();
}
constexpr const char* kResultColumns =
    "name,layers,channels,non_embedding,total,budget_flops,tokens,epochs,steps,seed,lr,lr_multiplier,train_loss,"
    "validation_loss,seconds\n";

/// A result an earlier sweep saved: the line after the header, the name then 14 numbers.
RunResult read_result(const std::string& path, const std::string& name) {
  const std::string text = read_text_file(path);
  std::vector<std::string> fields;
  std::istringstream line(text.substr(text.find('\n') + 1));
  for (std::string field; std::getline(line, field, ',');) fields.push_back(field);
  EF_CHECK(fields.size() == 15 && fields[0] == name, "'" << path << "' is not a result of this sweep");
  std::array<double, 15> numbers{};
  for (std::size_t i = 1; i < fields.size(); ++i) {
    char* end = nullptr;
    numbers[i] = std::strtod(fields[i].c_str(), &end);
    EF_CHECK(end != fields[i].c_str() && std::isfinite(numbers[i]),
             "'" << path << "': field " << i + 1 << " is not a number: '" << fields[i] << "'");
  }
  RunResult r{name, Index(numbers[1]), Index(numbers[2]), Index(numbers[3]), Index(numbers[4]), Index(numbers[8])};
  r.budget = numbers[5];
  r.tokens = numbers[6];
  r.epochs = numbers[7];
  r.seed = std::uint64_t(numbers[9]);
  r.lr = numbers[10];
  r.lr_multiplier = numbers[11];
  r.train_loss = numbers[12];
  r.validation_loss = numbers[13];
  r.seconds = numbers[14];
  return r;
}

/// The model's own words after the opening of a held-out verse (Jonah 1:1), sampled at
/// temperature 0.8 from a fixed seed: what its validation loss sounds like.
std::string sample_text(GPT<float>& model, const BPETokenizer& tokenizer) {
  SamplerOptions options;
  options.temperature = 0.8;
  options.seed = 7;
  Sampler sampler(options);
  return tokenizer.decode(generate(model, tokenizer.encode("Now the word of the LORD came unto Jonah"), 100, sampler));
}

/// What the sweep shares: the tokenizer, the token files and where results go.
struct Sweep {
  const BPETokenizer& tokenizer;
  const MappedTokenShard& training;
  const std::vector<Batch>& validation;
  std::string runs_folder;
};

/// Where a run's result is saved: its presence means the run is done.
std::string result_path(const RunPlan& plan, const Sweep& sweep) {
  return sweep.runs_folder + "/" + plan.name() + ".csv";
}

/// Trains one model at one budget (or reads its result, when an earlier sweep saved it).
RunResult run(const RunPlan& plan, const Sweep& sweep) {
  const std::string name = plan.name(), stem = sweep.runs_folder + "/" + name;
  GPT<float> model(plan.config(sweep.tokenizer.vocab_size()), plan.seed);
  const ModelSize size = model_size(model);
  RunResult result{
      name, plan.shape.layers, plan.shape.channels, size.non_embedding(), size.total, plan.steps(size.non_embedding())};
  result.budget = plan.budget;
  result.seed = plan.seed;
  result.lr_multiplier = plan.lr_multiplier;
  result.lr = learning_rate(plan.shape.channels) * plan.lr_multiplier;
  result.tokens = double(result.steps * kBatch * kTime);
  result.epochs = result.tokens / double(sweep.training.tokens().size());
  if (std::filesystem::exists(result_path(plan, sweep))) {
    std::printf("  %-34s done before (%s)\n", name.c_str(), result_path(plan, sweep).c_str());
    RunResult saved = read_result(result_path(plan, sweep), name);
    // A result saved by another version of this sweep (another learning-rate rule, corpus or
    // size) would be plotted as if it were this one's: an error instead.
    EF_CHECK(saved.steps == result.steps && saved.non_embedding == result.non_embedding &&
                 std::abs(saved.lr - result.lr) <= 1e-6 * result.lr && std::abs(saved.epochs - result.epochs) < 1e-3,
             "'" << result_path(plan, sweep) << "' was saved with other settings (steps " << saved.steps << ", lr "
                 << saved.lr << ", " << saved.epochs << " epochs; this sweep: " << result.steps << ", " << result.lr
                 << ", " << result.epochs << "): give another --out, or delete that folder to train again");
    return saved;
  }

  AdamWOptions adam;
  adam.lr = result.lr;
  adam.weight_decay = 0.1;
  AdamW<float> optimizer(model.parameter_list(), adam);
  const WarmupCosineSchedule schedule{adam.lr, std::max<Index>(1, std::min<Index>(100, result.steps / 10)),
                                      result.steps, adam.lr / 10};
  TrainingOptions train_options;
  train_options.steps = result.steps;
  train_options.csv_path = stem + ".curve.csv";
  train_options.show_progress = os::is_terminal(stdout);  // a notebook gets one line a run
  const auto start = std::chrono::steady_clock::now();
  const auto history = train(
      model, optimizer, schedule,
      [&](Index step, Index) {
        Rng rng(plan.seed * 1000003 + std::uint64_t(step));
        return random_windows(sweep.training.tokens(), kBatch, kTime, rng);
      },
      train_options);
  result.train_loss = history.back().loss;
  result.validation_loss = mean_loss(model, sweep.validation);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %-34s N %7lld  D %9.0f (%4.1f epochs)  train %.3f  validation %.3f  %4.0f s\n", name.c_str(),
              static_cast<long long>(result.non_embedding), result.tokens, result.epochs, result.train_loss,
              result.validation_loss, result.seconds);
  std::fflush(stdout);  // a notebook or a log sees each run as it ends
  write_text_file(stem + ".sample.txt", sample_text(model, sweep.tokenizer) + "\n");
  write_text_file(stem + ".csv", std::string(kResultColumns) + result_line(result));  // last, atomic: whole or absent
  return result;
}

/// The work a run costs in FLOPs actually done (attention and the vocabulary included), for the sweep's ETA.
double work(const RunPlan& plan, Index vocab_size) {
  GPT<float> model(plan.config(vocab_size), plan.seed);
  const Index non_embedding = model_size(model).non_embedding();
  return training_flops_per_token(model.config(), non_embedding) * double(plan.steps(non_embedding) * kBatch * kTime);
}

/// Runs every plan in order, with the sweep's progress (runs done, estimated time left) before each.
std::vector<RunResult> run_all(const std::vector<RunPlan>& plans, const Sweep& sweep, const std::string& csv_path) {
  std::vector<double> works;  // 0 for a run saved before: it is read, not trained
  double work_left = 0, work_done = 0, seconds_spent = 0;
  for (const RunPlan& plan : plans) {
    works.push_back(std::filesystem::exists(result_path(plan, sweep)) ? 0.0 : work(plan, sweep.tokenizer.vocab_size()));
    work_left += works.back();
  }
  std::string table = kResultColumns;
  std::vector<RunResult> results;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (works[i] > 0 && seconds_spent > 0)  // the time per FLOP so far, times the FLOPs left
      std::printf("[run %zu/%zu, about %.0f s left]\n", i + 1, plans.size(), seconds_spent / work_done * work_left);
    results.push_back(run(plans[i], sweep));
    if (works[i] > 0) {
      work_done += works[i];
      work_left -= works[i];
      seconds_spent += results.back().seconds;
    }
    table += result_line(results.back());
  }
  write_text_file(csv_path, table);
  return results;
}

/// The sizes, and how far Kaplan's 6 N from the FLOPs a token really costs: at this scale
/// the output layer (V x C) and attention are a large part of the work, and 6 N D leaves them out.
void print_sizes(Index vocab_size) {
  std::printf("\n  %-6s %-8s %-5s %-12s %-8s %-14s %-16s\n", "layers", "channels", "heads", "N (non-emb.)", "total",
              "6N FLOPs/token", "all FLOPs/token");
  for (const ModelShape& shape : kShapes) {
    GPT<float> model(RunPlan{shape, 0, 1}.config(vocab_size), 1);
    const ModelSize size = model_size(model);
    const double all = training_flops_per_token(model.config(), size.non_embedding());
    std::printf("  %-6lld %-8lld %-5lld %-12lld %-8lld %-14.3g %-9.3g (%.1fx)\n", static_cast<long long>(shape.layers),
                static_cast<long long>(shape.channels), static_cast<long long>(shape.heads),
                static_cast<long long>(size.non_embedding()), static_cast<long long>(size.total),
                training_flops(size.non_embedding(), 1.0), all, all / training_flops(size.non_embedding(), 1.0));
  }
}

/// The sweep: every size at every budget (+ a second seed at the smallest budget), smallest
/// budget first, skipping runs past kMaxEpochs.
std::vector<RunPlan> sweep_plans(const std::array<double, 3>& budgets, Index vocab_size, double training_tokens) {
  std::vector<RunPlan> plans;
  for (const double budget : budgets)
    for (const ModelShape& shape : kShapes)
      for (std::uint64_t seed = 1; seed <= (budget == budgets[0] ? 2u : 1u); ++seed) {
        const RunPlan plan{shape, budget, seed};
        GPT<float> model(plan.config(vocab_size), seed);
        const Index non_embedding = model_size(model).non_embedding();
        if (double(plan.steps(non_embedding) * kBatch * kTime) <= kMaxEpochs * training_tokens) plans.push_back(plan);
      }
  return plans;
}

/// The isoFLOP view: at each budget, the validation loss of each size (seed 1; "-" where not run).
void print_isoflop_table(const std::vector<RunResult>& results, const std::array<double, 3>& budgets) {
  std::printf("\nValidation loss (held-out books, nats per token; seed 1) by size and budget:\n  %-8s", "N");
  for (const double budget : budgets) std::printf("  C = %-8.0e", budget);
  for (const ModelShape& shape : kShapes) {
    std::printf("\n");
    Index non_embedding = 0;
    std::string row;
    for (const double budget : budgets) {
      char cell[16] = "  -           ";
      for (const RunResult& r : results)
        if (r.layers == shape.layers && r.channels == shape.channels && r.budget == budget && r.seed == 1 &&
            r.lr_multiplier == 1) {
          std::snprintf(cell, sizeof(cell), "  %-12.3f", r.validation_loss);
          non_embedding = r.non_embedding;
        }
      row += cell;
    }
    std::printf("  %-8lld%s", static_cast<long long>(non_embedding), row.c_str());
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Scaling laws on the King James Bible: loss against model size, data and compute."};
  examples::scaling_laws::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out + "/runs");
  const BPETokenizer tokenizer = prepare_tokens(options);
  const MappedTokenShard training(options.out + "/training.bin");
  const Tokens validation_tokens = read_token_shard(options.out + "/validation.bin");
  const std::vector<Batch> validation = tiling_windows(std::span<const int>(validation_tokens), 32, kTime);
  const Sweep sweep{tokenizer, training, validation, options.out + "/runs"};

  // Budgets in Kaplan's FLOPs (6 N D); --quick takes a tenth of each.
  const double scale = options.quick ? 0.1 : 1.0;
  const std::array<double, 3> budgets{1e12 * scale, 3e12 * scale, 1e13 * scale};
  const std::vector<RunPlan> plans = sweep_plans(budgets, tokenizer.vocab_size(), double(training.tokens().size()));
  std::printf(
      "\n%zu runs: %zu sizes x %zu budgets (+ a second seed at the smallest; none past %.0f epochs), "
      "batches of %lld x %lld tokens:\n",
      plans.size(), kShapes.size(), budgets.size(), kMaxEpochs, static_cast<long long>(kBatch),
      static_cast<long long>(kTime));
  print_sizes(tokenizer.vocab_size());
  const std::vector<RunResult> results = run_all(plans, sweep, options.out + "/results.csv");
  print_isoflop_table(results, budgets);

  if (options.check_learning_rates) {  // the rule's rate beside half and twice it, at the smallest budget
    std::vector<RunPlan> checks;
    for (const ModelShape& shape : kShapes)
      for (const double multiplier : {0.5, 2.0}) checks.push_back({shape, budgets[0], 1, multiplier});
    std::printf("\nThe learning-rate rule checked: each size at half and twice its rate, C = %.0e:\n", budgets[0]);
    std::vector<RunResult> rates = run_all(checks, sweep, options.out + "/learning_rates.csv");
    std::printf("\n  %-8s  %-10s  %-10s  %-10s\n", "N", "lr x 0.5", "lr x 1", "lr x 2");
    for (const RunResult& rule : results) {
      if (rule.budget != budgets[0] || rule.seed != 1) continue;
      std::printf("  %-8lld", static_cast<long long>(rule.non_embedding));
      for (const double multiplier : {0.5, 1.0, 2.0})
        for (const RunResult& r : multiplier == 1 ? results : rates)
          if (r.channels == rule.channels && r.layers == rule.layers && r.budget == budgets[0] && r.seed == 1 &&
              r.lr_multiplier == multiplier)
            std::printf("  %-10.3f", r.validation_loss);
      std::printf("\n");
    }
  }
  std::printf("\nEvery run's result is in %s/results.csv, its loss curve and a sample in %s/runs/.\n",
              options.out.c_str(), options.out.c_str());
  examples::check_standard_output();
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
