#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

namespace {

GPTConfig odd_block_config(bool bias) {
  GPTConfig config;
  config.channels = 12;
  config.num_heads = 3;
  config.block_size = 5;
  config.ffn_hidden = 20;
  config.bias = bias;
  return config;
}

template <class Block>
void check_block_gradients(bool bias) {
  Rng rng(11);
  Block block(odd_block_config(bias), rng, "blocks.0");
  testing::require_sequence_gradients(block, 2, 5, random_matrix(10, 12, rng), rng);
}

template <class Block>
void check_block_causality() {
  Rng rng(12);
  Block block(odd_block_config(true), rng);
  testing::randomize_parameters(block, rng);
  Matrix<double> x = random_matrix(10, 12, rng);
  const Matrix<double> before = testing::forward_once(block, x, 2, 5);
  x.row(7) = random_matrix(1, 12, rng);  // sequence 1, position 2
  const Matrix<double> after = testing::forward_once(block, x, 2, 5);
  CHECK(after.topRows(7) == before.topRows(7));
  CHECK_FALSE(after.row(7).isApprox(before.row(7)));
}

}  // namespace

TEST_CASE("TransformerBlock: forward is x + attn(norm_1(x)), then h + ffn(norm_2(h))") {
  Rng rng(10);
  using Block = GPT2Block<double>;
  Block block(odd_block_config(true), rng);
  testing::randomize_parameters(block, rng);
  const auto p = parameter_list(block);
  // Rebuild the same sub-layers from the same weights and compose them by hand.
  Rng unused(0);
  LayerNorm<double> norm_1(12), norm_2(12);
  CausalSelfAttention<double> attention(odd_block_config(true), unused);
  MLP<double> mlp(odd_block_config(true), unused);
  const auto copy_into = [&](auto& layer, std::size_t first) {
    const auto list = parameter_list(layer);
    for (std::size_t i = 0; i < list.size(); ++i) list[i]->value = p[first + i]->value;
    return first + list.size();
  };
  std::size_t next = copy_into(norm_1, 0);
  next = copy_into(attention, next);
  next = copy_into(norm_2, next);
  next = copy_into(mlp, next);
  CHECK(next == p.size());

  const Matrix<double> x = random_matrix(10, 12, rng);
  const Matrix<double> h = x + testing::forward_once(attention, norm_1.forward(x), 2, 5);
  const Matrix<double> y = h + mlp.forward(norm_2.forward(h));
  CHECK(testing::forward_once(block, x, 2, 5).isApprox(y));
}

TEST_CASE("TransformerBlock: parameter names are dotted paths") {
  Rng rng(13);
  GPT2Block<float> block(odd_block_config(true), rng, "blocks.3");
  std::vector<std::string> names;
  for (auto* p : parameter_list(block)) names.push_back(p->name);
  const std::vector<std::string> expected{
      "blocks.3.norm_1.weight",    "blocks.3.norm_1.bias",    "blocks.3.attn.qkv.weight", "blocks.3.attn.qkv.bias",
      "blocks.3.attn.proj.weight", "blocks.3.attn.proj.bias", "blocks.3.norm_2.weight",   "blocks.3.norm_2.bias",
      "blocks.3.ffn.fc.weight",    "blocks.3.ffn.fc.bias",    "blocks.3.ffn.proj.weight", "blocks.3.ffn.proj.bias"};
  CHECK(names == expected);
}

TEST_CASE("TransformerBlock: GPT-2 composition, gradients match finite differences") {
  check_block_gradients<GPT2Block<double>>(true);
}

TEST_CASE("TransformerBlock: LLaMA composition (RMSNorm, RoPE, SwiGLU), gradients match finite differences") {
  check_block_gradients<LlamaBlock<double>>(false);
}

TEST_CASE("TransformerBlock: causal in both compositions") {
  check_block_causality<GPT2Block<double>>();
  check_block_causality<LlamaBlock<double>>();
}

TEST_CASE("TransformerBlock: dropout is seeded, active in training forwards, off at inference") {
  Rng rng(14), same(14);
  GPTConfig config = odd_block_config(true);
  config.dropout = 0.3;
  GPT2Block<double> a(config, rng), b(config, same);
  const Matrix<double> x = random_matrix(10, 12, rng);
  const Matrix<double> train_a = testing::forward_once(a, x, 2, 5);
  CHECK(testing::forward_once(b, x, 2, 5) == train_a);  // same seed, same masks
  KVCache<double> cache_1(config, 2), cache_2(config, 2);
  const Matrix<double> inference_1 = a.forward(x, 2, 5, cache_1.layer(0)),
                       inference_2 = a.forward(x, 2, 5, cache_2.layer(0));
  CHECK(inference_1 == inference_2);
  CHECK_FALSE(inference_1.isApprox(train_a));
  GPTConfig no_dropout = config;
  no_dropout.dropout = 0;
  Rng again(14);
  GPT2Block<double> c(no_dropout, again);
  CHECK(testing::forward_once(c, x, 2, 5).isApprox(inference_1, 1e-12));  // the same block without the masks
}
