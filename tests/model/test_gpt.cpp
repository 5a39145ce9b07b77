#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

GPTConfig odd_gpt_config() {
  return {.vocab_size = 7, .block_size = 6, .num_layers = 2, .num_heads = 3, .channels = 12, .ffn_hidden = 20};
}

const Tokens kTokens{3, 0, 6, 6, 1, 2, 5, 4, 0, 3};  // B = 2, T = 5
const Tokens kTargets{0, 6, -1, 1, 2, 5, 4, -1, 3, 1};

template <class Model>
void check_model_gradients(Model& model) {
  Rng rng(3);
  testing::randomize_parameters(model, rng, 0.3);
  typename Model::Activations activations;
  const auto loss = [&] { return model.forward(kTokens, kTargets, 2, 5, activations); };
  model.zero_grad();
  loss();
  model.backward(activations);
  testing::require_gradients_match(check_parameter_gradients(model, loss));
}

}  // namespace

TEST_CASE("GPT: whole-model gradients match finite differences (GPT-2 blocks, tied head)") {
  GPT<double> model(odd_gpt_config());
  check_model_gradients(model);
}

TEST_CASE("GPT: whole-model gradients match finite differences (LLaMA blocks, untied head, no bias)") {
  GPTConfig config = odd_gpt_config();
  config.channels = 12;
  config.num_heads = 2;  // RoPE needs an even head size: 6
  config.bias = false;
  config.tie_embeddings = false;
  LlamaGPT<double> model(config);
  CHECK(parameter_list(model).back()->name == "lm_head.weight");
  check_model_gradients(model);
}

TEST_CASE("GPT: logits are norm_f(blocks(wte + wpe)) times wte^T, loss is their cross-entropy") {
  // eps = 0.5 as well: a norm that ignored the config's epsilon (the final one had) would differ.
  for (const double norm_eps : {1e-5, 0.5}) {
    CAPTURE(norm_eps);
    GPTConfig config = odd_gpt_config();
    config.norm_eps = norm_eps;
    GPT<double> model(config);
    Rng rng(4);
    testing::randomize_parameters(model, rng, 0.3);
    const Matrix<double> logits = model.forward(kTokens, 2, 5);
    REQUIRE(logits.rows() == 10);
    REQUIRE(logits.cols() == 7);

    // The same computation by hand, from the model's own weights and a copy of each block.
    const auto weight = [&](const std::string& name) {
      for (auto* p : model.parameter_list())
        if (p->name == name) return p->value;
      FAIL("no parameter " << name);
      return Matrix<double>();
    };
    const Matrix<double> wte = weight("wte.weight"), wpe = weight("wpe.weight");
    Matrix<double> x(10, 12);
    for (Index n = 0; n < 10; ++n) x.row(n) = wte.row(kTokens[std::size_t(n)]) + wpe.row(n % 5);
    for (Index l = 0; l < 2; ++l) {
      GPT2Block<double>::Saved saved;
      x = model.block(l).forward(x, 2, 5, saved);
    }
    Matrix<double> expected(10, 7);
    for (Index n = 0; n < 10; ++n) {  // norm_f written out: (x - mean) / sqrt(var + eps) * w + b
      const auto row = x.row(n).array();
      const double mean = row.mean(), var = (row - mean).square().mean();
      const RowVector<double> h = ((row - mean) / std::sqrt(var + norm_eps) * weight("norm_f.weight").row(0).array() +
                                   weight("norm_f.bias").row(0).array())
                                      .matrix();
      expected.row(n) = h * wte.transpose();
    }
    CHECK(logits.isApprox(expected, 1e-12));

    CrossEntropy<double> reference;
    GPT<double>::Activations activations;
    CHECK(model.forward(kTokens, kTargets, 2, 5, activations) ==
          doctest::Approx(reference.forward(expected, kTargets)));
    CHECK(activations.loss.row_losses.array().isNaN().count() == 2);  // the two -1 targets
  }
}

TEST_CASE("GPT: at initialization (std 0.02) the logits are near 0, so the loss is near ln V") {
  GPT<double> model(odd_gpt_config());
  GPT<double>::Activations activations;
  CHECK(model.forward(kTokens, kTargets, 2, 5, activations) == doctest::Approx(std::log(7.0)).epsilon(0.02));
}

