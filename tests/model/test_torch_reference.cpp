// Cross-checks the whole model against PyTorch (Debian's python3-torch): the same
// weights and tokens must give the same logits, loss, gradients and AdamW steps.
// Skips, saying so, where torch is not installed.
#include <cstdlib>
#include <iostream>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

bool torch_available() {
  const std::string command = std::string(EIGENFORMER_PYTHON) + " -c 'import torch' > /dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

template <class T>
std::vector<T> read_array(const std::string& path) {
  const std::vector<char> bytes = testing::read_file(path);
  REQUIRE(!bytes.empty());
  std::vector<T> values(bytes.size() / sizeof(T));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

double relative_difference(const float* ours, const float* theirs, std::size_t count) {
  double difference = 0, norm = 0;
  for (std::size_t i = 0; i < count; ++i) {
    difference += double(ours[i] - theirs[i]) * double(ours[i] - theirs[i]);
    norm += double(theirs[i]) * double(theirs[i]);
  }
  return std::sqrt(difference / norm);
}

}  // namespace

TEST_CASE("PyTorch cross-check: llm.c file, logits, loss, gradients and 5 AdamW steps") {
  if (!torch_available()) {
    std::cout << "SKIPPED: python3-torch is not installed for " << EIGENFORMER_PYTHON
              << " (apt-get install python3-torch to run this cross-check)\n";
    return;
  }
  const std::string folder = testing::scratch_path("torch_reference");
  std::filesystem::create_directories(folder);
  const std::string command =
      std::string(EIGENFORMER_PYTHON) + " " + EIGENFORMER_SOURCE_DIR + "/tests/model/torch_reference.py " + folder;
  REQUIRE(std::system(command.c_str()) == 0);

  // The file PyTorch wrote in llm.c's format, with garbage in the padded vocab rows.
  GPT<float> model = load_llmc_checkpoint<float>(folder + "/model.bin");
  const GPTConfig& config = model.config();
  REQUIRE(config.vocab_size == 61);
  const Index batch = 3, time = config.block_size;
  const auto tokens = read_array<std::int32_t>(folder + "/tokens.i32");
  const auto targets = read_array<std::int32_t>(folder + "/targets.i32");
  const Tokens token_ids(tokens.begin(), tokens.end()), target_ids(targets.begin(), targets.end());

  GPT<float>::Activations activations;
  const float loss = model.forward(token_ids, target_ids, batch, time, activations);
  const auto logits = read_array<float>(folder + "/logits.f32");
  const Matrix<float> our_logits = model.forward(token_ids, batch, time);
  REQUIRE(Index(logits.size()) == our_logits.size());
  CHECK(relative_difference(our_logits.data(), logits.data(), logits.size()) < 1e-5);
  const float torch_loss = read_array<float>(folder + "/loss.f32")[0];
  CHECK(std::abs(loss - torch_loss) / torch_loss < 1e-5);

  model.zero_grad();
  model.backward(activations);
  const auto grads = read_array<float>(folder + "/grads.f32");
  std::size_t offset = 0;
  const auto compare = [&](const std::string& name) {
    for (auto* p : model.parameter_list())
      if (p->name == name) {
        INFO("gradient of ", name);
        REQUIRE(offset + std::size_t(p->size()) <= grads.size());
        CHECK(relative_difference(p->grad.data(), grads.data() + offset, std::size_t(p->size())) < 1e-5);
        offset += std::size_t(p->size());
      }
  };
  compare("wte.weight");
  for (const auto& name : llmc_format::names_after_wte(config.num_layers)) compare(name);
  CHECK(offset == grads.size());

  AdamWOptions options;
  options.lr = 1e-2;
  options.betas = {0.9, 0.95};
  options.weight_decay = 0.1;
  AdamW<float> optimizer(model.parameter_list(), options);
  TrainingOptions training;
  training.steps = 5;
  training.clip_grad_norm = 1.0;
  training.show_progress = false;
  const auto history = train(
      model, optimizer, WarmupCosineSchedule{1e-2, 2, 5, 1e-3},
      [&](Index, Index) {
        return Batch{token_ids, target_ids, batch, time};
      },
      training);
  const auto losses = read_array<float>(folder + "/adamw_losses.f32");
  REQUIRE(losses.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("AdamW step ", i + 1);
    INFO("ours ", history[i].loss, ", PyTorch ", losses[i]);
    CHECK(std::abs(history[i].loss - losses[i]) / losses[i] < 1e-5);
  }
}
