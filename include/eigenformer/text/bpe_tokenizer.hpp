// Byte-level byte-pair encoding, as in GPT-2 (Sennrich et al., 2016; Radford et al., 2019).
//
// Start from the 256 byte values as tokens, so any text (any bytes at all) can be
// encoded. Training repeats: count every adjacent pair of tokens in the training
// text, merge the most frequent pair into a new token, until the vocabulary has the
// size asked for. Encoding replays the merges in the order they were learned.
// Text is first cut into chunks (pre_split.hpp) so merges stay inside words.
//
// Training is incremental: each chunk is stored once with its count, a pair's count
// is kept up to date as merges change the chunks that contain it (and only the pairs
// around each merge), and a heap finds the most frequent pair. Ties go to the smallest pair of ids.
// Special tokens ("<|endoftext|>") are registered by name after training; ordinary
// text that contains one is refused unless it is explicitly allowed.
//
// File format (text): "eigenformer bpe tokenizer 2", then "merges N" and N lines
// "a b" (merge i makes token 256 + i from tokens a and b), then "special M" and M
// lines, each a special token's text (token 256 + N + i), a line "end", and a last
// line "crc32 xxxxxxxx", the checksum of the lines before it (core/binary_file.hpp), also
// the tokenizer's fingerprint. Version 1 files (no checksum) still load.
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/os.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/text/pre_split.hpp"
#include "eigenformer/text/special_tokens.hpp"

namespace eigenformer {

class BPETokenizer {
 public:
  static constexpr std::string_view kHeader = "eigenformer bpe tokenizer 2";
  static constexpr std::string_view kHeaderVersion1 = "eigenformer bpe tokenizer 1";

  BPETokenizer() {
    for (int byte = 0; byte < 256; ++byte) vocab_.push_back(std::string(1, char(byte)));
  }

  Index vocab_size() const { return Index(vocab_.size()) + specials_.size(); }
  const std::vector<std::pair<int, int>>& merges() const { return merges_; }

  /// The bytes a token stands for (a special token: its text).
  const std::string& token_bytes(int id) const {
    check_id(id);
    return specials_.contains(id) ? specials_.text(id) : vocab_[std::size_t(id)];
  }

