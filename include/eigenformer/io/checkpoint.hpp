// Checkpoints in eigenformer's own binary format: a model's config and weights,
// and optionally the optimizer state and step, so training resumes exactly.
//
// Layout (little-endian):
//   uint32 magic "EFCK", uint32 version (3), uint32 bytes per number (4 float, 8 double)
//   config: int64 vocab_size, block_size, num_layers, num_heads, channels, ffn_hidden,
//           flags (1 = bias, 2 = tied embeddings); double dropout, init_std,
//           norm_eps, rope_theta (from version 2; a version-1 file has the defaults)
//   uint32 tokenizer fingerprint (version 3; 0 = none): the CRC-32 of the tokenizer the
//           model was trained with, so that another tokenizer is refused, not garbled
//   int64 training step, int64 optimizer step count (-1 = no optimizer state)
//   uint64 tensor count, then per tensor: uint32 name length, name, int64 rows,
//   int64 cols, rows*cols numbers (row-major). Model tensors come first, in the
//   model's parameter order, then the optimizer's ("exp_avg.wte.weight", ...).
//   uint32 CRC-32 of every byte before it (version 3).
// Loading checks the whole file before it changes a single weight: the checksum, the
// config's sizes against the file's length (before the model is even built), names,
// shapes, and every number finite and no larger than kMaxWeight.
// Saving is atomic: a temporary file renamed into place. Versions 1 and 2 (no
// checksum, no fingerprint) still load.
#pragma once

#include <string>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/nn/gpt_config.hpp"

