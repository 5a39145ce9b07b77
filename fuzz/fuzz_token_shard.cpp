// llm.c's token shards (data/token_shard.hpp): a 256-int header, then uint16 token ids.
#include "fuzz_input.hpp"

using namespace eigenformer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::write_input(data, size);
  fuzz::expect_clean_failure([&] { read_token_shard(path); });
  return 0;
}
