#include "test_helpers.hpp"

using namespace eigenformer;

namespace {
std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> chunks;
  for (auto chunk : pre_split(text)) chunks.emplace_back(chunk);
  return chunks;
}
}  // namespace

TEST_CASE("pre_split: GPT-2's chunks, written by hand") {
  CHECK(split("Hello world") == std::vector<std::string>{"Hello", " world"});
  CHECK(split("I'll say: it's 2024!!") ==
        std::vector<std::string>{"I", "'ll", " say", ":", " it", "'s", " 2024", "!!"});
  CHECK(split("a   b") == std::vector<std::string>{"a", "  ", " b"});
  CHECK(split("x\n\ny  ") == std::vector<std::string>{"x", "\n", "\n", "y", "  "});
  CHECK(split("café 😀😀") == std::vector<std::string>{"café", " 😀😀"});
  for (const std::string text : {"", "  lots   of\tspace \n", "\xFF\xFEzz \x80", "it's 'quoted' ok"}) {
    std::string joined;
    for (const auto& chunk : split(text)) joined += chunk;
    CHECK(joined == text);  // nothing lost, nothing added
  }
}

TEST_CASE("BPE: the classic case, aaabdaaabac with 3 merges") {
  BPETokenizer tokenizer;
  tokenizer.train("aaabdaaabac", 256 + 3);
  CHECK(tokenizer.encode("aaabdaaabac") == Tokens{258, 100, 258, 97, 99});
  CHECK(tokenizer.merges().front() == std::pair<int, int>{97, 97});
  CHECK(tokenizer.token_bytes(258) == "aaab");
}

TEST_CASE("BPE: decode(encode(s)) == s for text, UTF-8, emoji, empty and random bytes") {
  BPETokenizer tokenizer;
  const std::string corpus = "the cat sat on the mat. The cats, they sat! It's 2024 — café ☕ 😀 こんにちは";
  tokenizer.train(corpus + corpus + corpus, 300);
  CHECK(tokenizer.vocab_size() == 300);
  for (const std::string s :
       {"", "the cat", "It's the mat.", "naïve café ☕", "😀👍🏽", "こんにちは世界", "\n\t  x"})
    CHECK(tokenizer.decode(tokenizer.encode(s)) == s);
  CHECK(tokenizer.encode("the cat").size() < std::string("the cat").size());  // merges apply
  Rng rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes(std::size_t(rng.uniform_int(40)), '\0');
    for (char& c : bytes) c = char(rng.uniform_int(256));
    CHECK(tokenizer.decode(tokenizer.encode_ordinary(bytes)) == bytes);
  }
  testing::require_error_mentions([&] { tokenizer.decode({300}); }, {"token id 300", "[0, 300)"});
  testing::require_error_mentions([] { BPETokenizer().train("abc", 100); }, {"at least 256", "100"});
}

TEST_CASE("BPE: special tokens are refused in ordinary text unless allowed") {
  BPETokenizer tokenizer;
  tokenizer.train("hello world hello world", 260);
  const int end_of_text = tokenizer.add_special_token("<|endoftext|>");
  CHECK(end_of_text == 260);
  CHECK(tokenizer.special_token_id("<|endoftext|>") == 260);
  const std::string text = "hello<|endoftext|>world";
  testing::require_error_mentions([&] { tokenizer.encode(text); }, {"special token \"<|endoftext|>\"", "byte 5"});
  const Tokens with_special = tokenizer.encode(text, {"<|endoftext|>"});
  CHECK(std::count(with_special.begin(), with_special.end(), end_of_text) == 1);
  CHECK(tokenizer.decode(with_special) == text);
  const Tokens ordinary = tokenizer.encode_ordinary(text);  // just bytes: no special id appears
  CHECK(std::count(ordinary.begin(), ordinary.end(), end_of_text) == 0);
  CHECK(tokenizer.decode(ordinary) == text);
  testing::require_error_mentions([&] { tokenizer.add_special_token("<|endoftext|>"); }, {"registered already"});
}

