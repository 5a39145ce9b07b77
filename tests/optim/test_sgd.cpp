#include "test_helpers.hpp"

using namespace eigenformer;
using testing::matrix_parameter;

TEST_CASE("SGD: plain, momentum and Nesterov steps by hand") {
  const auto run = [](SGDOptions options) {
    auto w = matrix_parameter("w", {1.0, 1.0});
    SGD<double> sgd(std::vector<Parameter<double>*>{&w}, options);
    std::vector<double> values;
    for (int i = 0; i < 2; ++i) {
      w.grad.setOnes();
      sgd.step();
      values.push_back(w.value(0, 0));
    }
    return values;
  };
  const auto plain = run({0.1, 0.0, 0.0, 0.0, false});
  CHECK(plain[1] == doctest::Approx(0.8));
  const auto momentum = run({0.1, 0.9, 0.0, 0.0, false});  // buffers 1, 1.9
  CHECK(momentum[0] == doctest::Approx(0.9));
  CHECK(momentum[1] == doctest::Approx(0.71));
  const auto nesterov = run({0.1, 0.9, 0.0, 0.0, true});  // steps 1 + 0.9*1, 1 + 0.9*1.9
  CHECK(nesterov[0] == doctest::Approx(0.81));
  CHECK(nesterov[1] == doctest::Approx(0.539));
  const auto decay = run({0.1, 0.0, 0.0, 0.5, false});  // g = 1 + 0.5 w
  CHECK(decay[0] == doctest::Approx(1 - 0.1 * 1.5));
  testing::require_error_mentions([&] { run({0.1, 0.0, 0.0, 0.0, true}); }, {"Nesterov", "momentum"});
}
