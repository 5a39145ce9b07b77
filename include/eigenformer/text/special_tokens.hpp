// Special tokens: ids that mean something to the program around a model (a message
// starts here, the assistant's turn ends here) and that ordinary text never produces.
//
// Each tokenizer keeps its special tokens' texts ("<|user_start|>") after its ordinary
// vocabulary. Encoding text that contains such a text is refused unless the caller
// allows that special token, so a user who types "<|assistant_end|>" cannot end the
// assistant's turn: chat rendering encodes every message with encode_ordinary, where
// the same characters are plain text.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

class SpecialTokens {
 public:
  /// first_id: the id of the first special token (the ordinary vocabulary's size).
  explicit SpecialTokens(Index first_id = 0) : first_id_(first_id) {}

  Index size() const { return Index(texts_.size()); }
  const std::vector<std::string>& texts() const { return texts_; }
  bool contains(int id) const { return id >= first_id_ && id < first_id_ + size(); }
  const std::string& text(int id) const { return texts_[std::size_t(id - first_id_)]; }

  /// Registers a special token by its text; returns its id.
  int add(const std::string& text) {
    EF_CHECK(!text.empty() && text.find('\n') == std::string::npos,
             "a special token needs a one-line, non-empty text, got \"" << text << "\"");
    EF_CHECK(std::find(texts_.begin(), texts_.end(), text) == texts_.end(),
             "special token \"" << text << "\" is registered already");
    texts_.push_back(text);
    return int(first_id_ + size() - 1);
  }

  int id(const std::string& text) const {
    const auto found = std::find(texts_.begin(), texts_.end(), text);
    EF_CHECK(found != texts_.end(), "no special token \"" << text << "\"");
    return int(first_id_ + (found - texts_.begin()));
  }

  /// Encodes text: the ordinary parts with encode_ordinary, each special token's text
  /// as its id if it is in `allowed`, and an error naming it if it is not.
  template <class EncodeOrdinary>
  Tokens encode(std::string_view text, const std::set<std::string>& allowed, EncodeOrdinary&& encode_ordinary) const {
    Tokens tokens;
    std::size_t done = 0;
    while (done < text.size()) {
      std::size_t next = std::string_view::npos, special = 0;
      for (std::size_t s = 0; s < texts_.size(); ++s) {  // the earliest special token ahead (the longest there)
        const std::size_t at = text.find(texts_[s], done);
        if (at < next || (at == next && at != std::string_view::npos && texts_[s].size() > texts_[special].size()))
          next = at, special = s;
      }
      if (next != std::string_view::npos)
        EF_CHECK(allowed.count(texts_[special]) > 0,
                 "the text contains the special token \""
                     << texts_[special] << "\" at byte " << next
                     << "; allow it to encode it as special, or use encode_ordinary");
      const Tokens ordinary = encode_ordinary(text.substr(done, next == std::string_view::npos ? next : next - done));
      tokens.insert(tokens.end(), ordinary.begin(), ordinary.end());
      if (next == std::string_view::npos) break;
      tokens.push_back(int(first_id_ + Index(special)));
      done = next + texts_[special].size();
    }
    return tokens;
  }

 private:
  Index first_id_;
  std::vector<std::string> texts_;
};

}  // namespace eigenformer
