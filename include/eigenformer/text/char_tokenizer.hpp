// Character-level tokenizer: one token per character (Unicode code point) of a text.
//
// The vocabulary is the sorted set of distinct characters in the text it was built
// from, so "hello" gives ['e', 'h', 'l', 'o'] and encode("hell") = [1, 0, 2, 2].
// The simplest way text becomes numbers: tiny vocabularies, long sequences.
// Special tokens (special_tokens.hpp) take the ids after the characters.
// File format (text): a first line "eigenformer char tokenizer 3", a line with the
// number of characters, each character's code point in decimal, one per line, then
// "special M" and M lines, each a special token's text, a line "end", and a last line
// "crc32 xxxxxxxx", the checksum of the lines before it (core/binary_file.hpp): a cut-off
// or altered file is always noticed. That checksum is also the tokenizer's fingerprint,
// which a checkpoint records to refuse a model's use with another tokenizer.
// Version 2 files (no checksum) and 1 (no special tokens either) still load.
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/text/special_tokens.hpp"
#include "eigenformer/text/utf8.hpp"

namespace eigenformer {

class CharTokenizer {
 public:
  static constexpr std::string_view kHeader = "eigenformer char tokenizer 3";
  static constexpr std::string_view kHeaderVersion2 = "eigenformer char tokenizer 2";
  static constexpr std::string_view kHeaderVersion1 = "eigenformer char tokenizer 1";

  /// The vocabulary of a text: its distinct characters, sorted. Throws on invalid UTF-8.
  static CharTokenizer from_text(std::string_view text) {
    std::vector<char32_t> characters = decode_utf8(text);
    std::sort(characters.begin(), characters.end());
    characters.erase(std::unique(characters.begin(), characters.end()), characters.end());
    return CharTokenizer(std::move(characters));
  }

  explicit CharTokenizer(std::vector<char32_t> characters)
      : characters_(std::move(characters)), specials_(Index(characters_.size())) {
    for (std::size_t id = 0; id < characters_.size(); ++id) {
      encode_utf8(characters_[id]);  // validates the code point
      EF_CHECK(ids_.emplace(characters_[id], int(id)).second,
               "character U+" << std::hex << std::uint32_t(characters_[id]) << " is in the vocabulary twice");
    }
  }

  Index vocab_size() const { return Index(characters_.size()) + specials_.size(); }

  /// Registers a special token by its text; returns its id (after every character).
  int add_special_token(const std::string& text) { return specials_.add(text); }
  int special_token_id(const std::string& text) const { return specials_.id(text); }

  /// Encodes text. A registered special token's text inside it is an error unless it
  /// is in `allowed_special`, in which case it becomes that special token.
  Tokens encode(std::string_view text, const std::set<std::string>& allowed_special = {}) const {
    return specials_.encode(text, allowed_special, [&](std::string_view part) { return encode_ordinary(part); });
  }

  /// Encodes text character by character: special tokens' texts are just characters here.
  Tokens encode_ordinary(std::string_view text) const {
    Tokens tokens;
    for (char32_t c : decode_utf8(text)) {
      const auto found = ids_.find(c);
      EF_CHECK(found != ids_.end(), "character '" << encode_utf8(c) << "' (U+" << std::hex << std::uint32_t(c)
                                                  << ") is not in the vocabulary");
      tokens.push_back(found->second);
    }
    return tokens;
  }

  std::string decode(const Tokens& tokens) const {
    std::string text;
    for (int id : tokens) {
      EF_CHECK(id >= 0 && id < vocab_size(),
               "token id " << id << " is outside the vocabulary [0, " << vocab_size() << ")");
      text += specials_.contains(id) ? specials_.text(id) : encode_utf8(characters_[std::size_t(id)]);
    }
    return text;
  }

  /// The file's text, without its checksum line.
  std::string serialized() const {
    std::ostringstream lines;
    lines << kHeader << "\n" << characters_.size() << "\n";
    for (char32_t c : characters_) lines << std::uint32_t(c) << "\n";
    lines << "special " << specials_.size() << "\n";
    for (const auto& special : specials_.texts()) lines << special << "\n";
    lines << "end\n";
    return lines.str();
  }

  /// The CRC-32 of the vocabulary as saved: equal fingerprints, the same token ids.
  std::uint32_t fingerprint() const { return crc32(serialized()); }

  void save(const std::string& path) const { write_text_file(path, with_checksum_line(serialized())); }

  static CharTokenizer load(const std::string& path) {
    const std::string file = read_text_file(path);
    std::string header = file.substr(0, file.find('\n'));
    EF_CHECK(header == kHeader || header == kHeaderVersion2 || header == kHeaderVersion1,
             "'" << path << "' is not a char tokenizer (first line \"" << header.substr(0, 60) << "\", expected \""
                 << kHeader << "\")");
    std::istringstream in(without_checksum_line(file, path, header == kHeader));
    std::getline(in, header);
    long long count = -1;
    in >> count;
    EF_CHECK(in && count >= 0 && count <= 0x110000, "'" << path << "': bad character count");
    std::vector<char32_t> characters;
    for (long long i = 0; i < count; ++i) {
      long long code_point = -1;
      in >> code_point;
      EF_CHECK(in && code_point >= 0 && code_point <= 0x10FFFF,
               "'" << path << "' is truncated or corrupt at character " << i << " of " << count);
      characters.push_back(char32_t(code_point));
    }
    CharTokenizer tokenizer(std::move(characters));
    std::string line;
    std::getline(in, line);  // the end of the last code point's line
    if (header != kHeaderVersion1) {
      long long specials = -1;
      std::getline(in, line);
      EF_CHECK(std::sscanf(line.c_str(), "special %lld", &specials) == 1 && specials >= 0 && specials <= 1024,
               "'" << path << "': expected a line \"special <count>\" after the characters, got \""
                   << line.substr(0, 60) << "\"");
      for (long long i = 0; i < specials; ++i) {
        EF_CHECK(std::getline(in, line), "'" << path << "' is truncated at special token " << i << " of " << specials);
        tokenizer.add_special_token(line);
      }
    }
    EF_CHECK(std::getline(in, line) && line == "end",
             "'" << path << "' is truncated or corrupt: no \"end\" after " << count << " characters");
    return tokenizer;
  }

 private:
  std::vector<char32_t> characters_;
  std::map<char32_t, int> ids_;
  SpecialTokens specials_;
};

}  // namespace eigenformer
