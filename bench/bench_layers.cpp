// Google Benchmark: each layer's forward and backward at the "small" config's shapes
// (B*T = 16*128 = 2048 rows, C = 128, 4 heads), float.
// Counters: tokens/s (rows per second) and GFLOP/s of the matrix products
// (2 FLOPs per multiply-add; backward does twice forward's products).
//   build-bench/bench/eigenformer_bench --benchmark_filter=Layer
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "race_configs.hpp"

using namespace eigenformer;

namespace {

constexpr Index kBatch = 16, kTime = 128, kRows = kBatch * kTime, kChannels = 128, kHeads = 4;

Matrix<float> random_activations(Index rows, Index cols) {
  Rng rng(3);
  Matrix<float> x(rows, cols);
  fill_normal(x, 1.0, rng);
  return x;
}

/// Layers run on EIGENFORMER_THREADS threads (default 1), like the model benchmarks.
void use_requested_threads() {
  const char* threads = std::getenv("EIGENFORMER_THREADS");
  tune_process_for_speed();
  set_num_threads(threads ? std::atoi(threads) : 1);
}

void report(benchmark::State& state, double multiply_adds_per_row) {
  state.counters["tokens/s"] = benchmark::Counter(double(kRows), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(2 * multiply_adds_per_row * double(kRows) / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

/// Times forward (backward = false) or forward + backward of a (rows, C) -> (rows, C') layer,
/// its training forward keeping a saved state reused from iteration to iteration.
template <class Layer, class Forward>
void run_layer(benchmark::State& state, Layer& layer, Forward&& forward, const Matrix<float>& x, bool backward) {
  use_requested_threads();
  typename Layer::Saved saved;
  const Matrix<float> dy = random_activations(kRows, forward(layer, x, saved).cols());
  for (auto _ : state) {
    benchmark::DoNotOptimize(forward(layer, x, saved).data());
    if (backward) benchmark::DoNotOptimize(layer.backward(saved, dy).data());
  }
}

const auto plain = [](auto& layer, const Matrix<float>& x, auto& saved) { return layer.forward(x, saved); };
const auto sequence = [](auto& layer, const Matrix<float>& x, auto& saved) {
  return layer.forward(x, kBatch, kTime, saved);
};

GPTConfig layer_config() {
  return GPTConfig{.vocab_size = 256, .block_size = kTime, .num_heads = kHeads, .channels = kChannels};
}

void BM_Layer_Linear(benchmark::State& state) {
  Rng rng(1);
  Linear<float> layer(kChannels, 3 * kChannels, true, rng);
  run_layer(state, layer, plain, random_activations(kRows, kChannels), state.range(0));
  report(state, double(kChannels * 3 * kChannels) * (state.range(0) ? 3 : 1));
}

void BM_Layer_LayerNorm(benchmark::State& state) {
  LayerNorm<float> layer(kChannels);
  run_layer(state, layer, plain, random_activations(kRows, kChannels), state.range(0));
  report(state, 0);
}

void BM_Layer_GELU(benchmark::State& state) {
  GELU<float> layer;
  run_layer(state, layer, plain, random_activations(kRows, 4 * kChannels), state.range(0));
  report(state, 0);
}

void BM_Layer_MLP(benchmark::State& state) {
  Rng rng(1);
  MLP<float> layer(layer_config(), rng);
  run_layer(state, layer, plain, random_activations(kRows, kChannels), state.range(0));
  report(state, double(8 * kChannels * kChannels) * (state.range(0) ? 3 : 1));
}

void BM_Layer_Attention(benchmark::State& state) {
  Rng rng(1);
  CausalSelfAttention<float> layer(layer_config(), rng);
  run_layer(state, layer, sequence, random_activations(kRows, kChannels), state.range(0));
  // 4C^2 for the projections, 2 T C for q k^T and P v (the causal half counted whole)
  report(state, double(4 * kChannels * kChannels + 2 * kTime * kChannels) * (state.range(0) ? 3 : 1));
}

void BM_Layer_CrossEntropy(benchmark::State& state) {
  CrossEntropy<float> loss;
  const Matrix<float> logits = random_activations(kRows, 256);
  Tokens targets(static_cast<std::size_t>(kRows));
  for (std::size_t n = 0; n < targets.size(); ++n) targets[n] = int(n % 256);
  CrossEntropy<float>::Saved saved;
  for (auto _ : state) {
    benchmark::DoNotOptimize(loss.forward(logits, targets, saved));
    if (state.range(0)) benchmark::DoNotOptimize(loss.backward(saved, 1.0f).data());
  }
  report(state, 0);
}

}  // namespace

// Argument: 0 = forward only, 1 = forward + backward.
BENCHMARK(BM_Layer_Linear)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Layer_LayerNorm)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Layer_GELU)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Layer_MLP)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Layer_Attention)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Layer_CrossEntropy)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