  /// Learns merges on text until the vocabulary holds vocab_size tokens (or no pair is left).
  void train(std::string_view text, Index vocab_size, bool show_progress = false) {
    EF_CHECK(vocab_size >= 256, "a byte-level vocabulary needs at least 256 tokens, got " << vocab_size);
    EF_CHECK(merges_.empty() && specials_.size() == 0,
             "train a fresh tokenizer: this one already has merges or specials");
    // Each distinct chunk once, with how often it occurs.
    std::unordered_map<std::string_view, std::int64_t> chunk_counts;
    for (std::string_view chunk : pre_split(text)) ++chunk_counts[chunk];
    std::vector<std::vector<int>> words;
    std::vector<std::int64_t> counts;
    for (const auto& [chunk, count] : chunk_counts) {
      words.emplace_back(chunk.begin(), chunk.end());
      for (int& token : words.back()) token = int(static_cast<unsigned char>(token));
      counts.push_back(count);
    }
    std::unordered_map<std::uint64_t, std::int64_t> pair_counts;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> words_with_pair;
    std::priority_queue<std::pair<std::int64_t, std::uint64_t>, std::vector<std::pair<std::int64_t, std::uint64_t>>,
                        HeapOrder>
        heap;
    std::unordered_set<std::uint64_t> changed;
    // The count of pair (a, b) changes by `delta` occurrences in word w; a word is listed
    // under each pair it gains (a list may hold words that lost the pair since: merging
    // there changes nothing).
    const auto count_pair = [&](int a, int b, std::int64_t delta, std::size_t w) {
      const std::uint64_t key = pair_key(a, b);
      pair_counts[key] += delta;
      if (delta > 0) words_with_pair[key].push_back(w);
      changed.insert(key);
    };
    for (std::size_t w = 0; w < words.size(); ++w)
      for (std::size_t i = 0; i + 1 < words[w].size(); ++i) count_pair(words[w][i], words[w][i + 1], counts[w], w);
    // Merging in word w changes only the pairs around each merge: the old pairs that touch
    // a merged position go, the new pairs that hold the new token come. The work per merge
    // is the number of places it merges, not the length of the words it touches.
    const auto merge_in_word = [&](std::size_t w, int first, int second, int id) {
      std::vector<bool> merged;
      std::vector<int> word = merge_pair(words[w], first, second, id, &merged);
      const std::vector<int>& old = words[w];
      for (std::size_t i = 0; i + 1 < old.size(); ++i)
        if (merged[i] || merged[i + 1]) count_pair(old[i], old[i + 1], -counts[w], w);
      for (std::size_t i = 0; i + 1 < word.size(); ++i)
        if (word[i] == id || word[i + 1] == id) count_pair(word[i], word[i + 1], counts[w], w);
      words[w] = std::move(word);
    };

    const Index merges_wanted = vocab_size - 256;
    std::vector<std::size_t> last_visit(words.size(), std::size_t(-1));
    while (Index(merges_.size()) < merges_wanted) {
      for (std::uint64_t key : changed) heap.push({pair_counts[key], key});
      changed.clear();
      while (!heap.empty() && (heap.top().first != pair_counts[heap.top().second] || heap.top().first <= 0)) heap.pop();
      if (heap.empty()) break;  // every chunk is a single token: nothing left to merge
      const std::uint64_t best = heap.top().second;
      heap.pop();
      const int first = int(best >> 32), second = int(best & 0xFFFFFFFF), id = int(vocab_.size());
      add_merge(first, second);
      for (std::size_t w : words_with_pair[best]) {
        if (last_visit[w] == merges_.size()) continue;  // listed twice
        last_visit[w] = merges_.size();
        merge_in_word(w, first, second, id);
      }
      words_with_pair.erase(best);
      if (show_progress && (merges_.size() % 100 == 0 || Index(merges_.size()) == merges_wanted)) {
        std::printf(os::is_terminal(stdout) ? "\rBPE: %zu/%lld merges" : "BPE: %zu/%lld merges\n", merges_.size(),
                    static_cast<long long>(merges_wanted));
        std::fflush(stdout);
      }
    }
    if (show_progress && os::is_terminal(stdout)) std::printf("\n");
  }

  /// Registers a special token by its text; returns its id. Register after training.
  int add_special_token(const std::string& text) {
    if (specials_.size() == 0) specials_ = SpecialTokens(Index(vocab_.size()));  // ids after the merges
    return specials_.add(text);
  }

  int special_token_id(const std::string& text) const { return specials_.id(text); }

  /// Encodes text. A registered special token's text inside it is an error unless it
  /// is in `allowed_special`, in which case it becomes that special token.
  Tokens encode(std::string_view text, const std::set<std::string>& allowed_special = {}) const {
    return specials_.encode(text, allowed_special, [&](std::string_view part) { return encode_ordinary(part); });
  }

  /// Encodes any bytes as ordinary text: special tokens' texts are just bytes here.
  Tokens encode_ordinary(std::string_view text) const {
    Tokens tokens;
    for (std::string_view chunk : pre_split(text)) {
      std::vector<int> word(chunk.begin(), chunk.end());
      for (int& token : word) token = int(static_cast<unsigned char>(token));
      while (word.size() > 1) {  // apply the earliest-learned merge present, until none is
        std::size_t best_rank = merges_.size();
        for (std::size_t i = 0; i + 1 < word.size(); ++i) {
          const auto found = merge_rank_.find(pair_key(word[i], word[i + 1]));
          if (found != merge_rank_.end()) best_rank = std::min(best_rank, found->second);
        }
        if (best_rank == merges_.size()) break;
        word = merge_pair(word, merges_[best_rank].first, merges_[best_rank].second, int(256 + best_rank));
      }
      tokens.insert(tokens.end(), word.begin(), word.end());
    }
    return tokens;
  }

  /// The bytes of the tokens, concatenated (not necessarily valid UTF-8 mid-sequence).
  std::string decode(const Tokens& tokens) const {
    std::string bytes;
    for (int id : tokens) bytes += token_bytes(id);
    return bytes;
  }

