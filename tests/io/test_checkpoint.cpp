#include <sys/wait.h>

#include <csignal>

#include "test_helpers.hpp"

using namespace eigenformer;
using testing::require_error_mentions;

namespace {

GPTConfig checkpoint_config() {
  return {.vocab_size = 13, .block_size = 8, .num_layers = 2, .num_heads = 2, .channels = 16};
}

Batch batch_for_step(Index step, Index /*micro_step*/) {
  Rng rng(77 + std::uint64_t(step));
  Batch batch{{}, {}, 4, 8};
  for (Index n = 0; n < 32; ++n) batch.tokens.push_back(int(rng.uniform_int(13)));
  for (Index n = 0; n < 32; ++n) batch.targets.push_back(n % 8 == 7 ? -1 : batch.tokens[std::size_t(n + 1)]);
  return batch;
}

TrainingOptions quiet_options(Index steps) {
  TrainingOptions options;
  options.steps = steps;
  options.show_progress = false;
  return options;
}

// Header offsets of the format documented in io/checkpoint.hpp (version 3).
constexpr std::size_t kVersionOffset = 4, kVocabOffset = 12, kChannelsOffset = 12 + 4 * 8, kNormEpsOffset = 84,
                      kFingerprintOffset = 100, kTensorCountOffset = 120;
constexpr std::size_t kFirstRowsOffset = 128 + 4 + std::string_view("wte.weight").size();

/// The file's trailer recomputed after the test changed its bytes on purpose, so that
/// the check under test is reached (otherwise the checksum refuses the file first).
std::vector<char> with_fresh_checksum(std::vector<char> bytes) {
  testing::poke<std::uint32_t>(bytes, bytes.size() - 4, crc32({bytes.data(), bytes.size() - 4}));
  return bytes;
}

/// A version-3 file as an older version wrote it: version 2 had no tokenizer fingerprint
/// and no checksum; version 1 also no norm_eps and rope_theta.
std::vector<char> as_older_version(std::vector<char> bytes, std::uint32_t version) {
  bytes.erase(bytes.end() - 4, bytes.end());  // the checksum
  bytes.erase(bytes.begin() + kFingerprintOffset, bytes.begin() + kFingerprintOffset + 4);
  if (version == 1) bytes.erase(bytes.begin() + kNormEpsOffset, bytes.begin() + kNormEpsOffset + 16);
  testing::poke<std::uint32_t>(bytes, kVersionOffset, version);
  return bytes;
}

}  // namespace

TEST_CASE("Checkpoint: norm_eps and rope_theta are saved, and version-1 and version-2 files still load") {
  const std::string path = testing::scratch_path("v2.ckpt"), old_path = testing::scratch_path("v1.ckpt");
  GPTConfig config = checkpoint_config();
  config.norm_eps = 1e-6;
  config.rope_theta = 500000.0;
  LlamaGPT<float> model(config, 1);
  save_checkpoint(path, model, 5);
  const CheckpointInfo info = read_checkpoint_info(path);
  CHECK(info.config.norm_eps == 1e-6);
  CHECK(info.config.rope_theta == 500000.0);
  LlamaGPT<float> other_theta(checkpoint_config(), 1);
  require_error_mentions([&] { load_checkpoint(path, other_theta); }, {"norm_eps is 1e-06 in the file, 1e-05"});

  // The same file as versions 1 and 2 wrote it.
  GPT<float> gpt(checkpoint_config(), 2);
  save_checkpoint(path, gpt, 5);
  for (const std::uint32_t version : {1u, 2u}) {
    CAPTURE(version);
    testing::write_file(old_path, as_older_version(testing::read_file(path), version));
    const CheckpointInfo old_info = read_checkpoint_info(old_path);
    CHECK(old_info.config.norm_eps == GPTConfig{}.norm_eps);
    CHECK(old_info.config.rope_theta == GPTConfig{}.rope_theta);
    CHECK(old_info.tokenizer_fingerprint == 0);
    GPT<float> restored(checkpoint_config(), 3);
    CHECK(load_checkpoint(old_path, restored) == 5);
    CHECK(restored.parameter_list()[0]->value == gpt.parameter_list()[0]->value);
  }
}

