// GPT-2's pre-splitting of text into chunks before byte-pair encoding, written by hand.
//
// GPT-2 (Radford et al., 2019) first cuts text with the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// so merges never cross a word boundary, and a word carries its leading space
// (" world" is one chunk). Here, scanning left to right, a chunk is:
//   1. a contraction: 's 't 're 've 'm 'll 'd
//   2. an optional single space, then a run of letters, or of digits, or of other symbols
//   3. a run of whitespace; if a non-space follows, its last character is left out
//      (a final ' ' becomes the next word's leading space)
// Character classes without Unicode tables: ASCII as usual; beyond ASCII, the common
// spaces are whitespace, general punctuation, symbols and emoji are "other", the rest
// counts as letters. Bytes that are not valid UTF-8 count as "other", one byte each,
// so any byte string splits (byte-level BPE must accept everything).
// Unlike GPT-2, a run is cut after kMaxChunkBytes (at a character boundary): text
// without spaces (a URL, Chinese, a megabyte of one letter) would otherwise be one
// chunk, and BPE's work per merge, training and encoding, grows with a chunk's length.
#pragma once

#include <string_view>
#include <vector>

#include "eigenformer/text/utf8.hpp"

namespace eigenformer {

/// Longer than any word of a natural language written with spaces (64 bytes: 64 ASCII
/// letters, 21 Chinese characters).
inline constexpr std::size_t kMaxChunkBytes = 64;

enum class CharacterClass { kLetter, kDigit, kSpace, kOther };

inline CharacterClass classify(char32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharacterClass::kLetter;
  if (c >= '0' && c <= '9') return CharacterClass::kDigit;
  if (c == ' ' || (c >= '\t' && c <= '\r')) return CharacterClass::kSpace;
  if (c < 0x80) return CharacterClass::kOther;
  if (c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
      c == 0x202F || c == 0x205F || c == 0x3000)
    return CharacterClass::kSpace;
  if ((c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x2BFF) ||
      (c >= 0x3001 && c <= 0x303F) || c >= 0x1F000)
    return CharacterClass::kOther;
  return CharacterClass::kLetter;
}

/// The chunks of text, as views into it, in order; concatenated they give the text back.
inline std::vector<std::string_view> pre_split(std::string_view text) {
  // Each character's byte length and class (an invalid byte: length 1, "other").
  const auto character_at = [&](std::size_t offset, CharacterClass& kind) {
    char32_t c = 0;
    const std::size_t length = decode_utf8_at(text, offset, c);
    kind = length == 0 ? CharacterClass::kOther : classify(c);
    return length == 0 ? std::size_t(1) : length;
  };
  const auto class_at = [&](std::size_t offset) {
    CharacterClass kind;
    character_at(offset, kind);
    return kind;
  };

  std::vector<std::string_view> chunks;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const std::size_t start = i;
    if (text[i] == '\'') {  // 1. contractions
      bool matched = false;
      for (std::string_view suffix : {"s", "t", "re", "ve", "m", "ll", "d"})
        if (text.substr(i + 1, suffix.size()) == suffix) {
          chunks.push_back(text.substr(i, 1 + suffix.size()));
          i += 1 + suffix.size();
          matched = true;
          break;
        }
      if (matched) continue;
    }
    std::size_t j = i;
    if (text[j] == ' ' && j + 1 < n && class_at(j + 1) != CharacterClass::kSpace) ++j;  // 2. optional space
    const CharacterClass kind = class_at(j);
    if (kind != CharacterClass::kSpace) {
      while (j < n) {  // the run of one class, at most kMaxChunkBytes
        CharacterClass here;
        const std::size_t length = character_at(j, here);
        if (here != kind || (j + length - start > kMaxChunkBytes && j > start)) break;
        j += length;
      }
      chunks.push_back(text.substr(start, j - start));
      i = j;
      continue;
    }
    std::size_t k = i;  // 3. whitespace run [i, k)
    std::vector<std::size_t> starts;
    while (k < n) {
      CharacterClass here;
      const std::size_t length = character_at(k, here);
      if (here != CharacterClass::kSpace || (k + length - start > kMaxChunkBytes && k > start)) break;
      starts.push_back(k);
      k += length;
    }
    if (k < n && starts.size() >= 2) k = starts.back();  // leave the last one for the next chunk
    chunks.push_back(text.substr(start, k - start));
    i = k;
  }
  return chunks;
}

}  // namespace eigenformer
