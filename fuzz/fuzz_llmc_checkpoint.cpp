// llm.c's GPT-2 checkpoint (io/llmc_checkpoint.hpp): a 256-int header, then float32 tensors.
#include "fuzz_input.hpp"

using namespace eigenformer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::write_input(data, size);
  fuzz::expect_clean_failure([&] { load_llmc_checkpoint<float>(path); });
  return 0;
}
