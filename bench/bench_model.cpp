// Google Benchmark: a whole training step (forward + backward + AdamW) and generation
// (batch 1, a block of new tokens, with and without the KV cache) on the race configs.
// Counters: tokens/s, and GFLOP/s of training by 6 x parameters + attention per token.
//   build-bench/bench/eigenformer_bench --benchmark_filter=TrainingStep
// The thread count comes from EIGENFORMER_THREADS (default 1), for 1- and 2-thread runs.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "race_configs.hpp"

using namespace eigenformer;

namespace {

const char* kConfigs[] = {"tiny", "small", "gpt2-mini", "scaling"};  // scaling: the sweep's largest model

void use_requested_threads() {
  const char* threads = std::getenv("EIGENFORMER_THREADS");
  tune_process_for_speed();
  set_num_threads(threads ? std::atoi(threads) : 1);
}

void BM_TrainingStep(benchmark::State& state) {
  use_requested_threads();
  const bench::RaceConfig config = bench::race_config(kConfigs[state.range(0)]);
  GPT<float> model(config.model);
  AdamW<float> optimizer(model.parameter_list());
  const Batch batch = bench::random_batch(config);
  GPT<float>::Activations activations;
  for (int warmup = 0; warmup < 2; ++warmup)
    bench::training_step(model, activations, optimizer, batch);  // buffers allocated
  for (auto _ : state) benchmark::DoNotOptimize(bench::training_step(model, activations, optimizer, batch));
  const double tokens = double(batch.batch * batch.time);
  state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(bench::training_flops_per_token(config.model) * tokens / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(config.name);
}

/// 127 greedy tokens after a 1-token prompt on "small"; argument 1 = with the KV cache.
void BM_Generation(benchmark::State& state) {
  use_requested_threads();
  const bench::RaceConfig config = bench::race_config("small");
  GPT<float> model(config.model);
  const Index new_tokens = config.model.block_size - 1;
  Sampler sampler = Sampler::greedy();
  for (auto _ : state) {
    const Tokens out = state.range(0) ? generate(model, Tokens{1}, new_tokens, sampler)
                                      : bench::generate_uncached(model, Tokens{1}, new_tokens);
    benchmark::DoNotOptimize(out.back());
  }
  state.counters["tokens/s"] = benchmark::Counter(double(new_tokens), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(state.range(0) ? "KV cache" : "re-forward");
}

}  // namespace

BENCHMARK(BM_TrainingStep)->ArgName("config")->DenseRange(0, 3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Generation)->ArgName("cached")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
