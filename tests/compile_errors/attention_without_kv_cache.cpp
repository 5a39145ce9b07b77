// A student's attention that trains but cannot generate (no forward with a KV cache):
// the block names the concept it breaks.
// expect: AttentionLayer
#include <eigenformer/eigenformer.hpp>

using namespace eigenformer;

struct TrainOnlyAttention {
  using Scalar = float;
  static constexpr bool kRotary = false;
  struct Saved {};
  TrainOnlyAttention(const GPTConfig&, Rng&, const std::string&) {}
  Matrix<float> forward(const Matrix<float>& x, Index, Index, Saved&) const { return x; }
  Matrix<float> backward(Saved&, const Matrix<float>& dy) { return dy; }
  template <class Visit>
  void parameters(Visit&&) {}
};

int main() {
  Rng rng(1);
  TransformerBlock<float, LayerNorm<float>, TrainOnlyAttention, MLP<float>> block(GPTConfig{}, rng);
}
