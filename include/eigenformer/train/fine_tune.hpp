// Supervised fine-tuning on conversations: the loop the chat lessons share.
//   each step: draw conversations, render each (the loss on the assistant's tokens only:
//   its words, its tool calls, the end of its turn; text/chat_format.hpp), pack them into
//   a (rows, time) batch, and take one AdamW step on it (train/trainer.hpp)
// The learning rate warms up for `warmup` steps, then decays (cosine) to a tenth of
// its peak. Step s draws from Rng(seed, s) alone, so a resumed run sees the same batches.
#pragma once

#include <cstdint>
#include <vector>

#include "eigenformer/core/rng.hpp"
#include "eigenformer/optim/adam.hpp"
#include "eigenformer/optim/schedule.hpp"
#include "eigenformer/text/chat_format.hpp"
#include "eigenformer/train/trainer.hpp"

namespace eigenformer {

struct FineTuneOptions {
  Index rows = 16, time = 127;  // the batch: rows of `time` positions, whole conversations packed in each
  double learning_rate = 3e-3;  // the peak (AdamW, its default weight decay)
  Index warmup = 50;
  std::uint64_t seed = 1;
  TrainingOptions training;  // steps, CSV log, checkpoints, progress
};

/// Trains `model` on conversations from draw_conversation(rng) (a Conversation each).
template <class Model, class Tokenizer, class DrawConversation>
std::vector<StepRecord> fine_tune(Model& model, const Tokenizer& tokenizer, DrawConversation&& draw_conversation,
                                  const FineTuneOptions& options) {
  AdamWOptions adam;
  adam.lr = options.learning_rate;
  AdamW<typename Model::Scalar> optimizer(model.parameter_list(), adam);
  const int pad = ChatTokens::of(tokenizer).bos;
  const auto next_batch = [&](Index step, Index micro_step) {
    Rng rng(options.seed * 7919 + std::uint64_t(step) * 31 + std::uint64_t(micro_step));
    std::vector<RenderedConversation> rendered;
    rendered.reserve(std::size_t(4 * options.rows));
    for (Index i = 0; i < 4 * options.rows; ++i)  // more than the rows hold: packing takes what fits
      rendered.push_back(render_conversation(tokenizer, draw_conversation(rng), options.time + 1));
    Batch batch;
    pack_conversations(rendered, options.rows, options.time, pad, batch);
    return batch;
  };
  const double peak = options.learning_rate;
  return train(model, optimizer, WarmupCosineSchedule{peak, options.warmup, options.training.steps, peak / 10},
               next_batch, options.training);
}

}  // namespace eigenformer
