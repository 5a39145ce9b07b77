// Tokenizer files: ours (character and BPE, text) and llm.c's (binary). Every
// loader reads the same bytes; whatever loads must also decode its whole vocabulary.
// Each input is also tried with a correct checksum line in place of its last line, so
// that the parsers behind the checksum get fuzzed too.
#include "fuzz_input.hpp"

using namespace eigenformer;

template <class Tokenizer>
void decode_everything(const Tokenizer& tokenizer) {
  Tokens all(static_cast<std::size_t>(tokenizer.vocab_size()));
  for (std::size_t id = 0; id < all.size(); ++id) all[id] = int(id);
  tokenizer.decode(all);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::write_input(data, size);
  fuzz::expect_clean_failure([&] { decode_everything(CharTokenizer::load(path)); });
  fuzz::expect_clean_failure([&] { decode_everything(BPETokenizer::load(path)); });
  fuzz::expect_clean_failure([&] { decode_everything(LlmcTokenizer::load(path)); });
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t last_line = text.size() >= 2 ? text.rfind('\n', text.size() - 2) : std::string::npos;
  text = with_checksum_line(last_line == std::string::npos ? std::string() : text.substr(0, last_line + 1));
  const std::string& fixed = fuzz::write_input(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  fuzz::expect_clean_failure([&] { decode_everything(CharTokenizer::load(fixed)); });
  fuzz::expect_clean_failure([&] { decode_everything(BPETokenizer::load(fixed)); });
  return 0;
}