TEST_CASE("Checkpoint: model, optimizer state and step round-trip exactly") {
  const std::string path = testing::scratch_path("round_trip.ckpt");
  GPT<float> model(checkpoint_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  train(model, optimizer, ConstantSchedule{1e-2}, batch_for_step, quiet_options(3));
  save_checkpoint(path, model, 3, &optimizer);

  GPT<float> restored(checkpoint_config(), 2);
  AdamW<float> restored_optimizer(restored.parameter_list());
  CHECK(load_checkpoint(path, restored, &restored_optimizer) == 3);
  CHECK(restored_optimizer.step_count() == 3);
  const auto original = model.parameter_list(), loaded = restored.parameter_list();
  for (std::size_t i = 0; i < original.size(); ++i) CHECK(original[i]->value == loaded[i]->value);
  std::vector<Matrix<float>> state, restored_state;
  optimizer.state([&](const std::string&, Matrix<float>& m) { state.push_back(m); });
  restored_optimizer.state([&](const std::string&, Matrix<float>& m) { restored_state.push_back(m); });
  CHECK(state == restored_state);

  const CheckpointInfo info = read_checkpoint_info(path);
  CHECK(info.config.channels == 16);
  CHECK(info.step == 3);
  GPT<double> as_double(info.config);  // float files load into double models too
  CHECK(load_checkpoint(path, as_double) == 3);
  CHECK(as_double.parameter_list()[0]->value.cast<float>() == original[0]->value);
}

TEST_CASE("Checkpoint: resumed training continues with the same losses as uninterrupted training") {
  const std::string path = testing::scratch_path("resume.ckpt");
  GPT<float> straight(checkpoint_config(), 1);
  AdamW<float> straight_optimizer(straight.parameter_list());
  const WarmupCosineSchedule schedule{1e-2, 2, 10, 1e-3};
  const auto uninterrupted = train(straight, straight_optimizer, schedule, batch_for_step, quiet_options(10));

  TrainingOptions first_half = quiet_options(5);
  first_half.checkpoint_path = path;
  GPT<float> model(checkpoint_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  train(model, optimizer, schedule, batch_for_step, first_half);

  TrainingOptions second_half = quiet_options(10);
  second_half.checkpoint_path = path;
  second_half.resume = true;
  GPT<float> resumed(checkpoint_config(), 99);  // different initial weights: all must come from the file
  AdamW<float> resumed_optimizer(resumed.parameter_list());
  const auto rest = train(resumed, resumed_optimizer, schedule, batch_for_step, second_half);
  REQUIRE(rest.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(rest[i].step == uninterrupted[5 + i].step);
    CHECK(rest[i].loss == uninterrupted[5 + i].loss);  // bit for bit
  }
}

TEST_CASE("Checkpoint: bad files are clear errors, and a failed load changes nothing") {
  const std::string path = testing::scratch_path("good.ckpt"), bad = testing::scratch_path("bad.ckpt");
  GPT<float> model(checkpoint_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  save_checkpoint(path, model, 0, &optimizer);
  const std::vector<char> good = testing::read_file(path);
  GPT<float> target(checkpoint_config(), 5);
  const Matrix<float> before = target.parameter_list()[0]->value;

  const auto load_bad = [&](const std::vector<char>& bytes, const std::vector<std::string>& fragments) {
    testing::write_file(bad, bytes);
    require_error_mentions([&] { load_checkpoint(bad, target); }, fragments);
    CHECK(target.parameter_list()[0]->value == before);
  };

  SUBCASE("missing file") {
    require_error_mentions([&] { load_checkpoint(bad + ".none", target); }, {"cannot open"});
  }
  SUBCASE("truncated in the header") { load_bad({good.begin(), good.begin() + 50}, {"is corrupt", "cut short"}); }
  SUBCASE("truncated in the last tensor") { load_bad({good.begin(), good.end() - 3}, {"is corrupt", "cut short"}); }
  SUBCASE("truncated in a version-2 file, which has no checksum") {
    load_bad(as_older_version({good.begin(), good.end() - 3}, 2), {"truncated", "numbers of"});
  }
  SUBCASE("wrong magic") {
    std::vector<char> bytes = good;
    bytes[0] = 'X';
    load_bad(bytes, {"not an eigenformer checkpoint", "magic"});
  }
  SUBCASE("wrong version") {
    std::vector<char> bytes = good;
    testing::poke<std::uint32_t>(bytes, kVersionOffset, 7);
    load_bad(bytes, {"version 7", "reads versions 1 to 3"});
  }
  SUBCASE("a config that does not match the model") {
    GPTConfig wider = checkpoint_config();
    wider.channels = 32;
    GPT<float> other(wider);
    save_checkpoint(bad, other);
    require_error_mentions([&] { load_checkpoint(bad, target); }, {"channels is 32 in the file, 16 in the model"});
  }
  SUBCASE("an absurd config") {
    std::vector<char> bytes = good;
    testing::poke<std::int64_t>(bytes, kChannelsOffset, std::int64_t(1) << 40);
    load_bad(with_fresh_checksum(bytes), {"config channels", "outside"});
  }
  SUBCASE("an absurd tensor count") {
    std::vector<char> bytes = good;
    testing::poke<std::uint64_t>(bytes, kTensorCountOffset, std::uint64_t(1) << 60);
    load_bad(with_fresh_checksum(bytes), {"declares", "tensors"});
  }
  SUBCASE("a tensor whose size would need absurd memory") {
    std::vector<char> bytes = good;
    testing::poke<std::int64_t>(bytes, kFirstRowsOffset, std::int64_t(1) << 40);
    load_bad(with_fresh_checksum(bytes), {"wte.weight", "is 1099511627776x16"});
  }
  SUBCASE("a negative tensor size") {
    std::vector<char> bytes = good;
    testing::poke<std::int64_t>(bytes, kFirstRowsOffset, -13);
    load_bad(with_fresh_checksum(bytes), {"wte.weight", "is -13x16", "the model's is 13x16"});
  }
  SUBCASE("NaN weights") {
    std::vector<char> bytes = good;
    testing::poke<float>(bytes, kFirstRowsOffset + 16 + 4 * 7, std::numeric_limits<float>::quiet_NaN());
    load_bad(with_fresh_checksum(bytes), {"wte.weight", "NaN or infinite"});
  }
  SUBCASE("finite weights far beyond a healthy model's") {
    std::vector<char> bytes = good;
    testing::poke<float>(bytes, kFirstRowsOffset + 16 + 4 * 7, 3e38f);
    load_bad(with_fresh_checksum(bytes), {"weight 'wte.weight' holds 3", "beyond the bound 10000"});
  }
  SUBCASE("a config whose weights the file is far too short to hold: refused before the model is built") {
    std::vector<char> bytes = good;
    testing::poke<std::int64_t>(bytes, kVocabOffset, 8388619);
    testing::poke<std::int64_t>(bytes, kChannelsOffset, 16448);
    load_bad(with_fresh_checksum(bytes), {"vocab 8388619", "channels 16448", "needs at least", "bytes of weights"});
    require_error_mentions([&] { read_checkpoint_info(bad); }, {"vocab 8388619", "needs at least"});
  }
  SUBCASE("a changed training step or optimizer step count: the checksum") {
    std::vector<char> bytes = good;
    testing::poke<std::int64_t>(bytes, kTensorCountOffset - 16, std::int64_t(34) << 40);
    load_bad(bytes, {"is corrupt", "CRC-32"});
  }
  SUBCASE("100 random byte flips, in the weights, the optimizer state and the header: every one refused") {
    Rng rng(2026);
    for (int flip = 0; flip < 100; ++flip) {
      std::vector<char> bytes = good;
      const auto at = std::size_t(rng.uniform_int(Index(bytes.size())));
      bytes[at] = char(bytes[at] ^ char(1 + rng.uniform_int(255)));
      CAPTURE(at);
      testing::write_file(bad, bytes);
      CHECK_THROWS_AS(load_checkpoint(bad, target, &optimizer), Error);
    }
    CHECK(target.parameter_list()[0]->value == before);
  }
  SUBCASE("no optimizer state where one is asked for") {
    save_checkpoint(bad, model);
    require_error_mentions([&] { load_checkpoint(bad, target, &optimizer); }, {"no optimizer state"});
  }
}

TEST_CASE("Checkpoint: a write that fails part-way never replaces the good file") {
  const std::string path = testing::scratch_path("atomic.ckpt");
  GPT<float> model(checkpoint_config(), 1);
  save_checkpoint(path, model, 1);
  const std::vector<char> good = testing::read_file(path);
  {
    AtomicFileWriter writer(path);
    writer.write_bytes("half a file", 11);
    // destroyed without commit(): as if an exception or a crash came mid-save
  }
  CHECK(testing::read_file(path) == good);
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    CHECK(entry.path().string().find(".tmp.") == std::string::npos);  // no temporary left behind
  require_error_mentions([&] { save_checkpoint(path + ".d/missing/x.ckpt", model); }, {"cannot write"});
  CHECK(load_checkpoint(path, model) == 1);
}

TEST_CASE("Checkpoint: 60 processes killed in the middle of saving: the last good file always loads, no litter") {
  const std::string path = testing::scratch_path("killed.ckpt");
  const GPTConfig config{.vocab_size = 512, .block_size = 64, .num_layers = 4, .num_heads = 4, .channels = 128};
  GPT<float> model(config, 1), other(config, 2);
  AdamW<float> optimizer(model.parameter_list());
  save_checkpoint(path, model, 1, &optimizer);  // the good checkpoint (~10 MB with the optimizer state)
  const std::vector<char> good = testing::read_file(path);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const auto temporaries = [&] {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
      count += entry.path().filename().string().starts_with("killed.ckpt.tmp.");
    return count;
  };

  int left_behind = 0;  // kills that left a temporary file
  for (int kill = 0; kill < 60; ++kill) {
    CAPTURE(kill);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // saves the other model over and over until it is killed
      for (;;) save_checkpoint(path, other, 2);
    }
    const std::string temporary = path + ".tmp." + std::to_string(child);
    for (int polls = 0; polls < 20000 && !std::filesystem::exists(temporary); ++polls) ::usleep(100);
    ::usleep(useconds_t(100 * (kill % 30)));  // from the first bytes to well into the file
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    left_behind += std::filesystem::exists(temporary);

    // Whatever moment the kill hit, the file is a whole checkpoint: the good one, or a
    // complete save of the other model (rename replaces it in one step), never a mixture.
    GPT<float> loaded(config, 3);
    const Index step = load_checkpoint(path, loaded);
    REQUIRE((step == 1 || step == 2));
    if (step == 1) CHECK(testing::read_file(path) == good);
    const auto original = (step == 1 ? model : other).parameter_list();
    const auto restored = loaded.parameter_list();
    for (std::size_t i = 0; i < restored.size(); ++i) REQUIRE(restored[i]->value == original[i]->value);
  }
  CHECK(left_behind > 30);  // a killed save leaves its temporary file behind...
  save_checkpoint(path, model, 1, &optimizer);
  CHECK(temporaries() == 0);  // ...and the next save removes every one whose process is gone
}

TEST_CASE("Checkpoint: a model is tied to its tokenizer, and another tokenizer of the same size is refused") {
  const std::string path = testing::scratch_path("tied.ckpt");
  const CharTokenizer tokenizer = CharTokenizer::from_text("abcdefghijklm");  // 13 characters, as the config
  const CharTokenizer other = CharTokenizer::from_text("nopqrstuvwxyz");
  GPT<float> model(checkpoint_config(), 1);
  AdamW<float> optimizer(model.parameter_list());
  save_checkpoint(path, model, 0, &optimizer, tokenizer.fingerprint());
  const CheckpointInfo info = read_checkpoint_info(path);
  CHECK(info.tokenizer_fingerprint == tokenizer.fingerprint());
  CHECK_NOTHROW(check_tokenizer_fingerprint(info, tokenizer.fingerprint(), path));
  require_error_mentions([&] { check_tokenizer_fingerprint(info, other.fingerprint(), path); },
                         {"was trained with another tokenizer", "decode to the wrong text"});
  save_checkpoint(path, model);  // no fingerprint recorded: any tokenizer is accepted
  CHECK_NOTHROW(check_tokenizer_fingerprint(read_checkpoint_info(path), other.fingerprint(), path));
}

TEST_CASE("Checkpoint: a save removes the temporary files of killed saves, never a live process's") {
  const std::string path = testing::scratch_path("stale.ckpt");
  GPT<float> model(checkpoint_config(), 1);
  const pid_t child = ::fork();  // a process id that is certainly dead once reaped
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string stale = path + ".tmp." + std::to_string(child), live = path + ".tmp.1",
                    unrelated = path + ".tmp.notes";
  for (const std::string& name : {stale, live, unrelated}) testing::write_file(name, {'x'});
  save_checkpoint(path, model, 1);
  CHECK(!std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(live));  // process 1 (init) is alive: its save may be in progress
  CHECK(std::filesystem::exists(unrelated));
  for (const std::string& name : {live, unrelated}) std::filesystem::remove(name);
}
