// Lesson: write your own attention, and plug it into a GPT.
//
// Multi-query attention (Shazeer, 2019, arXiv:1911.02150): every head keeps its own
// query, but all heads share ONE key and ONE value head of width D = C/H.
//   q = x W_q^T + b_q          (B*T, C)   H query heads side by side
//   [k | v] = x W_kv^T + b_kv  (B*T, 2D)  one key head, one value head
//   for each sequence b, head h:  Y_bh = softmax(q_bh k_b^T / sqrt(D), causal) v_b
//   out = Y W_o^T + b_o        (B*T, C)
// Why: generation's KV cache stores k and v for every position. Here that is 2D
// numbers per position and layer instead of 2C: H times less memory to read per token.
//
// What a block needs of an attention is one concept, AttentionLayer
// (nn/transformer_block.hpp): built from (config, rng, name); a Saved struct of what
// backward reads; forward(x, B, T, saved) for training; forward(x, B, T, cache) for
// generation; backward(saved, dy); parameters(visit); and kRotary (does it place
// positions itself). The loops below
// are plain, for reading; nn/causal_self_attention.hpp is the fast version of the same.
#include <cmath>
#include <cstdio>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/core/gradient_check.hpp>
#include <eigenformer/fast/causal_attention.hpp>
#include <eigenformer/model/generate.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/nn/kv_cache.hpp>
#include <eigenformer/nn/transformer_block.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/sort_task.hpp>
#include <eigenformer/train/trainer.hpp>
#include <tuple>
#include <utility>

#include "command_line/checks.hpp"

using namespace eigenformer;

template <class S>
class MultiQueryAttention {
 public:
  using Scalar = S;
  static constexpr bool kRotary = false;  // positions come from the model's learned wpe

  MultiQueryAttention(const GPTConfig& config, Rng& rng, const std::string& name)
      : heads_(config.num_heads),
        head_dim_(config.head_dim()),
        query_(config.channels, config.channels, config.bias, rng, child_name(name, "query"), config.init_std),
        key_value_(config.channels, 2 * head_dim_, config.bias, rng, child_name(name, "key_value"), config.init_std),
        out_(config.channels, config.channels, config.bias, rng, child_name(name, "out"), config.residual_init_std()) {}

  /// What backward reads: the projections' saved states (x; Y), q, [k | v], P, the shape.
  struct Saved {
    typename Linear<S>::Saved query, key_value, out;
    Matrix<S> q, kv, probabilities;
    Index batch = 0, time = 0;
    BackwardTicket ticket;
  };

  /// Training: x (B*T, C) -> (B*T, C).
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, Saved& saved) const {
    saved.ticket.clear();
    saved.q = query_.forward(x, saved.query);
    saved.kv = key_value_.forward(x, saved.key_value);
    saved.batch = batch, saved.time = time;
    Matrix<S> y;
    attend(saved.q, saved.kv.leftCols(head_dim_), saved.kv.rightCols(head_dim_), batch, time, time, 0,
           saved.probabilities, y);
    Matrix<S> out = out_.forward(std::move(y), saved.out);
    saved.ticket.issue(this);
    return out;
  }

  /// Generation: append this call's k and v to the cache, attend over all of it.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, typename KVCache<S>::Layer cache) const {
    const Index past = cache.length, stride = cache.block_size;
    if (past == 0) {  // one shared key and value head per position: (B * block_size, D)
      cache.keys.resize(batch * stride, head_dim_);
      cache.values.resize(batch * stride, head_dim_);
    }
    const Matrix<S> q = query_.forward(x), kv = key_value_.forward(x);
    for (Index b = 0; b < batch; ++b) {
      cache.keys.middleRows(b * stride + past, time) = kv.block(b * time, 0, time, head_dim_);
      cache.values.middleRows(b * stride + past, time) = kv.block(b * time, head_dim_, time, head_dim_);
    }
    Matrix<S> probabilities, y;
    attend(q, cache.keys, cache.values, batch, time, stride, past, probabilities, y);
    return out_.forward(y);
  }

  /// Per (b, h), as in nn/causal_self_attention.hpp, except that k and v are shared:
  ///   dP = dY v^T, dS = softmax backward of dP, dq = dS k, and for the shared head
  ///   dk += dS^T q, dv += P^T dY summed over all H query heads.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, "MultiQueryAttention");
    const Matrix<S> dY = out_.backward(saved.out, dy);
    const Index T = saved.time, D = head_dim_;
    const S scale = S(1) / std::sqrt(S(D));
    Matrix<S> dq = Matrix<S>::Zero(saved.q.rows(), saved.q.cols());
    Matrix<S> dkv = Matrix<S>::Zero(saved.kv.rows(), saved.kv.cols());
    for (Index b = 0; b < saved.batch; ++b)
      for (Index h = 0; h < heads_; ++h) {
        const auto q = saved.q.block(b * T, h * D, T, D);
        const auto k = saved.kv.block(b * T, 0, T, D);
        const auto v = saved.kv.block(b * T, D, T, D);
        const auto p = saved.probabilities.middleRows((b * heads_ + h) * T, T);
        const auto dy_bh = dY.block(b * T, h * D, T, D);
        Matrix<S> ds = dy_bh * v.transpose();  // dP, then dS in place
        softmax_rows_backward(p, ds, scale);
        dq.block(b * T, h * D, T, D) = ds * k;
        dkv.block(b * T, 0, T, D) += ds.transpose() * q;
        dkv.block(b * T, D, T, D) += p.transpose() * dy_bh;
      }
    return query_.backward(saved.query, dq) + key_value_.backward(saved.key_value, dkv);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    query_.parameters(visit);
    key_value_.parameters(visit);
    out_.parameters(visit);
  }

 private:
  /// Y_bh = causal softmax(q_bh k_b^T / sqrt(D)) v_b; sequence b's keys and values start
  /// at row b * stride, and the first `past` of them come before this call's T queries.
  template <class Keys, class Values>
  void attend(const Matrix<S>& queries, const Keys& keys, const Values& values, Index batch, Index time, Index stride,
              Index past, Matrix<S>& probabilities, Matrix<S>& y) const {
    const Index T = time, D = head_dim_, L = past + T;
    probabilities.resize(batch * heads_ * T, L);
    y.resize(batch * T, heads_ * D);
    for (Index b = 0; b < batch; ++b)
      for (Index h = 0; h < heads_; ++h) {
        auto p = probabilities.middleRows((b * heads_ + h) * T, T);
        p = queries.block(b * T, h * D, T, D) * keys.middleRows(b * stride, L).transpose();
        causal_softmax_rows(p, S(1) / std::sqrt(S(D)), past);
        y.block(b * T, h * D, T, D) = p * values.middleRows(b * stride, L);
      }
  }

  Index heads_, head_dim_;
  Linear<S> query_, key_value_, out_;
};

