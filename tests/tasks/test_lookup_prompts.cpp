#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("LookupPrompts: encode/decode, random prompts, and unknown characters") {
  CHECK(LookupPrompts::vocab_size() == 64);
  CHECK(LookupPrompts::decode(LookupPrompts::encode("a3 b7 c1 b")) == "a3 b7 c1 b");
  Rng rng(4);
  const auto prompt = LookupPrompts::random_prompt(5, true, rng);
  CHECK(prompt.text.size() == 16);
  const char key = prompt.text.back();
  bool found = false;
  for (std::size_t c = 0; c + 1 < prompt.text.size(); c += 3)
    if (prompt.text[c] == key) {
      found = true;
      CHECK(prompt.text[c + 1] == prompt.answer);
    }
  CHECK(found);
  const auto absent = LookupPrompts::random_prompt(5, false, rng);
  for (std::size_t c = 0; c + 1 < absent.text.size(); c += 3) CHECK(absent.text[c] != absent.text.back());
  testing::require_error_mentions([] { LookupPrompts::encode("a3 ?"); }, {"'?'", "alphabet"});
  testing::require_error_mentions([] { LookupPrompts::decode({64}); }, {"token 64"});
}

TEST_CASE("LookupPrompts: a reassigned key appears twice with different digits, then is the query") {
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const auto prompt = LookupPrompts::reassigned_prompt(6, rng);
    REQUIRE(prompt.text.size() == 19);
    const char key = prompt.text.back();
    std::string values;
    std::set<char> keys;
    for (std::size_t c = 0; c + 1 < prompt.text.size(); c += 3) {
      keys.insert(prompt.text[c]);
      if (prompt.text[c] == key) values += prompt.text[c + 1];
    }
    CHECK(keys.size() == 5);  // six pairs, one key twice
    REQUIRE(values.size() == 2);
    CHECK(values[0] == prompt.earliest);
    CHECK(values[1] == prompt.latest);
    CHECK(prompt.earliest != prompt.latest);
  }
  testing::require_error_mentions([&] { LookupPrompts::reassigned_prompt(1, rng); }, {"at least 2"});
}
