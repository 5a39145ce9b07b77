#include "test_helpers.hpp"

using namespace eigenformer;
using testing::require_error_mentions;

namespace {
GPTConfig llmc_config() { return {.vocab_size = 50, .block_size = 8, .num_layers = 2, .num_heads = 2, .channels = 8}; }
}  // namespace

TEST_CASE("llm.c checkpoint: save then load gives the same model and the same logits") {
  const std::string path = testing::scratch_path("gpt2.bin");
  GPT<float> model(llmc_config(), 3);
  Rng rng(4);
  testing::randomize_parameters(model, rng, 0.2);
  save_llmc_checkpoint(path, model);
  const auto bytes = testing::read_file(path);
  const std::size_t floats = 128 * 8 + 8 * 8 + 2 * (12 * 64 + 13 * 8) + 2 * 8;
  CHECK(bytes.size() == 1024 + 4 * floats);

  GPT<float> loaded = load_llmc_checkpoint<float>(path);
  CHECK(loaded.config().vocab_size == 50);
  const Tokens tokens{1, 49, 7, 0, 3};
  const Matrix<float> expected = model.forward(tokens, 1, 5);
  CHECK(loaded.forward(tokens, 1, 5) == expected);
}

TEST_CASE("llm.c checkpoint: bad files are clear errors") {
  const std::string path = testing::scratch_path("good.bin"), bad = testing::scratch_path("bad.bin");
  GPT<float> model(llmc_config(), 3);
  save_llmc_checkpoint(path, model);
  const auto good = testing::read_file(path);
  const auto load_bad = [&](std::vector<char> bytes, const std::vector<std::string>& fragments) {
    testing::write_file(bad, bytes);
    require_error_mentions([&] { load_llmc_checkpoint<float>(bad); }, fragments);
  };
  std::vector<char> bytes = good;
  testing::poke<std::int32_t>(bytes, 0, 123);
  load_bad(bytes, {"not an llm.c GPT-2 checkpoint", "123"});
  bytes = good;
  testing::poke<std::int32_t>(bytes, 4, 5);
  load_bad(bytes, {"version 5", "bfloat16"});
  load_bad({good.begin(), good.begin() + 100}, {"truncated", "header"});
  load_bad({good.begin(), good.end() - 4}, {"needs exactly"});
  bytes = good;
  testing::poke<std::int32_t>(bytes, 6 * 4, 1 << 30);  // channels
  load_bad(bytes, {"sizes beyond any GPT-2"});
  bytes = good;
  testing::poke<std::int32_t>(bytes, 5 * 4, 3);  // 8 channels, 3 heads
  load_bad(bytes, {"invalid config", "not divisible"});
  bytes = good;
  testing::poke<std::int32_t>(bytes, 3 * 4, -1);  // vocab
  load_bad(bytes, {"must be positive"});
  bytes = good;
  testing::poke<float>(bytes, 256 * 4 + 4 * 5, std::numeric_limits<float>::infinity());  // in wte
  load_bad(bytes, {"wte.weight", "NaN or infinite"});

  GPTConfig untied = llmc_config();
  untied.tie_embeddings = false;
  GPT<float> other(untied);
  require_error_mentions([&] { save_llmc_checkpoint(bad, other); }, {"tied embeddings"});
}
