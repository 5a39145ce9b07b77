// Cutting the indices 0 .. total-1 into `parts` consecutive pieces of near-equal size:
// how work is shared over threads (row slabs of a product, slabs of an optimizer's
// numbers) and how gemm.hpp cuts a product into pieces its BLAS kernels take whole.
#pragma once

#include "eigenformer/core/types.hpp"

namespace eigenformer::fast {

struct Piece {
  Index begin, count;  // indices begin .. begin+count-1
};

/// Piece `part` of `parts`: sizes differ by at most one, and the pieces cover every index once.
inline Piece even_piece(Index total, Index parts, Index part) {
  const Index begin = total * part / parts;
  return {begin, total * (part + 1) / parts - begin};
}

}  // namespace eigenformer::fast
