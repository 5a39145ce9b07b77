#include "test_helpers.hpp"

using namespace eigenformer;

namespace {
Parameter<double> matrix_parameter(const std::string& name, std::initializer_list<double> values) {
  Parameter<double> p(name, 2, Index(values.size()) / 2);
  Index i = 0;
  for (double v : values) p.value.data()[i++] = v;
  return p;
}
}  // namespace

TEST_CASE("Adam: the first steps move each weight by lr * sign(g), bias correction counts steps, not tensors") {
  auto a = matrix_parameter("a", {1.0, -2.0, 3.0, 0.5});
  auto b = matrix_parameter("b", {1.0, 1.0, 1.0, 1.0});
  AdamOptions options;
  options.lr = 0.1;
  Adam<double> adam(std::vector<Parameter<double>*>{&a, &b}, options);
  for (int step = 1; step <= 2; ++step) {
    a.grad << 0.5, -0.1, 2.0, -3.0;
    b.grad << 1e-3, 1e-3, 1e-3, 1e-3;
    adam.step();
    // With a constant gradient, m_hat = g and v_hat = g^2 at every step: w moves by lr * g / |g|.
    CHECK(a.value(0, 0) == doctest::Approx(1.0 - 0.1 * step));
    CHECK(a.value(0, 1) == doctest::Approx(-2.0 + 0.1 * step));
    CHECK(b.value(1, 1) == doctest::Approx(1.0 - 0.1 * step));  // the second tensor sees step t too
  }
  CHECK(adam.step_count() == 2);
}

TEST_CASE("AdamW decays weights directly, Adam folds decay into the gradient, vectors are not decayed") {
  auto w = matrix_parameter("w", {1.0, 1.0, 1.0, 1.0});
  Parameter<double> bias("bias", 4);
  bias.value.setOnes();
  AdamWOptions options;
  options.lr = 0.1;
  options.weight_decay = 0.1;
  AdamW<double> adamw(std::vector<Parameter<double>*>{&w, &bias}, options);
  adamw.step();  // zero gradients: only the decay acts
  CHECK(w.value(0, 0) == doctest::Approx(1.0 * (1 - 0.1 * 0.1)));
  CHECK(bias.value(0, 0) == 1.0);

  auto v = matrix_parameter("v", {1.0, 1.0, 1.0, 1.0});
  AdamOptions l2;
  l2.lr = 0.1;
  l2.weight_decay = 0.1;
  Adam<double> adam(std::vector<Parameter<double>*>{&v}, l2);
  adam.step();  // g = 0 + 0.1 * w: Adam normalizes it to a full lr step
  CHECK(v.value(0, 0) == doctest::Approx(0.9));
}

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

TEST_CASE("WarmupCosineSchedule: linear warmup, cosine to the floor, then the floor") {
  const WarmupCosineSchedule schedule{1.0, 10, 110, 0.1};
  CHECK(schedule(0) == doctest::Approx(0.1));
  CHECK(schedule(9) == doctest::Approx(1.0));
  CHECK(schedule(10) == doctest::Approx(1.0));
  CHECK(schedule(60) == doctest::Approx(0.55));
  CHECK(schedule(110) == doctest::Approx(0.1));
  CHECK(schedule(500) == doctest::Approx(0.1));
  CHECK(ConstantSchedule{0.3}(77) == 0.3);
  testing::require_error_mentions([] { WarmupCosineSchedule{1.0, 10, 10, 0.0}(0); }, {"warmup_steps (10)"});
}

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

TEST_CASE("default_parameter_groups: matrices decay, vectors do not") {
  GPT<float> model(GPTConfig::nano());
  const auto groups = default_parameter_groups(model.parameter_list(), 0.1);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].weight_decay == 0.1);
  CHECK(groups[1].weight_decay == 0.0);
  REQUIRE_FALSE(groups[0].parameters.empty());
  REQUIRE_FALSE(groups[1].parameters.empty());
  for (auto* p : groups[0].parameters) CHECK(p->is_matrix());
  for (auto* p : groups[1].parameters) {
    CHECK_FALSE(p->is_matrix());
    CHECK((p->name.find("bias") != std::string::npos || p->name.find("norm") != std::string::npos));
  }
  CHECK(groups[0].parameters.size() + groups[1].parameters.size() == model.parameter_list().size());
  CHECK(groups[0].parameters.front()->name == "wte.weight");
}
