#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Proportion: the 95% Wilson interval, also at 0 of n and n of n") {
  const Proportion half{50, 100};
  CHECK(half.value() == doctest::Approx(0.5));
  CHECK(half.interval_95().first == doctest::Approx(0.4038).epsilon(1e-3));
  CHECK(half.interval_95().second == doctest::Approx(0.5962).epsilon(1e-3));
  const Proportion none{0, 10}, all{10, 10};
  CHECK(none.interval_95().first == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(none.interval_95().second == doctest::Approx(0.2775).epsilon(1e-3));  // not a point at 0
  CHECK(all.interval_95().first == doctest::Approx(0.7225).epsilon(1e-3));
  CHECK(all.text() == "1.000 [0.722, 1.000]");
  Proportion counted;
  for (int i = 0; i < 4; ++i) counted.add(i % 2 == 0);
  CHECK(counted.successes == 2);
  CHECK(counted.trials == 4);
  CHECK(std::isnan(Proportion{}.value()));
  CHECK(std::isnan(Proportion{}.interval_95().first));
  testing::require_error_mentions([] { (void)Proportion{5, 4}.value(); }, {"5 successes in 4 trials"});
  testing::require_error_mentions([] { (void)Proportion{-1, 4}.interval_95(); }, {"-1 successes"});
}
