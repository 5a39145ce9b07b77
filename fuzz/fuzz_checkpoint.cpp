// Our checkpoint format (io/checkpoint.hpp): header, config, named tensors, optimizer state.
#include "fuzz_input.hpp"

using namespace eigenformer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static GPT<float> model(GPTConfig{.vocab_size = 8, .block_size = 4, .num_layers = 1, .num_heads = 1, .channels = 4});
  static AdamW<float> optimizer(model.parameter_list());
  const std::string& path = fuzz::write_input(data, size);
  fuzz::expect_clean_failure([&] { read_checkpoint_info(path); });
  fuzz::expect_clean_failure([&] { load_checkpoint(path, model, &optimizer); });
  return 0;
}
