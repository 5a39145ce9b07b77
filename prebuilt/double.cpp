// The library's common double instances, compiled once (see include/eigenformer/prebuilt.hpp).
#include "eigenformer/prebuilt.hpp"

namespace eigenformer {
EIGENFORMER_PREBUILT_INSTANCES(, double)
}  // namespace eigenformer