TEST_CASE("GPT: parameter names, count and GPT-2 initialization") {
  GPTConfig config = GPTConfig::nano();
  GPT<float> model(config);
  const auto parameters = model.parameter_list();
  CHECK(parameters.front()->name == "wte.weight");
  CHECK(parameters[1]->name == "wpe.weight");
  CHECK(parameters[2]->name == "blocks.0.norm_1.weight");
  CHECK(parameters.back()->name == "norm_f.bias");
  const Index C = config.channels, L = config.num_layers;
  const Index expected = config.vocab_size * C + config.block_size * C + L * (12 * C * C + 13 * C) + 2 * C;
  CHECK(model.num_parameters() == expected);
  CHECK(model.num_parameters() > 40000);
  CHECK(model.num_parameters() < 60000);

  const auto std_of = [&](const std::string& name) {
    for (auto* p : parameters)
      if (p->name == name) return std::sqrt(double(p->value.squaredNorm()) / double(p->size()));
    return -1.0;
  };
  CHECK(std_of("blocks.0.attn.qkv.weight") == doctest::Approx(0.02).epsilon(0.1));
  CHECK(std_of("blocks.0.attn.proj.weight") == doctest::Approx(0.02 / std::sqrt(2.0 * L)).epsilon(0.1));
  CHECK(std_of("blocks.1.ffn.proj.weight") == doctest::Approx(0.02 / std::sqrt(2.0 * L)).epsilon(0.1));
  CHECK(std_of("blocks.0.norm_1.weight") == 1.0);
}

TEST_CASE("GPT: the same seed builds the same model, presets validate") {
  GPT<float> a(GPTConfig::nano(), 5), b(GPTConfig::nano(), 5), c(GPTConfig::nano(), 6);
  CHECK(a.parameter_list()[4]->value == b.parameter_list()[4]->value);  // blocks.0.attn.qkv.weight
  CHECK(a.parameter_list()[4]->value != c.parameter_list()[4]->value);
  for (const auto& config :
       {GPTConfig::nano(), GPTConfig::tiny(), GPTConfig::small(), GPTConfig::gpt2_mini(), GPTConfig::gpt2()})
    CHECK_NOTHROW(config.validate());
  CHECK(GPTConfig::gpt2().channels == 768);
}

TEST_CASE("GPT: bad configs and inputs are errors that name the values") {
  GPTConfig config = odd_gpt_config();
  config.num_heads = 5;
  testing::require_error_mentions([&] { GPT<float> model(config); }, {"channels 12", "num_heads 5"});
  config = odd_gpt_config();
  config.vocab_size = 0;
  testing::require_error_mentions([&] { GPT<float> model(config); }, {"vocab_size", "0"});
  for (const auto& [vocab, block] : {std::pair<Index, Index>{1000000000, 64}, {64, 1000000000}}) {
    config = GPTConfig{.vocab_size = vocab, .block_size = block, .num_layers = 2, .num_heads = 4, .channels = 64};
    testing::require_error_mentions([&] { GPT<float> model(config); },  // before any allocation, not bad_alloc
                                    {"needs about 512", "GB for its weights and gradients", "GB of memory"});
  }

  GPT<float> model(odd_gpt_config());
  testing::require_error_mentions([&] { model.forward(Tokens(14, 1), 2, 7); }, {"sequence length 7", "block size 6"});
  testing::require_error_mentions([&] { model.forward(Tokens{1, 2, 9}, 1, 3); }, {"token id 9", "[0, 7)"});
  testing::require_error_mentions([&] { model.forward(Tokens{1, 2, 3}, 2, 2); }, {"3 tokens", "batch 2", "time 2"});
}

TEST_CASE("GPT: activation_bytes counts exactly what a training forward keeps, with and without dropout") {
  for (const double dropout : {0.0, 0.1}) {
    GPTConfig config = odd_gpt_config();
    config.dropout = dropout;
    const GPT<float> model(config);
    GPT<float>::Activations activations;
    model.forward(kTokens, kTargets, 2, 5, activations);
    CAPTURE(dropout);
    CHECK(activations.bytes() == activation_bytes(config, 2, 5, sizeof(float)));
    const TrainingMemory memory = training_memory(config, GPT<float>(config).num_parameters(), 2, 5, sizeof(float));
    CHECK(memory.optimizer == 2 * memory.weights);
    CHECK(memory.total() == 4 * memory.weights + memory.activations);
  }
}
