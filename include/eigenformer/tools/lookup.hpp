// A lookup tool: facts the model reads at answer time from a file the user edits, so
// that what it answers can change without retraining (Lewis et al., 2020, retrieval-
// augmented generation, in its simplest form: an exact key).
//
// The file is tab-separated, one fact per line:   key <TAB> value
// Blank lines and lines starting with '#' are skipped; a key given twice, a line without
// a tab, an empty key, a value over max_value_bytes or a file over max_file_bytes is a
// named error at load (checked before the file is read). call(key) answers the value, or
// throws "no entry for ..." (the model reads that as the answer: it does not know).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/error.hpp"
#include "eigenformer/tools/tool.hpp"

namespace eigenformer {

struct LookupLimits {
  std::uint64_t max_file_bytes = 1 << 20;  // 1 MiB of facts
  std::size_t max_value_bytes = 256;       // an answer the model reads, not a document
};

class Lookup : public Tool {
 public:
  /// Facts from a tab-separated file (see above), checked whole before use.
  static Lookup load(const std::string& path, const LookupLimits& limits = {}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    EF_CHECK(error || size <= limits.max_file_bytes,
             "'" << path << "' has " << size << " bytes, more than the " << limits.max_file_bytes << " allowed");
    return parse(read_text_file(path, limits.max_file_bytes), path, limits);
  }

  /// Facts from text in the file's format; `source` names it in errors.
  static Lookup parse(std::string_view text, const std::string& source, const LookupLimits& limits = {}) {
    Lookup lookup;
    std::size_t line_number = 0;
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      const std::size_t tab = line.find('\t');
      EF_CHECK(tab != std::string_view::npos,
               "'" << source << "' line " << line_number << ": expected \"key<TAB>value\", found no tab");
      const std::string key = trimmed(line.substr(0, tab)), value = trimmed(line.substr(tab + 1));
      EF_CHECK(!key.empty(), "'" << source << "' line " << line_number << ": the key is empty");
      EF_CHECK(value.size() <= limits.max_value_bytes, "'" << source << "' line " << line_number << ": the value has "
                                                           << value.size() << " bytes, more than "
                                                           << limits.max_value_bytes);
      EF_CHECK(lookup.facts_.emplace(key, value).second,
               "'" << source << "' line " << line_number << ": the key '" << key << "' is given twice");
    }
    return lookup;
  }

  std::string name() const override { return "lookup"; }

  std::string call(std::string_view argument) const override {
    const auto found = facts_.find(trimmed(argument));
    EF_CHECK(found != facts_.end(), "no entry for '" << trimmed(argument).substr(0, 64) << "'");
    return found->second;
  }

  std::size_t size() const { return facts_.size(); }

  /// Every key, sorted.
  std::vector<std::string> keys() const {
    std::vector<std::string> all;
    all.reserve(facts_.size());
    for (const auto& [key, value] : facts_) all.push_back(key);
    std::sort(all.begin(), all.end());
    return all;
  }

 private:
  static std::string trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return std::string(text);
  }

  std::unordered_map<std::string, std::string> facts_;
};

}  // namespace eigenformer
