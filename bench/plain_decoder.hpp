// The physical reference for the cost of one generated token: GPT-2 decoding written
// as plain loops over float arrays, in the manner of llama2.c's run.c (one file, no
// library, every buffer allocated once). The engine is raced against it (race_step
// --mode engine / --mode plain): whatever the engine spends beyond this is overhead.
//
// Same model as GPT<float> with learned positions (weights copied from one, so both
// greedy-decode the same tokens): per position, per layer
//   x += proj(attention(ln_1(x)))    x += fc_proj(gelu(fc(ln_2(x))))
// then logits = ln_f(x) wte^T. Each matrix-vector product is llama2.c's matmul,
// out[i] = b[i] + sum_j W[i][j] x[j] with W row-major (out, in). The inner sums are
// marked `omp simd reduction`, which lets the compiler vectorize them as -Ofast would,
// without -ffast-math changing anything else.
// Rows of a batch are independent sequences at the same position, decoded one after the
// other, as a plain loop would: no product shares a weight read between rows.
#pragma once

#include <cmath>
#include <cstddef>
#include <eigenformer/eigenformer.hpp>
#include <string>
#include <vector>

namespace eigenformer::bench {

class PlainDecoder {
 public:
  /// Copies the weights of a GPT<float> with learned positions, biases and tied embeddings.
  PlainDecoder(GPT<float>& model, Index batch)
      : config_(model.config()),
        C_(config_.channels),
        H_(config_.num_heads),
        V_(config_.vocab_size),
        T_(config_.block_size),
        F_(config_.ffn_hidden > 0 ? config_.ffn_hidden : 4 * config_.channels),
        B_(batch) {
    EF_CHECK(config_.bias && batch >= 1, "the plain decoder copies a GPT-2 with biases, for a batch of at least 1 row");
    for (Parameter<float>* p : model.parameter_list()) weights_[p->name] = copy_of(p->value);
    for (Index l = 0; l < config_.num_layers; ++l) {
      const std::string prefix = "blocks." + std::to_string(l) + ".";
      layers_.push_back({&weights_.at(prefix + "norm_1.weight"), &weights_.at(prefix + "norm_1.bias"),
                         &weights_.at(prefix + "attn.qkv.weight"), &weights_.at(prefix + "attn.qkv.bias"),
                         &weights_.at(prefix + "attn.proj.weight"), &weights_.at(prefix + "attn.proj.bias"),
                         &weights_.at(prefix + "norm_2.weight"), &weights_.at(prefix + "norm_2.bias"),
                         &weights_.at(prefix + "ffn.fc.weight"), &weights_.at(prefix + "ffn.fc.bias"),
                         &weights_.at(prefix + "ffn.proj.weight"), &weights_.at(prefix + "ffn.proj.bias")});
    }
    x_.resize(std::size_t(C_));
    xb_.resize(std::size_t(C_));
    qkv_.resize(std::size_t(3 * C_));
    att_.resize(std::size_t(T_));
    hidden_.resize(std::size_t(F_));
    logits_.resize(std::size_t(V_));
    const auto cache_size = std::size_t(config_.num_layers * B_ * T_ * C_);
    key_cache_.resize(cache_size);
    value_cache_.resize(cache_size);
  }

  /// Greedy decoding of `new_tokens` tokens after one start token, for every row;
  /// returns the tokens of row 0.
  Tokens generate(int start_token, Index new_tokens) {
    EF_CHECK(new_tokens >= 0 && new_tokens <= T_,
             "the plain decoder's cache holds " << T_ << " positions, not " << new_tokens);
    EF_CHECK(start_token >= 0 && start_token < V_, "token " << start_token << " is outside the vocabulary");
    Tokens tokens{start_token};
    std::vector<int> current(std::size_t(B_), start_token);
    for (Index pos = 0; pos < new_tokens; ++pos)
      for (Index b = 0; b < B_; ++b) {
        forward(current[std::size_t(b)], b, pos);
        current[std::size_t(b)] = argmax(logits_.data(), V_);
        if (b == 0) tokens.push_back(current[0]);
      }
    return tokens;
  }

 private:
  struct Layer {
    const std::vector<float>*ln_1_weight, *ln_1_bias, *qkv_weight, *qkv_bias, *proj_weight, *proj_bias, *ln_2_weight,
        *ln_2_bias, *fc_weight, *fc_bias, *fc_proj_weight, *fc_proj_bias;
  };

  static std::vector<float> copy_of(const Matrix<float>& m) { return {m.data(), m.data() + m.size()}; }

