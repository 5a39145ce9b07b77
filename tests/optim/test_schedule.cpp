#include "test_helpers.hpp"

using namespace eigenformer;

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
