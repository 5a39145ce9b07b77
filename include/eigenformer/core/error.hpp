// Errors at API boundaries.
//
// Every check that guards outside input (a shape, a token id, a config, a file)
// throws eigenformer::Error with a message that names the offending values, so a
// student sees "token id 70 is outside the vocabulary [0, 64)" instead of a crash
// or silent garbage. Inside hot loops we rely on these boundary checks and on
// Eigen's debug-mode asserts instead.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace eigenformer {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace eigenformer

/// EF_CHECK(condition, message...) throws eigenformer::Error when condition is
/// false. The message is a stream expression, so values can be spliced in:
///   EF_CHECK(width % heads == 0, "width " << width << " is not divisible by " << heads);
#define EF_CHECK(condition, message)                      \
  do {                                                    \
    if (!(condition)) {                                   \
      std::ostringstream ef_check_stream_;                \
      ef_check_stream_ << message; /* NOLINT */           \
      throw ::eigenformer::Error(ef_check_stream_.str()); \
    }                                                     \
  } while (false)
