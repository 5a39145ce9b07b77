#include "test_helpers.hpp"

using namespace eigenformer;

namespace {
/// An llm.c tokenizer file (version 2) holding the given tokens.
std::vector<char> tokenizer_file(const std::vector<std::string>& tokens, std::uint32_t end_of_text) {
  std::vector<char> bytes(1024, 0);
  testing::poke<std::uint32_t>(bytes, 0, 20240328);
  testing::poke<std::uint32_t>(bytes, 4, 2);
  testing::poke<std::uint32_t>(bytes, 8, std::uint32_t(tokens.size()));
  testing::poke<std::uint32_t>(bytes, 12, end_of_text);
  for (const auto& token : tokens) {
    bytes.push_back(char(token.size()));
    bytes.insert(bytes.end(), token.begin(), token.end());
  }
  return bytes;
}
}  // namespace

TEST_CASE("llm.c tokenizer: decodes, bad files are clear errors") {
  const std::string path = testing::scratch_path("tokenizer.bin");
  const auto good = tokenizer_file({"Hello", ",", " world", "<|endoftext|>"}, 3);
  testing::write_file(path, good);
  const LlmcTokenizer tokenizer = LlmcTokenizer::load(path);
  CHECK(tokenizer.vocab_size() == 4);
  CHECK(tokenizer.end_of_text() == 3);
  CHECK(tokenizer.decode({0, 1, 2}) == "Hello, world");
  testing::require_error_mentions([&] { tokenizer.decode({4}); }, {"token id 4"});

  const auto load_bad = [&](std::vector<char> bytes, const std::vector<std::string>& fragments) {
    testing::write_file(path, bytes);
    testing::require_error_mentions([&] { LlmcTokenizer::load(path); }, fragments);
  };
  load_bad({good.begin(), good.end() - 3}, {"truncated", "token 3"});
  load_bad({good.begin(), good.begin() + 200}, {"truncated", "header"});
  auto bytes = good;
  testing::poke<std::uint32_t>(bytes, 0, 7);
  load_bad(bytes, {"not an llm.c tokenizer"});
  bytes = good;
  testing::poke<std::uint32_t>(bytes, 4, 9);
  load_bad(bytes, {"version 9"});
  bytes = good;
  testing::poke<std::uint32_t>(bytes, 8, 4000000000u);
  load_bad(bytes, {"declares 4000000000 tokens"});
  load_bad(tokenizer_file({"a", "b"}, 5), {"end-of-text id 5"});
}
