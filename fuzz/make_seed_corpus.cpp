// Writes a seed corpus of small valid files, one folder per fuzz target, so the
// fuzzers start from inputs that get past the magic numbers (not committed: made
// by scripts/fuzz.sh). usage: make_seed_corpus OUT_DIR
#include <eigenformer/eigenformer.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

using namespace eigenformer;
namespace fs = std::filesystem;

// Writes one seed file, making its folder; a seed that cannot be written stops the program
// (a fuzzer started on a missing folder exits at once).
void write_seed(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary);
  file << bytes;
  EF_CHECK(file.flush().good(), "cannot write the seed '" + path.string() + "'");
}

int main(int argc, char** argv) try {
  EF_CHECK(argc == 2, "usage: make_seed_corpus OUT_DIR");
  const fs::path out = argv[1];
  for (const char* target : {"fuzz_checkpoint", "fuzz_llmc_checkpoint", "fuzz_tokenizer_files", "fuzz_token_shard"})
    fs::create_directories(out / target);

  GPT<float> model(GPTConfig{.vocab_size = 8, .block_size = 4, .num_layers = 1, .num_heads = 1, .channels = 4});
  AdamW<float> optimizer(model.parameter_list());
  save_checkpoint((out / "fuzz_checkpoint/model.ckpt").string(), model, 3);
  save_checkpoint((out / "fuzz_checkpoint/with_optimizer.ckpt").string(), model, 3, &optimizer);
  save_llmc_checkpoint((out / "fuzz_llmc_checkpoint/gpt2.bin").string(), model);

  const std::string text = "the cat sat on the mat. caf\xc3\xa9 <|endoftext|>";
  CharTokenizer::from_text(text).save((out / "fuzz_tokenizer_files/char.tok").string());
  BPETokenizer bpe;
  bpe.train(text, 270);
  bpe.add_special_token("<|endoftext|>");
  bpe.save((out / "fuzz_tokenizer_files/bpe.tok").string());
  {  // llm.c's tokenizer file: there is no writer for it in the library, so by hand
    std::uint32_t header[256] = {LlmcTokenizer::kMagic, 2, 3, 2};
    std::ofstream file(out / "fuzz_tokenizer_files/llmc.tok", std::ios::binary);
    file.write(reinterpret_cast<const char*>(header), sizeof(header));
    for (const std::string token : {"a", "bc", "<|endoftext|>"}) file << char(token.size()) << token;
  }
  write_token_shard((out / "fuzz_token_shard/shard.bin").string(), bpe.encode_ordinary(text));
  for (const char* sample : {"the cat", "caf\xc3\xa9 <|endoftext|>", "\xff\xfe invalid", ""})
    write_seed(out / "fuzz_tokenize" / std::to_string(std::hash<std::string>{}(sample)), sample);
  // Command lines: the first byte picks the example (fuzz_example_flags.cpp), NULs part the arguments.
  const std::vector<std::pair<char, std::vector<std::string>>> command_lines{
      {0, {"--steps", "20", "--layers", "1"}},
      {1, {"--base-steps", "100"}},
      {2, {"--lr", "1e-3", "--clip", "0"}},
      {3, {"train", "--steps", "200", "--resume"}},
      {3, {"sample", "--temperature", "0.5"}},
      {4, {"--seeds", "2", "--out", "x"}},
      {5, {"--steps", "300"}},
      {6, {"--facts", "/etc/hostname", "--seed", "3"}},
      {7, {"--corpus", "/etc/hostname", "--quick", "--minutes", "5"}}};
  for (std::size_t i = 0; i < command_lines.size(); ++i) {
    std::string bytes(1, command_lines[i].first);
    for (std::size_t j = 0; j < command_lines[i].second.size(); ++j)
      bytes += (j > 0 ? std::string(1, '\0') : std::string()) + command_lines[i].second[j];
    write_seed(out / "fuzz_example_flags" / std::to_string(i), bytes);
  }
  for (const char* expression : {"12345+67890", "(2+3)*-4/7", "1.5*2", "9223372036854775807+1"})
    write_seed(out / "fuzz_tools" / std::to_string(std::hash<std::string>{}(expression)), expression);
  return 0;
} catch (const std::exception& error) {
  std::cerr << "make_seed_corpus: " << error.what() << "\n";
  return 1;
}
