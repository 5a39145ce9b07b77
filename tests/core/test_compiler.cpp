// The compiler this tree builds with, checked where it once went wrong. GCC 12.2 with
// AVX-512 (-march=native on an AMD EPYC) passed the aggregate {2, 2, 0, 0} to a function
// as {2, 2, 2, 2}: its SLP vectorizer built the four values with one broadcast. It was
// found when a test's Phrasing{2, 2, 0, 0} arrived as {2, 2, 2, 2}.
// cmake/eigenformerSpeed.cmake turns SLP vectorization off for GCC before 12.3 with
// -march=native; this test fails on a build where that workaround is missing.
#include "test_helpers.hpp"

namespace {

struct FourValues {
  long a = 0, b = 0, c = 0, d = 0;
};

[[gnu::noinline]] long weighted(FourValues v) { return v.a + 10 * v.b + 100 * v.c + 1000 * v.d; }

}  // namespace

TEST_CASE("The compiler passes a four-value aggregate as written (GCC 12.2 with AVX-512 did not)") {
  CHECK(weighted({2, 2, 0, 0}) == 22);
  CHECK(weighted({2, 2, 1, 2}) == 2122);
  CHECK(weighted({7, 7, 7, 0}) == 777);
}
