// The library's common float instances, compiled once (see include/eigenformer/prebuilt.hpp).
#include "eigenformer/prebuilt.hpp"

namespace eigenformer {
const int prebuilt_layout::EIGENFORMER_PREBUILT_LAYOUT = EIGEN_MAX_ALIGN_BYTES;
EIGENFORMER_PREBUILT_INSTANCES(, float)
}  // namespace eigenformer
