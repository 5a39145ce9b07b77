// Our checkpoint format (io/checkpoint.hpp): header, config, named tensors, optimizer state.
// A mutated file almost never carries a matching CRC-32, so each input is also tried with
// its trailer recomputed: the parser behind the checksum gets fuzzed as well.
#include "fuzz_input.hpp"

using namespace eigenformer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static GPT<float> model(GPTConfig{.vocab_size = 8, .block_size = 4, .num_layers = 1, .num_heads = 1, .channels = 4});
  static AdamW<float> optimizer(model.parameter_list());
  const std::string& path = fuzz::write_input(data, size);
  fuzz::expect_clean_failure([&] { read_checkpoint_info(path); });
  fuzz::expect_clean_failure([&] { load_checkpoint(path, model, &optimizer); });
  if (size >= 4) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::uint32_t checksum = crc32(std::string_view(bytes).substr(0, size - 4));
    bytes.replace(size - 4, 4, reinterpret_cast<const char*>(&checksum), 4);
    const std::string& fixed = fuzz::write_input(reinterpret_cast<const std::uint8_t*>(bytes.data()), size);
    fuzz::expect_clean_failure([&] { read_checkpoint_info(fixed); });
    fuzz::expect_clean_failure([&] { load_checkpoint(fixed, model, &optimizer); });
  }
  return 0;
}
