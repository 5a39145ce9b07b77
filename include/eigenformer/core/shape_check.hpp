// Shape checks at layer boundaries, with messages that name the layer and sizes.
#pragma once

#include <string_view>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

/// Throws unless x has `columns` columns (the channel count a layer was built for).
template <class Derived>
void check_columns(const Eigen::MatrixBase<Derived>& x, Index columns, std::string_view where) {
  EF_CHECK(x.cols() == columns, where << ": input has " << x.cols() << " columns, expected " << columns << " (shape "
                                      << x.rows() << "x" << x.cols() << ")");
}

/// Throws unless a and b have the same shape (a gradient must match its forward output).
template <class DerivedA, class DerivedB>
void check_same_shape(const Eigen::MatrixBase<DerivedA>& a, const Eigen::MatrixBase<DerivedB>& b,
                      std::string_view where) {
  EF_CHECK(a.rows() == b.rows() && a.cols() == b.cols(),
           where << ": shape " << a.rows() << "x" << a.cols() << " does not match " << b.rows() << "x" << b.cols());
}

}  // namespace eigenformer
