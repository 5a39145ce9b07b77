// The tokens of a mapped shard live in its mapping: a span taken from a temporary shard
// would point into unmapped pages, so the compiler refuses it.
// expect: deleted
#include <eigenformer/data/token_shard.hpp>

int main() {
  const auto tokens = eigenformer::MappedTokenShard("train.bin").tokens();
  return int(tokens.size());
}
