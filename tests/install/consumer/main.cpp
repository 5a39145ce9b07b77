#include <eigenformer/eigenformer.hpp>
#include <iostream>

int main() {
  eigenformer::Rng rng(1);
  eigenformer::LayerNorm<float> norm(8);
  eigenformer::Matrix<float> x(2, 8);
  eigenformer::fill_normal(x, 1.0, rng);
  const eigenformer::Matrix<float> y = norm.forward(x);
  std::cout << "consumer ok, mean of a normalized row: " << y.row(0).mean() << "\n";
  return std::abs(y.row(0).mean()) < 1e-5f ? 0 : 1;
}