  /// The file's text, without its checksum line.
  std::string serialized() const {
    std::ostringstream text;
    text << kHeader << "\nmerges " << merges_.size() << "\n";
    for (const auto& [a, b] : merges_) text << a << " " << b << "\n";
    text << "special " << specials_.size() << "\n";
    for (const auto& special : specials_.texts()) text << special << "\n";
    text << "end\n";
    return text.str();
  }

  /// The CRC-32 of the merges and specials as saved: equal fingerprints, the same token ids.
  std::uint32_t fingerprint() const { return crc32(serialized()); }

  void save(const std::string& path) const { write_text_file(path, with_checksum_line(serialized())); }

  static BPETokenizer load(const std::string& path) {
    const std::string file = read_text_file(path);
    std::string line = file.substr(0, file.find('\n'));
    EF_CHECK(line == kHeader || line == kHeaderVersion1, "'" << path << "' is not a BPE tokenizer (first line \""
                                                             << line.substr(0, 60) << "\", expected \"" << kHeader
                                                             << "\")");
    std::istringstream in(without_checksum_line(file, path, line == kHeader));
    std::getline(in, line);
    BPETokenizer tokenizer;
    const auto read_count = [&](const std::string& label) {
      std::getline(in, line);
      std::istringstream fields(line);
      std::string word;
      long long count = -1;
      fields >> word >> count;
      EF_CHECK(in && word == label && count >= 0 && count <= (1 << 24),
               "'" << path << "': expected a line \"" << label << " <count>\", got \"" << line.substr(0, 60) << "\"");
      return count;
    };
    const long long merges = read_count("merges");
    for (long long i = 0; i < merges; ++i) {
      long long a = -1, b = -1;
      std::getline(in, line);
      std::istringstream fields(line);
      fields >> a >> b;
      EF_CHECK(in && fields && a >= 0 && b >= 0 && a < 256 + i && b < 256 + i,
               "'" << path << "' is truncated or corrupt at merge " << i << " of " << merges << ": \""
                   << line.substr(0, 60) << "\"");
      tokenizer.add_merge(int(a), int(b));
    }
    const long long specials = read_count("special");
    for (long long i = 0; i < specials; ++i) {
      EF_CHECK(std::getline(in, line), "'" << path << "' is truncated at special token " << i << " of " << specials);
      tokenizer.add_special_token(line);
    }
    EF_CHECK(std::getline(in, line) && line == "end", "'" << path << "' is truncated or corrupt: no \"end\" line");
    return tokenizer;
  }

 private:
  struct HeapOrder {  // most frequent first; among equals, the smallest pair
    bool operator()(const std::pair<std::int64_t, std::uint64_t>& a,
                    const std::pair<std::int64_t, std::uint64_t>& b) const {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    }
  };

  static std::uint64_t pair_key(int a, int b) { return std::uint64_t(std::uint32_t(a)) << 32 | std::uint32_t(b); }

  /// word with every (first, second), left to right, replaced by id. Given `replaced`,
  /// it marks the positions of word that became part of an id.
  static std::vector<int> merge_pair(const std::vector<int>& word, int first, int second, int id,
                                     std::vector<bool>* replaced = nullptr) {
    std::vector<int> merged;
    if (replaced) replaced->assign(word.size(), false);
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
        merged.push_back(id);
        if (replaced) (*replaced)[i] = (*replaced)[i + 1] = true;
        ++i;
      } else {
        merged.push_back(word[i]);
      }
    }
    return merged;
  }

  void add_merge(int first, int second) {
    merge_rank_[pair_key(first, second)] = merges_.size();
    merges_.emplace_back(first, second);
    vocab_.push_back(vocab_[std::size_t(first)] + vocab_[std::size_t(second)]);
  }

  void check_id(int id) const {
    EF_CHECK(id >= 0 && id < vocab_size(),
             "token id " << id << " is outside the vocabulary [0, " << vocab_size() << ")");
  }

  std::vector<std::pair<int, int>> merges_;
  std::unordered_map<std::uint64_t, std::size_t> merge_rank_;
  std::vector<std::string> vocab_;  // bytes of each ordinary token: 256 bytes, then merges
  SpecialTokens specials_;          // texts of the special tokens, ids after the merges
};

}  // namespace eigenformer
