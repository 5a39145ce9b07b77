// Tokenizer files: ours (character and BPE, text) and llm.c's (binary). Every
// loader reads the same bytes; whatever loads must also decode its whole vocabulary.
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
  return 0;
}
