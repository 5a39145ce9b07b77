// Where the trainer runs: one process, or many that train one model together.
//
// train() (train/trainer.hpp) asks its `processes` argument for everything that differs
// between the two, and this is the one-process answer: nothing to share, every file
// written here. dist/data_parallel.hpp (gradients averaged over MPI ranks) and
// dist/zero1.hpp (the optimizer state split between them) answer the same calls:
//   ranks()                          how many processes train the model
//   writes_files()                   this one writes the CSV, the checkpoints, the progress
//   sum(x), max(x)                   of a number each process measured (loss, tokens, a signal)
//   clip_gradients(parameters, max) the gradient of the whole batch, clipped; its norm
//   resume(path, model, optimizer)  the step a checkpoint resumes at (0: none to resume)
//   save(path, model, step, optimizer, fingerprint)
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "eigenformer/core/parameter.hpp"
#include "eigenformer/io/checkpoint.hpp"
#include "eigenformer/optim/clip_grad_norm.hpp"

namespace eigenformer {

struct SingleProcess {
  int ranks() const { return 1; }
  bool writes_files() const { return true; }
  double sum(double value) const { return value; }
  double max(double value) const { return value; }

  template <class S>
  double clip_gradients(const std::vector<Parameter<S>*>& parameters, double max_norm) const {
    return clip_grad_norm(parameters, max_norm);
  }

  template <class Model, class Optimizer>
  Index resume(const std::string& path, Model& model, Optimizer& optimizer) const {
    return std::filesystem::exists(path) ? load_checkpoint(path, model, &optimizer) : 0;
  }

  template <class Model, class Optimizer>
  void save(const std::string& path, Model& model, Index step, Optimizer& optimizer,
            std::uint32_t tokenizer_fingerprint) const {
    save_checkpoint(path, model, step, &optimizer, tokenizer_fingerprint);
  }
};

}  // namespace eigenformer
