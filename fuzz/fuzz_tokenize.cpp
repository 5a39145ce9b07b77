// encode and decode on arbitrary bytes. Byte-level BPE must round-trip any bytes;
// the character tokenizer must round-trip valid UTF-8 of its alphabet and reject the
// rest with a message; decoding arbitrary ids must reject those outside the vocabulary.
#include <cstdlib>

#include "fuzz_input.hpp"

using namespace eigenformer;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

const BPETokenizer& bpe() {
  static const BPETokenizer tokenizer = [] {
    BPETokenizer t;
    t.train("the cat sat on the mat; the dog sat on the log. \xc3\xa9t\xc3\xa9 caf\xc3\xa9 <|endoftext|>", 290);
    t.add_special_token("<|endoftext|>");
    return t;
  }();
  return tokenizer;
}

Tokens ids_from(const std::uint8_t* data, std::size_t size) {
  Tokens ids;
  for (std::size_t i = 0; i + 1 < size; i += 2) ids.push_back(int(std::int16_t(data[i] | data[i + 1] << 8)));
  return ids;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  require(bpe().decode(bpe().encode_ordinary(text)) == text);
  fuzz::expect_clean_failure([&] { require(bpe().decode(bpe().encode(text, {"<|endoftext|>"})) == text); });
  fuzz::expect_clean_failure([&] { bpe().decode(ids_from(data, size)); });

  static const CharTokenizer characters =
      CharTokenizer::from_text("abc \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");  // a b c space é € 😀
  fuzz::expect_clean_failure([&] { require(characters.decode(characters.encode(text)) == text); });
  fuzz::expect_clean_failure([&] { characters.decode(ids_from(data, size)); });
  return 0;
}
