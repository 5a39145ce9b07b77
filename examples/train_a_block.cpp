// Lesson: a transformer by hand, trained with plain gradient descent.
//
// Before the GPT class hides the plumbing, wire the parts yourself:
//   tokens (B, T) -> token + position embeddings -> one transformer block
//   -> final LayerNorm -> Linear head -> logits (B*T, V) -> cross-entropy
// The task: at each position, output the token seen two positions earlier
// (nothing to learn at positions 0 and 1: their targets are -1). Only attention
// can move information between positions, so the loss falls from log V only once
// a head learns to look exactly two back.
#include <cmath>
#include <cstdio>
#include <eigenformer/nn/cross_entropy.hpp>
#include <eigenformer/nn/gpt_config.hpp>
#include <eigenformer/nn/layer_norm.hpp>
#include <eigenformer/nn/linear.hpp>
#include <eigenformer/nn/position_embedding.hpp>
#include <eigenformer/nn/token_embedding.hpp>
#include <eigenformer/nn/transformer_block.hpp>

#include "command_line/checks.hpp"

using namespace eigenformer;

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  CLI::App app{
      "Wires embeddings, one transformer block, a head and the loss by hand and trains them to copy the token two "
      "positions back."};  // no flags: --help says what it teaches
  CLI11_PARSE(app, argc, argv);
  const Index vocab = 16, batch = 16, time = 12, steps = 400;
  const double learning_rate = 0.3;
  GPTConfig config;
  config.channels = 32;
  config.num_heads = 2;
  config.block_size = time;

  Rng rng(1234);
  TokenEmbedding<float> token_embedding(vocab, config.channels, rng);
  PositionEmbedding<float> position_embedding(time, config.channels, rng);
  GPT2Block<float> block(config, rng, "block");
  LayerNorm<float> final_norm(config.channels, "final_norm");
  Linear<float> head(config.channels, vocab, false, rng, "head");
  CrossEntropy<float> cross_entropy;
  struct {  // what each forward keeps for its backward: values we hold, reused every step
    TokenEmbedding<float>::Saved token_embedding;
    PositionEmbedding<float>::Saved position_embedding;
    GPT2Block<float>::Saved block;
    LayerNorm<float>::Saved final_norm;
    Linear<float>::Saved head;
    CrossEntropy<float>::Saved loss;
  } saved;

  const auto for_each_parameter = [&](auto&& visit) {
    token_embedding.parameters(visit);
    position_embedding.parameters(visit);
    block.parameters(visit);
    final_norm.parameters(visit);
    head.parameters(visit);
  };

  std::printf("Task: output the token two positions back. Chance loss is log(%d) = %.3f\n", int(vocab),
              std::log(double(vocab)));
  for (Index step = 0; step <= steps; ++step) {
    // Data: random tokens; target[t] = token[t - 2], -1 where there is none.
    Tokens tokens(batch * time), targets(batch * time);
    for (Index n = 0; n < batch * time; ++n) tokens[n] = int(rng.uniform_int(vocab));
    for (Index n = 0; n < batch * time; ++n) targets[n] = n % time >= 2 ? tokens[n - 2] : -1;

    // Forward: (B*T, C) activations all the way, (B*T, V) logits at the end. Each layer
    // keeps what its backward reads in its saved state, which we hold (`saved` above).
    const Matrix<float> x = token_embedding.forward(tokens, saved.token_embedding) +
                            position_embedding.forward(batch, time, saved.position_embedding);
    const Matrix<float> h = block.forward(x, batch, time, saved.block);
    const Matrix<float> logits = head.forward(final_norm.forward(h, saved.final_norm), saved.head);
    const float loss = cross_entropy.forward(logits, targets, saved.loss);

    // Backward: the same path in reverse, each layer reading its saved state and adding
    // into its parameters' grad. dL/dloss = 1 starts the chain.
    for_each_parameter([](Parameter<float>& p) { p.zero_grad(); });
    const Matrix<float> logits_grad = cross_entropy.backward(saved.loss, 1.0f);
    const Matrix<float> h_grad = final_norm.backward(saved.final_norm, head.backward(saved.head, logits_grad));
    const Matrix<float> x_grad = block.backward(saved.block, h_grad);
    token_embedding.backward(saved.token_embedding, x_grad);
    position_embedding.backward(saved.position_embedding, x_grad);

    // Update: w -= lr * dL/dw (plain SGD; optim/ has AdamW).
    for_each_parameter([&](Parameter<float>& p) { p.value -= float(learning_rate) * p.grad; });

    if (step % 25 == 0) std::printf("step %4d  loss %.4f\n", int(step), double(loss));
  }
  std::printf(
      "The loss fell from chance toward 0: one head now attends exactly two positions back.\n"
      "Next: the GPT class in model/ composes these parts for you.\n");
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
