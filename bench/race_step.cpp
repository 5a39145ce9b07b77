// eigenformer's side of the race against PyTorch (bench/race.py runs both).
//
//   race_step --config small --threads 1 --mode train      training steps, forward + backward + AdamW
//   race_step --config small --threads 1 --mode generate   127 new tokens, batch 1, with the KV cache
//   race_step --config small --threads 1 --mode generate-uncached   the same, re-running the whole context
//   race_step --config small --threads 1 --mode engine --batch 8   the chat engine: 8 replies of 127 tokens
//   race_step --config small --threads 1 --mode plain --batch 8    the same by plain loops (plain_decoder.hpp)
// Prints one JSON line: the median over the timed repeats (warm-up excluded) and what ran.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "plain_decoder.hpp"
#include "race_configs.hpp"

using namespace eigenformer;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

const char* blas_name() {
#ifdef EIGEN_USE_BLAS
  return "Eigen -> OpenBLAS (EIGEN_USE_BLAS)";
#else
  return "Eigen's own GEMM";
#endif
}

}  // namespace

int main(int argc, char** argv) try {
  std::map<std::string, std::string> args{
      {"--config", "small"}, {"--threads", "1"}, {"--mode", "train"}, {"--repeats", "0"}, {"--batch", "1"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    EF_CHECK(args.count(argv[i]), "unknown option " << argv[i] << " (--config, --threads, --mode, --repeats, --batch)");
    args[argv[i]] = argv[i + 1];
  }
  const bench::RaceConfig config = bench::race_config(args["--config"]);
  const std::string mode = args["--mode"];
  const int threads = std::stoi(args["--threads"]);
  const Index batch = std::stoi(args["--batch"]);
  tune_process_for_speed();
  set_num_threads(threads);
  GPT<float> model(config.model);

  const bool training = mode == "train";
  EF_CHECK(training || mode == "generate" || mode == "generate-uncached" || mode == "engine" || mode == "plain",
           "unknown mode " << mode << " (train, generate, generate-uncached, engine, plain)");
  EF_CHECK(batch == 1 || ((mode == "engine" || mode == "plain") && batch > 1),
           "--batch is at least 1, and above 1 only for the engine and plain modes");
  const int warmup = 3, repeats = std::stoi(args["--repeats"]) > 0 ? std::stoi(args["--repeats"]) : 20;
  double tokens_per_repeat = 0;
  std::vector<double> times;
  double loss = 0;
  const auto time_repeats = [&](auto&& run) {
    for (int r = 0; r < warmup + repeats; ++r) {
      const auto start = Clock::now();
      loss = run();
      if (r >= warmup) times.push_back(seconds_since(start));
    }
  };
  const Index new_tokens = config.model.block_size - 1;
  if (training) {
    AdamW<float> optimizer(model.parameter_list());
    const Batch training_batch = bench::random_batch(config);
    tokens_per_repeat = double(training_batch.batch * training_batch.time);
    GPT<float>::Activations activations;
    time_repeats([&] { return double(bench::training_step(model, activations, optimizer, training_batch)); });
  } else if (mode == "engine") {
    const CharTokenizer tokenizer = bench::chat_tokenizer(config.model.vocab_size);
    Engine engine(model, tokenizer, {}, {.max_new_tokens = new_tokens, .batch_size = batch});
    const std::vector<Tokens> prompts(std::size_t(batch), Tokens{1});  // every side starts from token 1
    Sampler sampler = Sampler::greedy();
    tokens_per_repeat = double(batch * new_tokens);
    time_repeats([&] { return double(engine.generate(prompts, sampler)[0].tokens.back()); });
  } else if (mode == "plain") {
    bench::PlainDecoder decoder(model, batch);
    tokens_per_repeat = double(batch * new_tokens);
    time_repeats([&] { return double(decoder.generate(1, new_tokens).back()); });
  } else {
    Sampler sampler = Sampler::greedy();
    tokens_per_repeat = double(new_tokens);
    time_repeats([&] {
      const Tokens out = mode == "generate" ? generate(model, Tokens{1}, new_tokens, sampler)
                                            : bench::generate_uncached(model, Tokens{1}, new_tokens);
      return double(out.back());
    });
  }
  const double seconds = median(times);
  const double flops = training ? bench::training_flops_per_token(config.model) * tokens_per_repeat / seconds : 0;
  std::printf(
      "{\"side\": \"eigenformer\", \"config\": \"%s\", \"mode\": \"%s\", \"threads\": %d, \"batch\": %ld, "
      "\"tokens_per_s\": %.1f, "
      "\"seconds\": %.6f, \"gflops\": %.2f, \"last\": %.4f, \"parameters\": %ld, \"blas\": \"%s\"}\n",
      config.name.c_str(), mode.c_str(), threads, long(batch), tokens_per_repeat / seconds, seconds, flops / 1e9, loss,
      long(model.num_parameters()), blas_name());
  return 0;
} catch (const std::exception& error) {
  std::cerr << "race_step: " << error.what() << "\n";
  return 1;
}
