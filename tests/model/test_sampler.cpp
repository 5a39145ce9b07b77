#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Sampler: greedy takes the argmax, temperature, top-k and top-p shape the distribution") {
  RowVector<double> logits(5);
  logits << 1.0, 3.0, 2.0, 3.0, -1.0;
  Sampler greedy = Sampler::greedy();
  CHECK(greedy.sample(logits) == 1);  // a tie goes to the lower id

  const auto distribution = [&](SamplerOptions options) { return Sampler(options).distribution(logits); };
  const auto p = distribution({1.0, 0, 1.0, 1});
  const double z = std::exp(1) + 2 * std::exp(3) + std::exp(2) + std::exp(-1);
  CHECK(p[2] == doctest::Approx(std::exp(2) / z));

  const auto hot = distribution({100.0, 0, 1.0, 1});  // very high temperature: nearly uniform
  CHECK(hot[4] == doctest::Approx(0.2).epsilon(0.05));

  const auto top2 = distribution({1.0, 2, 1.0, 1});
  CHECK(top2[1] == doctest::Approx(0.5));
  CHECK(top2[3] == doctest::Approx(0.5));
  CHECK(top2[0] + top2[2] + top2[4] == 0.0);

  // top-p 0.8: tokens 1 and 3 hold 2e^3/z = 0.78 < 0.8, so token 2 joins; 0.78 + 0.11 >= 0.8.
  const auto nucleus = distribution({1.0, 0, 0.8, 1});
  CHECK(nucleus[2] > 0.0);
  CHECK(nucleus[0] == 0.0);
  CHECK(nucleus[4] == 0.0);
  CHECK(nucleus[1] + nucleus[2] + nucleus[3] == doctest::Approx(1.0));
}

TEST_CASE("Sampler: draws follow the distribution, the same seed gives the same draws") {
  RowVector<float> logits(3);
  logits << 0.0f, std::log(2.0f), std::log(7.0f);  // probabilities 0.1, 0.2, 0.7
  Sampler sampler({1.0, 0, 1.0, 9}), again({1.0, 0, 1.0, 9});
  std::vector<int> counts(3, 0);
  bool same = true;
  for (int i = 0; i < 20000; ++i) {
    const int token = sampler.sample(logits);
    same = same && token == again.sample(logits);
    ++counts[std::size_t(token)];
  }
  CHECK(same);
  CHECK(counts[0] / 20000.0 == doctest::Approx(0.1).epsilon(0.1));
  CHECK(counts[2] / 20000.0 == doctest::Approx(0.7).epsilon(0.05));
  testing::require_error_mentions([] { Sampler({1.0, 0, 0.0, 1}); }, {"top_p", "(0, 1]"});
  testing::require_error_mentions([] { Sampler({-1.0, 0, 1.0, 1}); }, {"temperature", "-1"});
}

TEST_CASE("Sampler: NaN or infinite logits, or a non-finite temperature, are named errors, not an arbitrary token") {
  RowVector<double> logits(4);
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    logits << 0.5, bad, 1.0, 2.0;
    for (Sampler sampler : {Sampler::greedy(), Sampler({1.0, 0, 1.0, 3}), Sampler({0.7, 2, 0.9, 3})})
      testing::require_error_mentions([&] { sampler.sample(logits); }, {"the logit of token 1 is", "non-finite"});
  }
  testing::require_error_mentions(
      [] {
        Sampler({std::numeric_limits<double>::infinity(), 0, 1.0, 1});
      },
      {"temperature must be finite and >= 0", "inf"});
}
