// What every fuzz target shares: the bytes libFuzzer made become a file that a
// loader reads, and the only acceptable failure is eigenformer::Error (a clear
// message). Any other exception, a crash, a leak, a hang or a huge allocation is
// a bug: libFuzzer stops and saves the input.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <eigenformer/eigenformer.hpp>
#include <fstream>
#include <string>

namespace eigenformer::fuzz {

/// Writes the input to a file of this process's own (the loaders take paths).
inline const std::string& write_input(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/eigenformer-fuzz-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

/// Runs `load`; an eigenformer::Error is the loader doing its job.
template <class Load>
void expect_clean_failure(Load&& load) {
  try {
    load();
  } catch (const Error&) {
  }
}

}  // namespace eigenformer::fuzz
