// What every example's command line shares: validators CLI11 lacks, and the check
// that what a program printed reached its destination.
#pragma once

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <eigenformer/core/error.hpp>
#include <string>

namespace examples {

/// Accepts only finite numbers. CLI11's ranges let NaN through (every comparison with
/// NaN is false), and "inf" parses as a number.
inline const CLI::Validator kFinite(
    [](const std::string& text) {
      return std::isfinite(std::strtod(text.c_str(), nullptr)) ? std::string() : "not a finite number: " + text;
    },
    "FINITE");

/// Throws if standard output could not be written (a full disk under `> file`, a closed
/// pipe): printf does not say, so without this a program would exit 0 having lost its output.
inline void check_standard_output() {
  EF_CHECK(std::fflush(stdout) == 0 && !std::ferror(stdout),
           "writing the standard output failed: " << std::strerror(errno));
}

}  // namespace examples