template <class S>
using MultiQueryBlock = TransformerBlock<S, LayerNorm<S>, MultiQueryAttention<S>, MLP<S>>;
static_assert(AttentionLayer<MultiQueryAttention<float>>);  // the compiler checks the contract

/// Trains a model on sorting for `steps` and returns how many of 500 new lists it sorts exactly.
template <class Model>
Proportion train_to_sort(Model& model, const SortTask& task, Index steps) {
  AdamWOptions adam;
  adam.lr = 3e-3;
  AdamW<float> optimizer(model.parameter_list(), adam);
  TrainingOptions options;
  options.steps = steps;
  train(
      model, optimizer, WarmupCosineSchedule{adam.lr, 100, steps, adam.lr / 10},
      [&](Index step, Index) {
        Rng rng(1000 + std::uint64_t(step));
        return task.batch(64, rng);
      },
      options);
  Rng test_rng(424242);
  return task.accuracy(model, 500, test_rng);
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  CLI::App app{
      "Writes multi-query attention, checks its gradients, and trains it in a GPT beside multi-head "
      "attention."};  // no flags: --help says what it teaches
  CLI11_PARSE(app, argc, argv);
  // 1. Is the backward right? Finite differences in double, through a whole block.
  GPTConfig small{.block_size = 6, .num_heads = 3, .channels = 12};
  Rng rng(7);
  MultiQueryBlock<double> block(small, rng, "block");
  block.parameters([&](Parameter<double>& p) { fill_normal(p.value, 0.3, rng); });
  Matrix<double> x(2 * 6, 12);
  fill_normal(x, 1.0, rng);
  double worst = 0;
  for (const auto& check : check_layer_gradients(block, /*batch=*/2, /*time=*/6, x, rng))
    worst = std::max(worst, check.relative_error);
  std::printf("== Gradient check of a block with multi-query attention: worst relative error %.1e (%s)\n", worst,
              worst < 1e-6 ? "right" : "WRONG");

  // 2. The same GPT with either attention, trained alike on sorting.
  const SortTask task{6, 10};
  GPTConfig config = GPTConfig::tiny();
  config.vocab_size = task.vocab_size();
  config.block_size = task.time();
  const Index steps = 600;
  GPT<float, MultiQueryBlock<float>> multi_query(config, 1);
  GPT<float> multi_head(config, 1);
  std::printf("\n== Multi-query attention: %lld parameters; training %lld steps\n",
              (long long)multi_query.num_parameters(), (long long)steps);
  const Proportion multi_query_accuracy = train_to_sort(multi_query, task, steps);
  std::printf("\n== Multi-head attention (the control): %lld parameters; training %lld steps\n",
              (long long)multi_head.num_parameters(), (long long)steps);
  const Proportion multi_head_accuracy = train_to_sort(multi_head, task, steps);

  // 3. What each costs and buys: KV cache numbers per position, sorting accuracy.
  const long long multi_head_floats = 2LL * config.channels * config.num_layers;  // k and v, every layer
  const long long multi_query_floats = 2LL * config.head_dim() * config.num_layers;
  std::printf("\n%-24s %22s   %s\n", "attention", "KV cache per position", "lists sorted (500 new), 95% interval");
  for (const auto& [name, floats, accuracy] :
       {std::tuple{"multi-head (H = 4)", multi_head_floats, multi_head_accuracy},
        std::tuple{"multi-query (one k, v)", multi_query_floats, multi_query_accuracy}}) {
    const auto [low, high] = accuracy.interval_95();
    std::printf("%-24s %16lld floats   %5.1f%% [%.1f, %.1f]\n", name, floats, 100 * accuracy.value(), 100 * low,
                100 * high);
  }
  Sampler greedy = Sampler::greedy();
  Rng example_rng(5);
  const Tokens sequence = task.example(example_rng);
  const Tokens prompt(sequence.begin(), sequence.begin() + task.length + 1);
  const Tokens output = generate(multi_query, prompt, task.length, greedy);  // through the KV cache above
  std::printf("\nmulti-query, generating with its own KV cache: ");
  for (std::size_t t = 0; t < output.size(); ++t) std::printf(Index(t) == task.length ? "| " : "%d ", output[t]);
  std::printf(
      "\nNext: grouped-query attention (Ainslie et al., 2023) shares each k, v head among a group of "
      "query heads; try G groups here.\n");
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad size or shape: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