namespace eigenformer {

struct CheckpointInfo {
  GPTConfig config;
  Index step = 0;                   // the training step to resume at
  Index optimizer_step_count = -1;  // -1: the file holds no optimizer state
  std::uint32_t bytes_per_number = 4;
  std::uint32_t tokenizer_fingerprint = 0;  // 0: not recorded
  std::uint64_t tensor_count = 0;
};

namespace checkpoint_format {

inline constexpr std::uint32_t kMagic = 0x4B434645;  // "EFCK"
inline constexpr std::uint32_t kVersion = 3;
inline constexpr std::uint32_t kOldestVersion = 1;  // 1: no norm_eps, rope_theta; 2: no fingerprint, checksum
inline constexpr std::uint32_t kMaxNameLength = 4096;
// The largest weight a checkpoint may hold. Trained transformers' weights stay within
// a few units (initialised at 0.02, decayed towards 0); 1e4 is far past any healthy
// one, and far below float's 3e38, where a finite check alone would let garbage in.
inline constexpr double kMaxWeight = 1e4;

/// The fewest weights a GPT of this config saves: the token embedding (V x C) and the
/// attention projections (4 C^2 per layer); every block type has both. A file declaring
/// this config must be at least this big, checked before anything is built from it.
inline double minimum_weight_count(const GPTConfig& c) {
  const double C = double(c.channels);
  return double(c.vocab_size) * C + double(c.num_layers) * 4 * C * C;
}

/// Reads and checks the header; the reader is left at the first tensor.
inline CheckpointInfo read_header(BinaryReader& in) {
  const auto magic = in.read<std::uint32_t>("magic number");
  EF_CHECK(magic == kMagic, "'" << in.path() << "' is not an eigenformer checkpoint (magic 0x" << std::hex << magic
                                << ", expected 0x" << kMagic << ")");
  const auto version = in.read<std::uint32_t>("version");
  EF_CHECK(version >= kOldestVersion && version <= kVersion, "'" << in.path() << "' has checkpoint version " << version
                                                                 << "; this build reads versions " << kOldestVersion
                                                                 << " to " << kVersion);
  if (version >= 3) in.verify_checksum_trailer();
  CheckpointInfo info;
  info.bytes_per_number = in.read<std::uint32_t>("bytes per number");
  EF_CHECK(info.bytes_per_number == 4 || info.bytes_per_number == 8,
           "'" << in.path() << "': " << info.bytes_per_number << " bytes per number (expected 4 or 8)");
  GPTConfig& c = info.config;
  const auto bounded = [&](const char* name, std::int64_t max) {
    const auto value = in.read<std::int64_t>(name);
    EF_CHECK(value >= 0 && value <= max,
             "'" << in.path() << "': config " << name << " = " << value << " is outside [0, " << max << "]");
    return Index(value);
  };
  c.vocab_size = bounded("vocab_size", 1 << 24);
  c.block_size = bounded("block_size", 1 << 20);
  c.num_layers = bounded("num_layers", 1 << 10);
  c.num_heads = bounded("num_heads", 1 << 10);
  c.channels = bounded("channels", 1 << 16);
  c.ffn_hidden = bounded("ffn_hidden", 1 << 20);
  const Index flags = bounded("flags", 3);
  c.bias = flags & 1, c.tie_embeddings = flags & 2;
  c.dropout = in.read<double>("dropout");
  c.init_std = in.read<double>("init_std");
  if (version >= 2) {
    c.norm_eps = in.read<double>("norm_eps");
    c.rope_theta = in.read<double>("rope_theta");
  }
  if (version >= 3) info.tokenizer_fingerprint = in.read<std::uint32_t>("tokenizer fingerprint");
  try {
    c.validate();
  } catch (const Error& error) {
    throw Error("'" + in.path() + "' holds an invalid config: " + error.what());
  }
  info.step = bounded("training step", std::int64_t(1) << 40);
  info.optimizer_step_count = in.read<std::int64_t>("optimizer step count");
  EF_CHECK(info.optimizer_step_count >= -1 && info.optimizer_step_count <= (std::int64_t(1) << 40),
           "'" << in.path() << "': optimizer step count " << info.optimizer_step_count << " is outside [-1, 2^40]");
  info.tensor_count = in.read<std::uint64_t>("tensor count");
  const double weight_bytes = minimum_weight_count(c) * info.bytes_per_number;
  EF_CHECK(weight_bytes <= double(in.remaining()),
           "'" << in.path() << "' is truncated or corrupt: its config (vocab " << c.vocab_size << ", block "
               << c.block_size << ", " << c.num_layers << " layers, channels " << c.channels << ") needs at least "
               << weight_bytes << " bytes of weights, the file has " << in.remaining() << " left");
  const std::uint64_t smallest_record = 4 + 8 + 8;
  EF_CHECK(info.tensor_count <= in.remaining() / smallest_record, "'" << in.path() << "' declares " << info.tensor_count
                                                                      << " tensors, more than its " << in.remaining()
                                                                      << " remaining bytes can hold");
  return info;
}

/// Reads one tensor's name, shape and numbers, checks them against what is expected
/// (every number finite, and a weight within kMaxWeight), and loads them into
/// `destination`; with destination null it only checks (pass 1 of a load).
template <class S>
void read_tensor(BinaryReader& in, const CheckpointInfo& info, const std::string& expected_name,
                 const Matrix<S>& expected_shape, Matrix<S>* destination, bool is_weight) {
  const std::string name = in.read_string(kMaxNameLength, "tensor name");
  EF_CHECK(name == expected_name,
           "'" << in.path() << "' has tensor '" << name << "' where the model expects '" << expected_name << "'");
  const auto rows = in.read<std::int64_t>("rows of " + name), cols = in.read<std::int64_t>("columns of " + name);
  EF_CHECK(rows == expected_shape.rows() && cols == expected_shape.cols(),
           "'" << in.path() << "': tensor '" << name << "' is " << rows << "x" << cols << ", the model's is "
               << expected_shape.rows() << "x" << expected_shape.cols());
  Matrix<S> scratch;  // pass 1 reads into a copy, so that nothing changes unless the whole file is good
  Matrix<S>& numbers = destination ? *destination : scratch.setZero(rows, cols);
  const std::uint64_t count = std::uint64_t(rows) * std::uint64_t(cols);
  if (info.bytes_per_number == 4)
    in.read_numbers<float>(numbers.data(), count, "the numbers of " + name);
  else
    in.read_numbers<double>(numbers.data(), count, "the numbers of " + name);
  EF_CHECK(numbers.allFinite(), "'" << in.path() << "': tensor '" << name
                                    << "' holds NaN or infinite numbers (saved after training diverged?)");
  EF_CHECK(!is_weight || numbers.size() == 0 || double(numbers.cwiseAbs().maxCoeff()) <= kMaxWeight,
           "'" << in.path() << "': weight '" << name << "' holds " << double(numbers.cwiseAbs().maxCoeff())
               << ", beyond the bound " << kMaxWeight << " of a healthy model (saved after training diverged?)");
}

/// Walks the tensors not loaded (optimizer state a model-only load ignores) so that a
/// truncated or padded file is refused even when the damage lies in what is skipped.
inline void skip_remaining_tensors(BinaryReader& in, const CheckpointInfo& info, std::uint64_t already_read) {
  for (std::uint64_t i = already_read; i < info.tensor_count; ++i) {
    const std::string name = in.read_string(kMaxNameLength, "tensor name");
    const auto rows = in.read<std::int64_t>("rows of " + name), cols = in.read<std::int64_t>("columns of " + name);
    EF_CHECK(rows >= 0 && cols >= 0 && (rows == 0 || std::uint64_t(cols) <= in.remaining() / std::uint64_t(rows)),
             "'" << in.path() << "': tensor '" << name << "' has impossible shape " << rows << "x" << cols);
    in.skip(std::uint64_t(rows) * std::uint64_t(cols) * info.bytes_per_number, "the numbers of " + name);
  }
  EF_CHECK(in.remaining() == 0,
           "'" << in.path() << "' has " << in.remaining() << " unexpected bytes after its tensors");
}

inline void check_same_config(const GPTConfig& file, const GPTConfig& model, const std::string& path) {
  const auto same = [&](const char* name, Index in_file, Index in_model) {
    EF_CHECK(in_file == in_model, "'" << path << "' does not match the model: " << name << " is " << in_file
                                      << " in the file, " << in_model << " in the model");
  };
  same("vocab_size", file.vocab_size, model.vocab_size);
  same("block_size", file.block_size, model.block_size);
  same("num_layers", file.num_layers, model.num_layers);
  same("num_heads", file.num_heads, model.num_heads);
  same("channels", file.channels, model.channels);
  same("ffn_hidden", file.ffn_hidden, model.ffn_hidden);
  same("bias", file.bias, model.bias);
  same("tie_embeddings", file.tie_embeddings, model.tie_embeddings);
  const auto same_number = [&](const char* name, double in_file, double in_model) {
    EF_CHECK(in_file == in_model, "'" << path << "' does not match the model: " << name << " is " << in_file
                                      << " in the file, " << in_model << " in the model");
  };
  same_number("norm_eps", file.norm_eps, model.norm_eps);
  same_number("rope_theta", file.rope_theta, model.rope_theta);
}

/// Used where no optimizer state is saved or loaded.
struct NoOptimizer {
  Index step_count() const { return -1; }
  void set_step_count(Index) {}
  template <class Visit>
  void state(Visit&&) {}
};

/// A tensor a checkpoint holds: its name and where its numbers live.
template <class S>
struct NamedTensor {
  std::string name;
  Matrix<S>* numbers;
};

/// The model's parameters, then the optimizer's state: what a checkpoint holds, in order.
/// Gathered once into a list, so the file is written and read by plain loops (templates on
/// the number type only: a visit per loop would compile the model's whole parameter walk again).
template <class Model, class Optimizer>
std::vector<NamedTensor<typename Model::Scalar>> tensors_of(Model& model, Optimizer* optimizer) {
  using S = typename Model::Scalar;
  std::vector<NamedTensor<S>> tensors;
  for (Parameter<S>* p : parameter_list(model)) tensors.push_back({p->name, &p->value});
  if (optimizer)
    optimizer->state([&](const std::string& name, Matrix<S>& numbers) { tensors.push_back({name, &numbers}); });
  return tensors;
}

}  // namespace checkpoint_format

/// The header of a checkpoint: build the model from info.config, then load_checkpoint.
inline CheckpointInfo read_checkpoint_info(const std::string& path) {
  BinaryReader in(path);
  return checkpoint_format::read_header(in);
}

/// Refuses a tokenizer other than the one the checkpoint's model was trained with
/// (fingerprint: the tokenizer's fingerprint()). A file that recorded none accepts any.
inline void check_tokenizer_fingerprint(const CheckpointInfo& info, std::uint32_t fingerprint,
                                        const std::string& checkpoint_path) {
  EF_CHECK(info.tokenizer_fingerprint == 0 || info.tokenizer_fingerprint == fingerprint,
           "'" << checkpoint_path << "' was trained with another tokenizer (fingerprint " << std::hex
               << info.tokenizer_fingerprint << ", this one's is " << fingerprint
               << "): its token ids would decode to the wrong text");
}

/// Saves the model (and the optimizer's state, for resuming at `step`) atomically;
/// tokenizer_fingerprint (a tokenizer's fingerprint()) ties the model to its tokenizer.
template <class Model, class Optimizer = checkpoint_format::NoOptimizer>
void save_checkpoint(const std::string& path, Model& model, Index step = 0, Optimizer* optimizer = nullptr,
                     std::uint32_t tokenizer_fingerprint = 0) {
  using S = typename Model::Scalar;
  const GPTConfig& c = model.config();
  AtomicFileWriter out(path);
  out.write(checkpoint_format::kMagic);
  out.write(checkpoint_format::kVersion);
  out.write(std::uint32_t(sizeof(S)));
  for (Index value : {c.vocab_size, c.block_size, c.num_layers, c.num_heads, c.channels, c.ffn_hidden,
                      Index(c.bias) | Index(c.tie_embeddings) << 1})
    out.write(std::int64_t(value));
  out.write(c.dropout);
  out.write(c.init_std);
  out.write(c.norm_eps);
  out.write(c.rope_theta);
  out.write(tokenizer_fingerprint);
  out.write(std::int64_t(step));
  out.write(std::int64_t(optimizer ? optimizer->step_count() : -1));
  const auto tensors = checkpoint_format::tensors_of(model, optimizer);
  out.write(std::uint64_t(tensors.size()));
  for (const auto& [name, numbers] : tensors) {
    out.write_string(name);
    out.write(std::int64_t(numbers->rows()));
    out.write(std::int64_t(numbers->cols()));
    out.write_bytes(numbers->data(), std::uint64_t(numbers->size()) * sizeof(S));
  }
  out.write(out.checksum());
  out.commit();
}

/// Loads weights (and, given an optimizer, its state) saved by save_checkpoint.
/// Returns the training step saved with them. Nothing changes unless the whole file checks out.
template <class Model, class Optimizer = checkpoint_format::NoOptimizer>
Index load_checkpoint(const std::string& path, Model& model, Optimizer* optimizer = nullptr) {
  const auto tensors = checkpoint_format::tensors_of(model, optimizer);
  CheckpointInfo info;
  for (const bool load : {false, true}) {  // pass 1 checks everything, pass 2 loads
    BinaryReader in(path);
    info = checkpoint_format::read_header(in);
    checkpoint_format::check_same_config(info.config, model.config(), path);
    EF_CHECK(!optimizer || info.optimizer_step_count >= 0, "'" << path << "' holds no optimizer state to resume from");
    EF_CHECK(info.tensor_count >= tensors.size(),
             "'" << path << "' holds " << info.tensor_count << " tensors, the model needs " << tensors.size());
    const std::size_t weights = parameter_list(model).size();  // the optimizer's state follows them
    for (std::size_t i = 0; i < tensors.size(); ++i)
      checkpoint_format::read_tensor(in, info, tensors[i].name, *tensors[i].numbers,
                                     load ? tensors[i].numbers : nullptr, i < weights);
    if (!load) checkpoint_format::skip_remaining_tensors(in, info, tensors.size());
  }
  if (optimizer) optimizer->set_step_count(info.optimizer_step_count);
  return info.step;
}

}  // namespace eigenformer
