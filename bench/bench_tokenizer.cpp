// Google Benchmark: byte-level BPE training, 300 merges on 1 MB of text, the cases that
// once ran for minutes: English (words with spaces), letters without a space, and
// Chinese without a space (the chunk cap of text/pre_split.hpp keeps them bounded).
// Counter: bytes of training text per second.
//   build-bench/bench/eigenformer_bench --benchmark_filter=BPE
#include <benchmark/benchmark.h>

#include <eigenformer/core/rng.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <eigenformer/text/utf8.hpp>
#include <string>

using namespace eigenformer;

namespace {

const char* kTexts[] = {"english", "letters_without_spaces", "chinese_without_spaces"};

/// 1 MB of the kind of text asked for, the same every run.
std::string text_of_kind(int kind) {
  Rng rng(1);
  std::string text;
  const char* words[] = {"the ", "king ", "said ", "unto ", "them ", "and ", "it ", "was ", "good ", "light "};
  while (text.size() < 1000000) {
    if (kind == 0) text += words[rng.uniform_int(10)];
    if (kind == 1) text += char('a' + rng.uniform_int(26));
    if (kind == 2) text += encode_utf8(char32_t(0x4E00 + rng.uniform_int(400)));
  }
  return text;
}

void BM_BPETraining(benchmark::State& state) {
  const std::string text = text_of_kind(int(state.range(0)));
  for (auto _ : state) {
    BPETokenizer tokenizer;
    tokenizer.train(text, 256 + 300);
    benchmark::DoNotOptimize(tokenizer.merges().size());
  }
  state.SetLabel(kTexts[state.range(0)]);
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(text.size()));
}

}  // namespace

BENCHMARK(BM_BPETraining)->ArgName("text")->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