TEST_CASE("BPE: save and load reproduce the encoding, bad files are errors") {
  const std::string path = testing::scratch_path("bpe.txt"), bad = testing::scratch_path("bad_bpe.txt");
  BPETokenizer tokenizer;
  tokenizer.train("low lower lowest newer wider low low", 270);
  tokenizer.add_special_token("<|pad|>");
  tokenizer.save(path);
  const BPETokenizer loaded = BPETokenizer::load(path);
  const std::string sample = "lowest lower newer<|pad|>";
  CHECK(loaded.encode(sample, {"<|pad|>"}) == tokenizer.encode(sample, {"<|pad|>"}));
  CHECK(loaded.vocab_size() == 271);

  const auto contents = testing::read_file(path);
  std::string text(contents.begin(), contents.end());
  testing::write_file(bad, {contents.begin(), contents.begin() + 60});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"truncated or corrupt", "crc32"});
  std::string changed = text;
  changed[changed.find("\n", 40) - 1] ^= 1;  // one merge's second id, one bit off
  testing::write_file(bad, {changed.begin(), changed.end()});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"is corrupt", "CRC-32"});

  // Version 1 files, without the checksum line, still load, and their structure is checked.
  std::string version1 = text.substr(0, text.rfind("crc32 "));
  version1.replace(0, BPETokenizer::kHeader.size(), BPETokenizer::kHeaderVersion1);
  testing::write_file(bad, {version1.begin(), version1.end()});
  CHECK(BPETokenizer::load(bad).encode(sample, {"<|pad|>"}) == tokenizer.encode(sample, {"<|pad|>"}));
  testing::write_file(bad, {version1.begin(), version1.begin() + 60});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"truncated or corrupt at merge"});
  testing::write_file(bad, {'b', 'a', 'd', '\n'});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"not a BPE tokenizer"});
  const std::string no_end = std::string(BPETokenizer::kHeaderVersion1) + "\nmerges 1\n97 98\nspecial 0\n";
  testing::write_file(bad, {no_end.begin(), no_end.end()});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"no \"end\""});
  const std::string future_merge = std::string(BPETokenizer::kHeaderVersion1) + "\nmerges 1\n256 97\nspecial 0\nend\n";
  testing::write_file(bad, {future_merge.begin(), future_merge.end()});
  testing::require_error_mentions([&] { BPETokenizer::load(bad); }, {"corrupt at merge 0"});
}

TEST_CASE("BPE: the fingerprint is the vocabulary's: equal for a loaded copy, different for another tokenizer") {
  const std::string path = testing::scratch_path("fingerprint_bpe.txt");
  BPETokenizer tokenizer, other;
  tokenizer.train("low lower lowest newer wider low low", 270);
  other.train("the cat sat on the mat with the hat", 270);
  tokenizer.save(path);
  CHECK(BPETokenizer::load(path).fingerprint() == tokenizer.fingerprint());
  CHECK(other.fingerprint() != tokenizer.fingerprint());
  CHECK(other.vocab_size() == tokenizer.vocab_size());  // same size, different tokens: what the fingerprint tells apart
}

TEST_CASE("BPE: a megabyte without spaces trains in bounded time and memory, its chunks capped") {
  Rng rng(5);
  std::string letters, chinese;
  while (letters.size() < 1000000) letters += char('a' + rng.uniform_int(26));
  while (chinese.size() < 1000000) chinese += encode_utf8(char32_t(0x4E00 + rng.uniform_int(400)));
  for (const std::string& text : {letters, chinese}) {
    for (std::string_view chunk : pre_split(text)) REQUIRE(chunk.size() <= kMaxChunkBytes);
    BPETokenizer tokenizer;
    tokenizer.train(text, 256 + 300);  // 400+ s and 1.7 GB before chunks were capped; now about a second
    CHECK(tokenizer.merges().size() == 300);
    const std::string sample = text.substr(0, 3000);
    CHECK(tokenizer.decode(tokenizer.encode(sample)) == sample);
    CHECK(tokenizer.encode(sample).size() < sample.size());  // the merges compress it
  }
  CHECK(pre_split(std::string(200, 'a')) == std::vector<std::string_view>{std::string(64, 'a'), std::string(64, 'a'),
                                                                          std::string(64, 'a'), std::string(8, 'a')});
}
