// Shared test helpers: random inputs, parameter access, and assertions that print
// which tensor failed and by how much.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <eigenformer/eigenformer.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace eigenformer::testing {

inline Matrix<double> random_matrix(Index rows, Index cols, Rng& rng, double std = 1.0) {
  Matrix<double> m(rows, cols);
  fill_normal(m, std, rng);
  return m;
}

/// A (2, n/2) weight matrix holding `values` row by row, for optimizer steps worked by hand.
inline Parameter<double> matrix_parameter(const std::string& name, std::initializer_list<double> values) {
  Parameter<double> p(name, 2, Index(values.size()) / 2);
  Index i = 0;
  for (double v : values) p.value.data()[i++] = v;
  return p;
}

/// Replaces every parameter with N(0, std^2) draws, so no test passes because a
/// weight happens to be 1 or 0 (the usual initial values of norms and biases).
template <class L>
void randomize_parameters(L& layer, Rng& rng, double std = 0.5) {
  layer.parameters([&](Parameter<typename L::Scalar>& p) { fill_normal(p.value, std, rng); });
}

/// Each tensor's analytic gradient matches finite differences to `tolerance` (relative).
inline void require_gradients_match(const std::vector<GradientCheck>& checks, double tolerance = 1e-6) {
  REQUIRE_FALSE(checks.empty());
  for (const auto& check : checks) {
    INFO("gradient of ", check.name, ": relative error ", check.relative_error);
    CHECK(check.relative_error < tolerance);
  }
}

/// Finite-difference check of a position-wise layer: the input and every parameter.
template <class L>
void require_layer_gradients(L& layer, const Matrix<double>& x, Rng& rng) {
  randomize_parameters(layer, rng);
  require_gradients_match(check_layer_gradients(layer, x, rng));
}

/// Finite-difference check of a sequence layer given its batch shape.
template <class L>
void require_sequence_gradients(L& layer, Index batch, Index time, const Matrix<double>& x, Rng& rng) {
  randomize_parameters(layer, rng);
  require_gradients_match(check_layer_gradients(layer, batch, time, x, rng));
}

/// A sequence layer's training forward whose saved state is dropped: the output alone.
template <class L>
Matrix<typename L::Scalar> forward_once(const L& layer, const Matrix<typename L::Scalar>& x, Index batch, Index time) {
  typename L::Saved saved;
  return layer.forward(x, batch, time, saved);
}

/// Runs `action`, which must throw eigenformer::Error whose message contains every fragment.
template <class Action>
void require_error_mentions(Action&& action, const std::vector<std::string>& fragments) {
  try {
    action();
    FAIL("expected eigenformer::Error");
  } catch (const Error& error) {
    const std::string message = error.what();
    for (const auto& fragment : fragments) {
      INFO("message: \"", message, "\" should mention \"", fragment, "\"");
      CHECK(message.find(fragment) != std::string::npos);
    }
  }
}

/// A fresh path in this test process's own scratch folder (removed and remade per call).
inline std::string scratch_path(const std::string& name) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("eigenformer-tests-" + std::to_string(os::process_id()));
  std::filesystem::create_directories(folder);
  const auto path = folder / name;
  std::filesystem::remove_all(path);
  return path.string();
}

inline std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

/// Trains quietly with AdamW (default options) under `schedule`: the loop the
/// training tests share. Returns one record per step.
template <class Model, class Schedule, class NextBatch>
std::vector<StepRecord> train_quietly(Model& model, const Schedule& schedule, Index steps, NextBatch&& next_batch) {
  AdamW<typename Model::Scalar> optimizer(model.parameter_list(), AdamWOptions{});
  TrainingOptions options;
  options.steps = steps;
  options.show_progress = false;
  return train(model, optimizer, schedule, next_batch, options);
}

/// Overwrites sizeof(T) bytes at `offset` of a byte image with `value`.
template <class T>
void poke(std::vector<char>& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

/// A feed-forward layer small enough for finite differences (MLP and SwiGLU tests).
inline GPTConfig small_ffn_config() { return {.num_heads = 2, .channels = 6, .ffn_hidden = 10}; }

/// A model small enough to compare cached generation with full forwards position by position.
inline GPTConfig generation_config() {
  return {.vocab_size = 11, .block_size = 9, .num_layers = 2, .num_heads = 2, .channels = 12};
}

}  // namespace eigenformer::testing
