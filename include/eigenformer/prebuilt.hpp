// The instances of the library's templates that most programs use, compiled once.
//
// Header-only has a price: every program compiles GPT<float>, its layers, AdamW and the
// matrix product again, and at -O2 that is most of its compile time (the README's GPT
// program's lines are a fraction of it: scripts/compile_cost.sh measures both). So the programs built in
// this tree see the common instances as `extern template`: "compiled elsewhere, do not
// compile them here". They are compiled once, in the eigenformer_prebuilt library
// (prebuilt/float.cpp and prebuilt/double.cpp), which CMake builds with the same flags
// as the programs that link it. A program that links eigenformer::prebuilt gets this
// header included before its first line (CMake's -include), so its sources stay the
// same as a header-only program's; one that does not link it never sees this file.
// Everything else (a layer of your own, GPT<float, YourBlock>) is compiled as usual.
//
// In C++'s terms: `extern template class Linear<float>;` is an explicit instantiation
// declaration, `template class Linear<float>;` (in prebuilt/float.cpp) its definition.
#pragma once

#include "eigenformer/fast/gemm.hpp"
#include "eigenformer/model/generate.hpp"
#include "eigenformer/model/gpt.hpp"
#include "eigenformer/optim/adam.hpp"

#define EIGENFORMER_PASTE_(a, b) a##b
#define EIGENFORMER_PASTE(a, b) EIGENFORMER_PASTE_(a, b)
/// The library and the program must lay Eigen's memory out alike: a matrix allocated on
/// one side with 32-byte alignment (AVX) and freed on the other with 16 (SSE) corrupts
/// the heap. So the library defines a symbol named for its alignment, and every program
/// that includes this header refers to the one named for its own: built with other flags
/// (without -march=native, say), it fails to link with "undefined reference to
/// eigenformer::prebuilt_layout::built_with_eigen_alignment_16", not at run time.
#define EIGENFORMER_PREBUILT_LAYOUT EIGENFORMER_PASTE(built_with_eigen_alignment_, EIGEN_MAX_ALIGN_BYTES)
namespace eigenformer::prebuilt_layout {
extern const int EIGENFORMER_PREBUILT_LAYOUT;
[[gnu::used]] static const int* const kLayoutCheck = &EIGENFORMER_PREBUILT_LAYOUT;
}  // namespace eigenformer::prebuilt_layout

/// The instances, for one number type S; PREFIX is `extern` here and empty in the
/// library's sources, so the two can never list different instances. (PREFIX is a
/// keyword and S a type: neither can be put in parentheses.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define EIGENFORMER_PREBUILT_INSTANCES(PREFIX, S)                                                                    \
  PREFIX template void fast::gemm_views<S>(const fast::OutputView<S>&, const fast::MatrixView<S>&,                   \
                                           const fast::MatrixView<S>&, Accumulate);                                  \
  PREFIX template class Linear<S>;                                                                                   \
  PREFIX template class LayerNorm<S>;                                                                                \
  PREFIX template class RMSNorm<S>;                                                                                  \
  PREFIX template class GELU<S>;                                                                                     \
  PREFIX template class MLP<S>;                                                                                      \
  PREFIX template class SwiGLU<S>;                                                                                   \
  PREFIX template class Dropout<S>;                                                                                  \
  PREFIX template class Rope<S>;                                                                                     \
  PREFIX template class KVCache<S>;                                                                                  \
  PREFIX template class CausalSelfAttention<S>;                                                                      \
  PREFIX template class CausalSelfAttention<S, Rope<S>>;                                                             \
  PREFIX template class TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, MLP<S>>;           /* GPT2Block */ \
  PREFIX template class TransformerBlock<S, RMSNorm<S>, CausalSelfAttention<S, Rope<S>>, SwiGLU<S>>; /* Llama */     \
  PREFIX template class TokenEmbedding<S>;                                                                           \
  PREFIX template class PositionEmbedding<S>;                                                                        \
  PREFIX template class CrossEntropy<S>;                                                                             \
  PREFIX template class GPT<S>;                                                                                      \
  PREFIX template class GPT<S, LlamaBlock<S>>;                                                                       \
  PREFIX template Tokens generate<GPT<S>>(const GPT<S>&, const Tokens&, Index, Sampler&,                             \
                                          const std::function<void(int)>&);                                          \
  PREFIX template class Adam<S>;                                                                                     \
  PREFIX template class AdamW<S>;
// NOLINTEND(bugprone-macro-parentheses)

namespace eigenformer {
EIGENFORMER_PREBUILT_INSTANCES(extern, float)
EIGENFORMER_PREBUILT_INSTANCES(extern, double)
}  // namespace eigenformer
