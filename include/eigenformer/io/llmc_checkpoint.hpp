// GPT-2 checkpoints in llm.c's format (Karpathy's llm.c, train_gpt2.c), read and written,
// so a model exported from PyTorch or llm.c runs here and ours runs there.
//
// Layout: 256 int32 header, then float32 parameters.
//   header[0] = 20240326 (magic), [1] = 3 (fp32), [2] = max sequence length T,
//   [3] = vocab size V, [4] = layers L, [5] = heads H, [6] = channels C,
//   [7] = padded vocab Vp (V rounded up, llm.c uses a multiple of 128)
// Parameters, each kind stacked over the L layers, weights as (out, in):
//   wte (Vp, C), wpe (T, C), ln1w (L, C), ln1b (L, C), qkvw (L, 3C, C), qkvb (L, 3C),
//   attprojw (L, C, C), attprojb (L, C), ln2w (L, C), ln2b (L, C), fcw (L, 4C, C),
//   fcb (L, 4C), fcprojw (L, C, 4C), fcprojb (L, C), lnfw (C), lnfb (C)
// The rows V..Vp-1 of wte are padding: never produced, dropped on load, zero on save.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/model/gpt.hpp"

namespace eigenformer {

namespace llmc_format {

inline constexpr std::int32_t kMagic = 20240326;
inline constexpr std::int32_t kVersionFloat32 = 3;
inline constexpr int kHeaderInts = 256;

/// Our parameter name for each llm.c per-layer kind, in file order.
inline const std::vector<std::string>& layer_kinds() {
  static const std::vector<std::string> kinds{"norm_1.weight",    "norm_1.bias",    "attn.qkv.weight", "attn.qkv.bias",
                                              "attn.proj.weight", "attn.proj.bias", "norm_2.weight",   "norm_2.bias",
                                              "ffn.fc.weight",    "ffn.fc.bias",    "ffn.proj.weight", "ffn.proj.bias"};
  return kinds;
}

/// Every tensor after wte, in file order, by our names.
inline std::vector<std::string> names_after_wte(Index num_layers) {
  std::vector<std::string> names{"wpe.weight"};
  for (const auto& kind : layer_kinds())
    for (Index l = 0; l < num_layers; ++l) names.push_back("blocks." + std::to_string(l) + "." + kind);
  names.insert(names.end(), {"norm_f.weight", "norm_f.bias"});
  return names;
}

template <class S>
std::map<std::string, Parameter<S>*> parameters_by_name(GPT<S, GPT2Block<S>>& model) {
  std::map<std::string, Parameter<S>*> map;
  model.parameters([&](Parameter<S>& p) { map[p.name] = &p; });
  return map;
}

}  // namespace llmc_format

/// Loads an llm.c GPT-2 checkpoint (fp32, version 3) into a new model.
template <class S = float>
GPT<S, GPT2Block<S>> load_llmc_checkpoint(const std::string& path) {
  BinaryReader in(path);
  std::int32_t header[llmc_format::kHeaderInts];
  in.read_bytes(header, sizeof(header), "the 256-int header");
  EF_CHECK(header[0] == llmc_format::kMagic, "'" << path << "' is not an llm.c GPT-2 checkpoint (magic " << header[0]
                                                 << ", expected " << llmc_format::kMagic << ")");
  EF_CHECK(header[1] == llmc_format::kVersionFloat32, "'" << path << "' has llm.c version " << header[1]
                                                          << "; only version 3 (float32) is read"
                                                          << (header[1] == 5 ? " (version 5 is bfloat16)" : ""));
  GPTConfig config;
  config.block_size = header[2], config.vocab_size = header[3], config.num_layers = header[4];
  config.num_heads = header[5], config.channels = header[6];
  const Index padded_vocab = header[7];
  EF_CHECK(header[2] > 0 && header[3] > 0 && header[4] > 0 && header[5] > 0 && header[6] > 0,
           "'" << path << "': sizes must be positive (T " << header[2] << ", V " << header[3] << ", L " << header[4]
               << ", H " << header[5] << ", C " << header[6] << ")");
  EF_CHECK(header[2] <= (1 << 20) && header[3] <= (1 << 24) && header[4] <= 1024 && header[6] <= (1 << 16),
           "'" << path << "': sizes beyond any GPT-2 (T " << header[2] << ", V " << header[3] << ", L " << header[4]
               << ", C " << header[6] << ")");
  EF_CHECK(padded_vocab >= config.vocab_size && padded_vocab <= config.vocab_size + (1 << 16),
           "'" << path << "': padded vocab " << padded_vocab << " is smaller than the vocab " << config.vocab_size);
  try {
    config.validate();
  } catch (const Error& error) {
    throw Error("'" + path + "' holds an invalid config: " + error.what());
  }
  // Every size is checked against the file's length before the model allocates anything.
  const std::uint64_t C = std::uint64_t(config.channels), L = std::uint64_t(config.num_layers);
  const std::uint64_t floats =
      std::uint64_t(padded_vocab) * C + std::uint64_t(config.block_size) * C + L * (12 * C * C + 13 * C) + 2 * C;
  EF_CHECK(in.remaining() == floats * 4, "'" << path << "' holds " << in.remaining() << " bytes of parameters; its "
                                             << "header needs exactly " << floats * 4);

  GPT<S, GPT2Block<S>> model(config);
  auto parameters = llmc_format::parameters_by_name(model);
  Matrix<S>& wte = parameters.at("wte.weight")->value;
  in.read_numbers<float>(wte.data(), std::uint64_t(wte.size()), "wte");
  in.skip((std::uint64_t(padded_vocab) - std::uint64_t(config.vocab_size)) * C * 4, "wte padding");
  for (const auto& name : llmc_format::names_after_wte(config.num_layers)) {
    Matrix<S>& value = parameters.at(name)->value;
    in.read_numbers<float>(value.data(), std::uint64_t(value.size()), name);
  }
  for (const auto& [name, parameter] : parameters)
    EF_CHECK(parameter->value.allFinite(), "'" << path << "': tensor '" << name << "' holds NaN or infinite numbers");
  return model;
}

/// Saves a GPT-2 model in llm.c's format, vocab padded to a multiple of 128.
template <class S>
void save_llmc_checkpoint(const std::string& path, GPT<S, GPT2Block<S>>& model) {
  const GPTConfig& c = model.config();
  EF_CHECK(c.bias && c.tie_embeddings && (c.ffn_hidden == 0 || c.ffn_hidden == 4 * c.channels),
           "llm.c's GPT-2 needs biases, tied embeddings and a 4C MLP");
  const Index padded_vocab = (c.vocab_size + 127) / 128 * 128;
  std::int32_t header[llmc_format::kHeaderInts] = {};
  header[0] = llmc_format::kMagic, header[1] = llmc_format::kVersionFloat32;
  header[2] = std::int32_t(c.block_size), header[3] = std::int32_t(c.vocab_size);
  header[4] = std::int32_t(c.num_layers), header[5] = std::int32_t(c.num_heads);
  header[6] = std::int32_t(c.channels), header[7] = std::int32_t(padded_vocab);

  AtomicFileWriter out(path);
  out.write_bytes(header, sizeof(header));
  const auto write_floats = [&](const Matrix<S>& value) {
    const Matrix<float> as_float = value.template cast<float>();
    out.write_bytes(as_float.data(), std::uint64_t(as_float.size()) * 4);
  };
  auto parameters = llmc_format::parameters_by_name(model);
  write_floats(parameters.at("wte.weight")->value);
  write_floats(Matrix<S>::Zero(padded_vocab - c.vocab_size, c.channels));
  for (const auto& name : llmc_format::names_after_wte(c.num_layers)) write_floats(parameters.at(name)->value);
  out.commit();
}

}  // namespace eigenformer
