// The engine borrows its tokenizer; a temporary one would be destroyed at the end of
// the statement and every later reply would read freed memory. The compiler refuses it.
// expect: would dangle
#include <eigenformer/eigenformer.hpp>

using namespace eigenformer;

CharTokenizer chat_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text("0123456789+");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

int main() {
  const CharTokenizer tokenizer = chat_tokenizer();
  GPT<float> model(GPTConfig{.vocab_size = tokenizer.vocab_size(), .block_size = 16});
  Engine engine(model, chat_tokenizer(), {});
}
