// Lesson: a language model is a next-token predictor. Train one on text and it
// learns to write more of it (the "makemore" lesson).
//
// The default text is /usr/share/dict/words (Debian package wamerican): one English
// word per line. A character-level GPT learns which letters follow which, and how
// words begin and end, then invents new words that look English.
//
// Usage:
//   makemore_words train  [--file PATH] [--steps N] [--out DIR] [--resume | --overwrite]
//   makemore_words sample [--out DIR] [--prompt TEXT] [--count N] [--temperature T]
//                         [--top-k K] [--top-p P] [--seed S]
// train writes DIR/model.ckpt, DIR/tokenizer.txt and DIR/training.csv. It never trains
// over a saved model unless told: --resume continues it (after Ctrl-C, say, which saves
// at the end of the step), --overwrite starts again. sample reads them and writes words
// that start with the prompt; a tokenizer that is not the model's is refused.
#include "command_line/makemore_words.hpp"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/data/token_dataset.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/generate.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/sampler.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/text/utf8.hpp>
#include <eigenformer/train/evaluate.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "command_line/checks.hpp"

using namespace eigenformer;

using examples::makemore_words::Arguments;

/// The file's lines in a seeded random order, each ending in '\n'. The dictionary is
/// sorted; shuffling keeps the validation tail from being all words in 'z'.
std::string shuffled_lines(const std::string& path, std::uint64_t seed) {
  if (!std::filesystem::exists(path)) throw Error("cannot open '" + path + "' (on Debian: apt-get install wamerican)");
  const std::string file = read_text_file(path);
  check_utf8(file, path);  // before shuffling: an error names the byte and line in the file
  std::istringstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) throw Error("'" + path + "' has no lines");
  Rng rng(seed);
  for (std::size_t i = lines.size() - 1; i > 0; --i)
    std::swap(lines[i], lines[std::size_t(rng.uniform_int(Index(i) + 1))]);
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

/// Entropy of the character distribution, in nats: the loss of the best model that
/// ignores context. Anything learned about context shows as loss below it.
double unigram_entropy(const Tokens& tokens, Index vocab_size) {
  std::vector<double> counts(std::size_t(vocab_size), 0.0);
  for (int token : tokens) counts[std::size_t(token)] += 1;
  double entropy = 0;
  for (double count : counts)
    if (count > 0) entropy -= count / double(tokens.size()) * std::log(count / double(tokens.size()));
  return entropy;
}

/// Words that start with `prompt`: generate from a newline until the next newline.
std::vector<std::string> sample_words(GPT<float>& model, const CharTokenizer& tokenizer, const std::string& prompt,
                                      Index count, Sampler& sampler) {
  const int newline = tokenizer.encode("\n")[0];
  std::vector<std::string> words;
  for (Index i = 0; i < count; ++i) {
    const Tokens start = tokenizer.encode("\n" + prompt);
    Tokens word;
    generate(model, start, model.config().block_size - Index(start.size()), sampler, [&](int token) {
      if (!word.empty() && word.back() == newline) return;
      word.push_back(token);
    });
    while (!word.empty() && word.back() == newline) word.pop_back();
    Tokens cut;  // stop at the first newline
    for (int token : word) {
      if (token == newline) break;
      cut.push_back(token);
    }
    words.push_back(prompt + tokenizer.decode(cut));
  }
  return words;
}

