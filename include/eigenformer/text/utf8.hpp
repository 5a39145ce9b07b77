// UTF-8: how text becomes bytes (RFC 3629).
//
// A code point U+0000..U+10FFFF is stored in 1 to 4 bytes:
//   0xxxxxxx                              U+0000..U+007F (ASCII)
//   110xxxxx 10xxxxxx                     U+0080..U+07FF
//   1110xxxx 10xxxxxx 10xxxxxx            U+0800..U+FFFF (not U+D800..U+DFFF)
//   11110xxx 10xxxxxx 10xxxxxx 10xxxxxx   U+10000..U+10FFFF
// Decoding refuses what is not UTF-8: stray continuation bytes, truncated
// sequences, overlong forms, surrogates and values past U+10FFFF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/error.hpp"

namespace eigenformer {

/// Decodes one code point starting at text[offset]; returns 0 bytes used if invalid.
inline std::size_t decode_utf8_at(std::string_view text, std::size_t offset, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[offset + i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t value = 0, minimum = 0;
  if (lead < 0x80) return code_point = lead, 1;
  if ((lead & 0xE0) == 0xC0)
    length = 2, value = lead & 0x1F, minimum = 0x80;
  else if ((lead & 0xF0) == 0xE0)
    length = 3, value = lead & 0x0F, minimum = 0x800;
  else if ((lead & 0xF8) == 0xF0)
    length = 4, value = lead & 0x07, minimum = 0x10000;
  else
    return 0;  // a continuation byte or 0xF8..0xFF where a character should start
  if (offset + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return length;
}

/// All code points of text; throws naming the byte offset of the first invalid sequence.
inline std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> code_points;
  for (std::size_t offset = 0; offset < text.size();) {
    char32_t code_point = 0;
    const std::size_t used = decode_utf8_at(text, offset, code_point);
    EF_CHECK(used > 0, "invalid UTF-8 at byte " << offset << " (byte 0x" << std::hex
                                                << int(static_cast<unsigned char>(text[offset])) << ")");
    code_points.push_back(code_point);
    offset += used;
  }
  return code_points;
}

/// Throws unless all of text is UTF-8, naming where it came from (a file) and the byte
/// offset and line of the first invalid sequence: check a file before it is reordered,
/// so the offset is the file's.
inline void check_utf8(std::string_view text, const std::string& source) {
  for (std::size_t offset = 0, line = 1; offset < text.size();) {
    char32_t code_point = 0;
    const std::size_t used = decode_utf8_at(text, offset, code_point);
    EF_CHECK(used > 0, "'" << source << "' is not UTF-8: invalid byte 0x" << std::hex
                           << int(static_cast<unsigned char>(text[offset])) << std::dec << " at byte " << offset
                           << " (line " << line << ")");
    line += code_point == '\n';
    offset += used;
  }
}

inline std::string encode_utf8(char32_t c) {
  EF_CHECK(c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF),
           "U+" << std::hex << std::uint32_t(c) << " is not a Unicode scalar value");
  std::string out;
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
  return out;
}

}  // namespace eigenformer
