#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("clip_grad_norm: returns the norm before clipping and scales to max_norm") {
  Parameter<double> a("a", 2), b("b", 2);
  a.grad << 3, 0;
  b.grad << 0, 4;
  std::vector<Parameter<double>*> parameters{&a, &b};
  CHECK(clip_grad_norm(parameters, 10.0) == doctest::Approx(5.0));
  CHECK(a.grad(0, 0) == 3.0);  // below the limit: untouched
  CHECK(clip_grad_norm(parameters, 1.0) == doctest::Approx(5.0));
  CHECK(std::sqrt(a.grad.squaredNorm() + b.grad.squaredNorm()) == doctest::Approx(1.0));
}