int train_command(const Arguments& a) {
  const std::string model_path = a.out + "/model.ckpt";
  if (std::filesystem::exists(model_path) && !a.resume && !a.overwrite)
    throw Error("'" + model_path + "' holds a trained model: --resume continues it, --overwrite replaces it, " +
                "--out DIR trains a new one in DIR");
  std::filesystem::create_directories(a.out);
  // 1. Text to tokens: one token per character.
  const std::string text = shuffled_lines(a.file, a.seed);
  const CharTokenizer tokenizer = CharTokenizer::from_text(text);
  if (a.resume && std::filesystem::exists(model_path))  // the same file and seed give the same tokenizer
    check_tokenizer_fingerprint(read_checkpoint_info(model_path), tokenizer.fingerprint(), model_path);
  const Tokens tokens = tokenizer.encode(text);
  const TokenDataset data(tokens, 0.1);
  std::printf("%s: %zu characters, %lld distinct; 90%% to train, 10%% to validate\n", a.file.c_str(), tokens.size(),
              (long long)tokenizer.vocab_size());
  const double entropy = unigram_entropy(
      Tokens(tokens.begin(), tokens.begin() + data.size(TokenDataset::Split::kTrain)), tokenizer.vocab_size());
  std::printf("Unigram entropy: %.3f nats per character (the loss of guessing from letter frequencies alone)\n",
              entropy);

  // 2. A small GPT over 32-character windows.
  const GPTConfig config{
      .vocab_size = tokenizer.vocab_size(), .block_size = 32, .num_layers = 3, .num_heads = 4, .channels = 96};
  GPT<float> model(config, a.seed);
  std::printf("GPT: %lld parameters\n", (long long)model.num_parameters());

  // 3. Train, watching validation loss, with samples along the way.
  AdamWOptions adam;
  adam.lr = 3e-3;
  adam.weight_decay = 0.1;
  AdamW<float> optimizer(model.parameter_list(), adam);
  TrainingOptions options;
  options.steps = a.steps;
  options.eval_every = std::max<Index>(1, a.steps / 6);
  options.csv_path = a.out + "/training.csv";
  options.checkpoint_path = model_path;  // at the end, every eval and on Ctrl-C: --resume continues
  options.checkpoint_every = options.eval_every;
  options.resume = a.resume;
  options.tokenizer_fingerprint = tokenizer.fingerprint();
  tokenizer.save(a.out + "/tokenizer.txt");
  const std::vector<Batch> validation = data.fixed_batches(20, 32, config.block_size, a.seed + 1);
  Sampler sampler({1.0, 0, 1.0, a.seed});
  const auto validation_loss = [&] {
    const double loss = mean_loss(model, validation);  // the same held-out windows every time
    std::printf("\n  validation loss %.3f; samples:", loss);
    for (const auto& word : sample_words(model, tokenizer, "", 6, sampler)) std::printf(" %s", word.c_str());
    std::printf("\n");
    return loss;
  };
  const auto history = train(
      model, optimizer, WarmupCosineSchedule{adam.lr, 100, a.steps, 3e-4},
      [&](Index step, Index) {
        Rng rng(a.seed * 7777 + std::uint64_t(step));
        return data.batch(32, config.block_size, rng);
      },
      options, validation_loss);

  // 4. The trainer saved the model (tied to its tokenizer) for `sample`.
  if (history.empty())
    std::printf("\n%s had already trained all %lld steps.\n", model_path.c_str(), (long long)a.steps);
  else
    std::printf("\nFinal: train loss %.3f, validation loss %.3f, unigram entropy %.3f nats.\n", history.back().loss,
                history.back().eval_loss, entropy);
  std::printf("Saved %s/model.ckpt and tokenizer.txt. Try: makemore_words sample --out %s --prompt qu\n", a.out.c_str(),
              a.out.c_str());
  return 0;
}

int sample_command(const Arguments& a) {
  const CharTokenizer tokenizer = CharTokenizer::load(a.out + "/tokenizer.txt");
  const CheckpointInfo info = read_checkpoint_info(a.out + "/model.ckpt");
  check_tokenizer_fingerprint(info, tokenizer.fingerprint(), a.out + "/model.ckpt");
  GPT<float> model(info.config);
  load_checkpoint(a.out + "/model.ckpt", model);
  Sampler sampler({a.temperature, a.top_k, a.top_p, a.seed});
  for (const auto& word : sample_words(model, tokenizer, a.prompt, a.count, sampler)) std::printf("%s\n", word.c_str());
  return 0;
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Arguments arguments;
  CLI::App app{"makemore: a GPT that invents words like the lines it was trained on."};
  examples::makemore_words::add_commands(app, arguments);
  CLI11_PARSE(app, argc, argv);
  const int status = arguments.command == "train" ? train_command(arguments) : sample_command(arguments);
  examples::check_standard_output();
  return status;
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
