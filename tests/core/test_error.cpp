#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("EF_CHECK throws eigenformer::Error with the values spliced into the message") {
  const int width = 10, heads = 3;
  CHECK_NOTHROW(EF_CHECK(width > heads, "never"));
  CHECK_THROWS_WITH_AS(EF_CHECK(width % heads == 0, "width " << width << " is not divisible by " << heads),
                       "width 10 is not divisible by 3", Error);
  CHECK_THROWS_AS(EF_CHECK(false, "x"), std::runtime_error);  // catchable as a standard error too
}

TEST_CASE("child_name joins dotted names") {
  CHECK(child_name("", "wte") == "wte");
  CHECK(child_name("blocks.0", "attn") == "blocks.0.attn");
}

TEST_CASE("Parameter knows matrices from vectors, and zero_grad clears the gradient") {
  Parameter<float> matrix("w", 3, 4), vector("b", 4);
  CHECK(matrix.is_matrix());
  CHECK_FALSE(vector.is_matrix());
  CHECK(matrix.size() == 12);
  matrix.grad.setOnes();
  matrix.zero_grad();
  CHECK(matrix.grad.isZero());
}

TEST_CASE("set_num_threads rejects a count below one") {
  testing::require_error_mentions([] { set_num_threads(0); }, {"at least 1", "0"});
  set_num_threads(1);
  CHECK(num_threads() >= 1);
}