  /// The logits of row b's token at position pos, into logits_.
  void forward(int token, Index b, Index pos) {
    const float* wte = weights_.at("wte.weight").data();
    const float* wpe = weights_.at("wpe.weight").data();
    for (Index i = 0; i < C_; ++i) x_[std::size_t(i)] = wte[token * C_ + i] + wpe[pos * C_ + i];
    for (Index l = 0; l < config_.num_layers; ++l) {
      const Layer& w = layers_[std::size_t(l)];
      layer_norm(xb_.data(), x_.data(), w.ln_1_weight->data(), w.ln_1_bias->data());
      matmul(qkv_.data(), xb_.data(), w.qkv_weight->data(), w.qkv_bias->data(), C_, 3 * C_);
      float* keys = key_cache_.data() + ((l * B_ + b) * T_) * C_;
      float* values = value_cache_.data() + ((l * B_ + b) * T_) * C_;
      for (Index i = 0; i < C_; ++i) {
        keys[pos * C_ + i] = qkv_[std::size_t(C_ + i)];
        values[pos * C_ + i] = qkv_[std::size_t(2 * C_ + i)];
      }
      attention(keys, values, pos);  // into xb_
      matmul_add(x_.data(), xb_.data(), w.proj_weight->data(), w.proj_bias->data(), C_, C_);
      layer_norm(xb_.data(), x_.data(), w.ln_2_weight->data(), w.ln_2_bias->data());
      matmul(hidden_.data(), xb_.data(), w.fc_weight->data(), w.fc_bias->data(), C_, F_);
      for (float& h : hidden_) h = gelu(h);
      matmul_add(x_.data(), hidden_.data(), w.fc_proj_weight->data(), w.fc_proj_bias->data(), F_, C_);
    }
    layer_norm(xb_.data(), x_.data(), weights_.at("norm_f.weight").data(), weights_.at("norm_f.bias").data());
    matmul(logits_.data(), xb_.data(), wte, nullptr, C_, V_);  // tied: the head is wte
  }

  /// Every head: softmax(q k^T / sqrt(D)) over positions 0..pos, times v; into xb_.
  void attention(const float* keys, const float* values, Index pos) {
    const Index D = C_ / H_;
    const float scale = 1.0f / std::sqrt(float(D));
    for (Index h = 0; h < H_; ++h) {
      const float* q = qkv_.data() + h * D;
      float max_score = -INFINITY;
      for (Index t = 0; t <= pos; ++t) {
        att_[std::size_t(t)] = dot(q, keys + t * C_ + h * D, D) * scale;
        max_score = std::max(max_score, att_[std::size_t(t)]);
      }
      float sum = 0;
      for (Index t = 0; t <= pos; ++t) sum += att_[std::size_t(t)] = std::exp(att_[std::size_t(t)] - max_score);
      float* out = xb_.data() + h * D;
      for (Index i = 0; i < D; ++i) out[i] = 0;
      for (Index t = 0; t <= pos; ++t) {
        const float weight = att_[std::size_t(t)] / sum;
        const float* v = values + t * C_ + h * D;
#pragma omp simd
        for (Index i = 0; i < D; ++i) out[i] += weight * v[i];
      }
    }
  }

  void layer_norm(float* out, const float* x, const float* weight, const float* bias) const {
    float mean = 0, variance = 0;
    for (Index i = 0; i < C_; ++i) mean += x[i];
    mean /= float(C_);
    for (Index i = 0; i < C_; ++i) variance += (x[i] - mean) * (x[i] - mean);
    const float inverse = 1.0f / std::sqrt(variance / float(C_) + float(config_.norm_eps));
    for (Index i = 0; i < C_; ++i) out[i] = (x[i] - mean) * inverse * weight[i] + bias[i];
  }

  static float dot(const float* a, const float* b, Index n) {
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (Index j = 0; j < n; ++j) sum += a[j] * b[j];
    return sum;
  }

  /// out = W x + b, W (d, n) row-major.
  static void matmul(float* out, const float* x, const float* w, const float* b, Index n, Index d) {
    for (Index i = 0; i < d; ++i) out[i] = (b ? b[i] : 0.0f) + dot(w + i * n, x, n);
  }
  /// out += W x + b: the residual connection.
  static void matmul_add(float* out, const float* x, const float* w, const float* b, Index n, Index d) {
    for (Index i = 0; i < d; ++i) out[i] += b[i] + dot(w + i * n, x, n);
  }

  static float gelu(float x) {      // tanh approximation, as GPT-2
    const float c = 0.7978845608f;  // sqrt(2 / pi)
    return 0.5f * x * (1.0f + std::tanh(c * (x + 0.044715f * x * x * x)));
  }

  static int argmax(const float* values, Index n) {
    Index best = 0;
    for (Index i = 1; i < n; ++i)
      if (values[i] > values[best]) best = i;
    return int(best);
  }

  GPTConfig config_;
  Index C_, H_, V_, T_, F_, B_;
  std::map<std::string, std::vector<float>> weights_;
  std::vector<Layer> layers_;
  std::vector<float> x_, xb_, qkv_, att_, hidden_, logits_, key_cache_, value_cache_;
};

}  // namespace eigenformer::bench
