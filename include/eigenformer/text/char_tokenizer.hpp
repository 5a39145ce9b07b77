// Character-level tokenizer: one token per character (Unicode code point) of a text.
//
// The vocabulary is the sorted set of distinct characters in the text it was built
// from, so "hello" gives ['e', 'h', 'l', 'o'] and encode("hell") = [1, 0, 2, 2].
// The simplest way text becomes numbers: tiny vocabularies, long sequences.
// File format (text): a first line "eigenformer char tokenizer 1", a line with the
// number of characters, each character's code point in decimal, one per line, and a
// last line "end" (so a cut-off file is always noticed).
#pragma once

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/types.hpp"
#include "eigenformer/io/binary_file.hpp"
#include "eigenformer/text/utf8.hpp"

namespace eigenformer {

class CharTokenizer {
 public:
  static constexpr std::string_view kHeader = "eigenformer char tokenizer 1";

  /// The vocabulary of a text: its distinct characters, sorted. Throws on invalid UTF-8.
  static CharTokenizer from_text(std::string_view text) {
    std::vector<char32_t> characters = decode_utf8(text);
    std::sort(characters.begin(), characters.end());
    characters.erase(std::unique(characters.begin(), characters.end()), characters.end());
    return CharTokenizer(std::move(characters));
  }

  explicit CharTokenizer(std::vector<char32_t> characters) : characters_(std::move(characters)) {
    for (std::size_t id = 0; id < characters_.size(); ++id) {
      encode_utf8(characters_[id]);  // validates the code point
      EF_CHECK(ids_.emplace(characters_[id], int(id)).second,
               "character U+" << std::hex << std::uint32_t(characters_[id]) << " is in the vocabulary twice");
    }
  }

  Index vocab_size() const { return Index(characters_.size()); }

  Tokens encode(std::string_view text) const {
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
      text += encode_utf8(characters_[std::size_t(id)]);
    }
    return text;
  }

  void save(const std::string& path) const {
    std::ostringstream lines;
    lines << kHeader << "\n" << characters_.size() << "\n";
    for (char32_t c : characters_) lines << std::uint32_t(c) << "\n";
    lines << "end\n";
    write_text_file(path, lines.str());
  }

  static CharTokenizer load(const std::string& path) {
    std::ifstream in(path);
    EF_CHECK(in.is_open(), "cannot open '" << path << "'");
    std::string header;
    std::getline(in, header);
    EF_CHECK(header == kHeader, "'" << path << "' is not a char tokenizer (first line \"" << header.substr(0, 60)
                                    << "\", expected \"" << kHeader << "\")");
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
    std::string end;
    in >> end;
    EF_CHECK(end == "end", "'" << path << "' is truncated or corrupt: no \"end\" after " << count << " characters");
    return CharTokenizer(std::move(characters));
  }

 private:
  std::vector<char32_t> characters_;
  std::map<char32_t, int> ids_;
};

}  // namespace eigenformer
