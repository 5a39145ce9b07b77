// A float layer given to the gradient checker: finite differences need double.
// expect: gradient checks need a layer of double
#include <eigenformer/eigenformer.hpp>

int main() {
  eigenformer::Rng rng(1);
  eigenformer::Linear<float> layer(2, 2, true, rng);
  const eigenformer::Matrix<double> x = eigenformer::Matrix<double>::Ones(1, 2);
  eigenformer::check_layer_gradients(layer, x, rng);
}
