// A batch of training sequences: inputs and the tokens to predict at each position.
//
// tokens and targets are (B, T) row-major, flattened to B*T ids. targets[n] is the
// token that should follow position n, or -1 where nothing is to be learned
// (the prompt part of a task, padding). For plain language modelling,
// targets are the inputs shifted left by one.
#pragma once

#include "eigenformer/core/types.hpp"

namespace eigenformer {

struct Batch {
  Tokens tokens;
  Tokens targets;
  Index batch = 0;
  Index time = 0;
};

}  // namespace eigenformer
