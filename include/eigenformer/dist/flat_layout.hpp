// Every parameter of a model laid end to end in one flat buffer, so that one MPI call
// moves them all (one allreduce of N numbers beats a hundred small ones: each call pays
// a latency, and the ring algorithm needs long buffers to reach full bandwidth).
//
//   flat = [ wte (V*C) | blocks.0.attn.qkv.weight (C*3C) | ... | padding ]
// The padding (zeros) makes the length a multiple of the rank count, so the buffer splits
// into `ranks` equal slices: ZeRO-1 gives rank r the optimizer state of slice r.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/parameter.hpp"

namespace eigenformer::dist {

template <class S>
class FlatLayout {
 public:
  FlatLayout(std::vector<Parameter<S>*> parameters, int ranks) : parameters_(std::move(parameters)), ranks_(ranks) {
    EF_CHECK(ranks >= 1, "dist: a flat layout needs at least one rank, got " << ranks);
    offsets_.reserve(parameters_.size());
    for (const auto* p : parameters_) {
      offsets_.push_back(parameter_count_);
      parameter_count_ += p->size();
    }
    slice_size_ = (parameter_count_ + ranks - 1) / ranks;
  }

  Index parameter_count() const { return parameter_count_; }  // without the padding
  Index size() const { return slice_size_ * ranks_; }         // with it
  Index slice_size() const { return slice_size_; }
  const std::vector<Parameter<S>*>& parameters() const { return parameters_; }

  /// flat <- every gradient, padding 0. flat holds size() numbers.
  void copy_gradients_to(S* flat) const {
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      const Matrix<S>& grad = parameters_[i]->grad;
      std::copy(grad.data(), grad.data() + grad.size(), flat + offsets_[i]);
    }
    std::fill(flat + parameter_count_, flat + size(), S(0));
  }
  /// every gradient <- scale * its part of flat; every value <- its part of flat.
  void set_gradients_from(const S* flat, S scale) const {
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      Matrix<S>& grad = parameters_[i]->grad;
      std::transform(flat + offsets_[i], flat + offsets_[i] + grad.size(), grad.data(),
                     [scale](S x) { return scale * x; });
    }
  }
  void set_values_from(const S* flat) const {
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      Matrix<S>& value = parameters_[i]->value;
      std::copy(flat + offsets_[i], flat + offsets_[i] + value.size(), value.data());
    }
  }

  /// The parameters slice `rank` covers, piece by piece: visit(parameter, its first index
  /// in the slice, the piece's first index within the parameter, the piece's length).
  template <class Visit>
  void for_each_piece_of_slice(int rank, Visit&& visit) const {
    const Index begin = Index(rank) * slice_size_, end = begin + slice_size_;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      const Index first = std::max(begin, offsets_[i]), last = std::min(end, offsets_[i] + parameters_[i]->size());
      if (first < last) visit(*parameters_[i], first - begin, first - offsets_[i], last - first);
    }
  }

 private:
  std::vector<Parameter<S>*> parameters_;
  int ranks_;
  std::vector<Index> offsets_;
  Index parameter_count_ = 0, slice_size_ = 0;
};

}  // namespace eigenformer::dist
