// The engine borrows its model; a temporary one would be destroyed at the end of the
// statement, with the weights every later reply reads. The compiler refuses it.
// expect: would dangle
#include <eigenformer/eigenformer.hpp>

using namespace eigenformer;

int main() {
  CharTokenizer tokenizer = CharTokenizer::from_text("0123456789+");
  ChatTokens::add_to(tokenizer);
  Engine engine(GPT<float>(GPTConfig{.vocab_size = tokenizer.vocab_size(), .block_size = 16}), tokenizer, {});
}
