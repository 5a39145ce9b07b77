// CRC-32: a 32-bit checksum that proves a file is the one that was written.
//
// The bytes are read as one long polynomial over GF(2) and divided by the generator
// 0x04C11DB7 (written bit-reversed, 0xEDB88320, because the bits enter least
// significant first); the remainder is the checksum. Any burst of flipped bits up to
// 32 long changes it, and a random corruption goes unnoticed with odds 2^-32. It is
// the CRC of zip, gzip and PNG: crc32("123456789") = 0xCBF43926. A table of the
// remainders of all 256 bytes turns the bit-by-bit division into one lookup per byte.
// Update with crc32(next, previous) to checksum a file in pieces.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace eigenformer {

namespace crc32_detail {

inline constexpr std::array<std::uint32_t, 256> kTable = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t remainder = byte;
    for (int bit = 0; bit < 8; ++bit) remainder = (remainder & 1) ? (remainder >> 1) ^ 0xEDB88320u : remainder >> 1;
    table[byte] = remainder;
  }
  return table;
}();

}  // namespace crc32_detail

/// The CRC-32 of `bytes`, continuing from the CRC of the bytes before them (0 at the start).
inline std::uint32_t crc32(std::string_view bytes, std::uint32_t previous = 0) {
  std::uint32_t crc = ~previous;
  for (const char c : bytes) crc = crc32_detail::kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

}  // namespace eigenformer
