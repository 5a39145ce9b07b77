#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("UTF-8: decode and encode code points of every length, invalid bytes are errors") {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  const auto code_points = decode_utf8(text);
  CHECK(code_points == std::vector<char32_t>{U'a', 0xE9, 0x20AC, 0x1F600});
  std::string again;
  for (char32_t c : code_points) again += encode_utf8(c);
  CHECK(again == text);
  testing::require_error_mentions([] { decode_utf8("ok\x80"); }, {"invalid UTF-8 at byte 2"});
  testing::require_error_mentions([] { decode_utf8("\xC3"); }, {"byte 0"});              // truncated
  testing::require_error_mentions([] { decode_utf8("\xC0\xAF"); }, {"byte 0"});          // overlong '/'
  testing::require_error_mentions([] { decode_utf8("\xED\xA0\x80"); }, {"byte 0"});      // surrogate
  testing::require_error_mentions([] { decode_utf8("\xF4\x90\x80\x80"); }, {"byte 0"});  // past U+10FFFF
  CHECK_NOTHROW(check_utf8(text, "words.txt"));
  testing::require_error_mentions([] { check_utf8("one\ntwo\nth\xFFree", "words.txt"); },
                                  {"'words.txt' is not UTF-8", "invalid byte 0xff at byte 10 (line 3)"});
}

TEST_CASE("CharTokenizer: sorted distinct characters, round trips, clear errors") {
  const CharTokenizer tokenizer = CharTokenizer::from_text("hello wörld 😀");
  CHECK(tokenizer.vocab_size() == 10);
  CHECK(tokenizer.encode("hell") == Tokens{3, 2, 4, 4});  // vocabulary: ' ' d e h l o r w ö 😀
  for (const std::string s : {"", "hello", "wörld 😀", "😀😀 lol"}) CHECK(tokenizer.decode(tokenizer.encode(s)) == s);
  testing::require_error_mentions([&] { tokenizer.encode("hex"); }, {"'x'", "not in the vocabulary"});
  testing::require_error_mentions([&] { tokenizer.encode("h\xFF"); }, {"invalid UTF-8 at byte 1"});
  testing::require_error_mentions([&] { tokenizer.decode({10}); }, {"token id 10", "[0, 10)"});
  testing::require_error_mentions([] { CharTokenizer::from_text("\xE2\x82"); }, {"invalid UTF-8"});
}

TEST_CASE("CharTokenizer: save and load give the same encoding, bad files are errors") {
  const std::string path = testing::scratch_path("chars.txt"), bad = testing::scratch_path("bad_chars.txt");
  const CharTokenizer tokenizer = CharTokenizer::from_text("abc déf 😀\n");
  tokenizer.save(path);
  const CharTokenizer loaded = CharTokenizer::load(path);
  CHECK(loaded.encode("déf 😀\nabc") == tokenizer.encode("déf 😀\nabc"));

  const auto contents = testing::read_file(path);
  testing::write_file(bad, {contents.begin(), contents.end() - 4});
  testing::require_error_mentions([&] { CharTokenizer::load(bad); }, {"truncated or corrupt"});
  testing::write_file(bad, {'x', '\n'});
  testing::require_error_mentions([&] { CharTokenizer::load(bad); }, {"not a char tokenizer"});
  testing::require_error_mentions([&] { CharTokenizer::load(bad + ".none"); }, {"cannot open"});
}

TEST_CASE("CharTokenizer: special tokens after the characters, a checksum, and version 1 and 2 files load") {
  const std::string path = testing::scratch_path("chars_special.txt"), old = testing::scratch_path("chars_v1.txt");
  CharTokenizer tokenizer = CharTokenizer::from_text("<|>abdos");  // < > a b d o s |
  const int bos = tokenizer.add_special_token("<|bos|>");
  CHECK(bos == 8);
  CHECK(tokenizer.vocab_size() == 9);
  CHECK(tokenizer.decode({bos, 2}) == "<|bos|>a");
  CHECK(tokenizer.encode_ordinary("<|bos|>").size() == 7);  // characters, not the token
  testing::require_error_mentions([&] { tokenizer.encode("a<|bos|>"); }, {"special token \"<|bos|>\"", "byte 1"});
  CHECK(tokenizer.encode("a<|bos|>", {"<|bos|>"}) == Tokens{2, bos});
  tokenizer.save(path);
  const CharTokenizer loaded = CharTokenizer::load(path);
  CHECK(loaded.special_token_id("<|bos|>") == bos);
  CHECK(loaded.vocab_size() == 9);
  testing::write_file(
      old, {'e', 'i', 'g', 'e', 'n', 'f', 'o', 'r',  'm', 'e',  'r', ' ', 'c',  'h', 'a', 'r',  ' ', 't', 'o', 'k', 'e',
            'n', 'i', 'z', 'e', 'r', ' ', '1', '\n', '2', '\n', '9', '7', '\n', '9', '8', '\n', 'e', 'n', 'd', '\n'});
  CHECK(CharTokenizer::load(old).decode({0, 1}) == "ab");
  const std::vector<char> bytes = testing::read_file(path);
  std::string saved(bytes.begin(), bytes.end());
  std::string bad = saved;
  bad[bad.find("\n") + 1] ^= 1;  // the character count, one bit off
  testing::write_file(old, {bad.begin(), bad.end()});
  testing::require_error_mentions([&] { CharTokenizer::load(old); }, {"is corrupt", "CRC-32"});
  // Version 2 (no checksum line) still loads; its structure is checked line by line.
  saved = saved.substr(0, saved.rfind("crc32 "));
  saved.replace(0, CharTokenizer::kHeader.size(), CharTokenizer::kHeaderVersion2);
  testing::write_file(old, {saved.begin(), saved.end()});
  CHECK(CharTokenizer::load(old).special_token_id("<|bos|>") == bos);
  bad = saved;
  bad.replace(bad.find("special 1"), 9, "special x");
  testing::write_file(old, {bad.begin(), bad.end()});
  testing::require_error_mentions([&] { CharTokenizer::load(old); }, {"expected a line \"special <count>\""});
  bad = saved.substr(0, saved.find("<|bos|>"));  // cut before the special token's line
  testing::write_file(old, {bad.begin(), bad.end()});
  testing::require_error_mentions([&] { CharTokenizer::load(old); }, {"truncated at special token 0 of 1"});
}
