// Grader of exercise 7 (07_bpe_merge.ipynb): student::most_frequent_pair and student::merge_pair
// on hand-made sequences, and against the first merge the library's BPETokenizer learns.
#include <string>
#include <utility>
#include <vector>

#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

namespace {

using Ids = std::vector<int>;

Matrix<double> as_matrix(const Ids& ids) {
  Matrix<double> m(1, Index(ids.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) m(0, Index(i)) = ids[i];
  return m;
}

Matrix<double> as_matrix(std::pair<int, int> pair) {
  return (Matrix<double>(1, 2) << pair.first, pair.second).finished();
}

}  // namespace

int main() {
  grader::check_close("merge (1, 2) -> 9 in 1 2 3 1 2", as_matrix(student::merge_pair({1, 2, 3, 1, 2}, 1, 2, 9)),
                      as_matrix(Ids{9, 3, 9}), 0,
                      "replace every adjacent (first, second) by new_id, scanning left to right");
  grader::check_close("merge (5, 5) -> 7 in 5 5 5: occurrences do not overlap",
                      as_matrix(student::merge_pair({5, 5, 5}, 5, 5, 7)), as_matrix(Ids{7, 5}), 0,
                      "after a merge, continue after the pair: occurrences do not overlap ('aaa' becomes 'Xa')");
  grader::check_close("a pair that does not occur changes nothing", as_matrix(student::merge_pair({4, 2, 4}, 2, 2, 9)),
                      as_matrix(Ids{4, 2, 4}), 0, "tokens not part of the pair are copied as they are");
  grader::check_close("the most frequent pair of 1 2 3 1 2 3 4 2 3",
                      as_matrix(student::most_frequent_pair({1, 2, 3, 1, 2, 3, 4, 2, 3})), as_matrix(std::pair{2, 3}),
                      0, "count every adjacent pair (ids[i], ids[i + 1]); (2, 3) occurs 3 times");
  grader::check_close("a tie goes to the smallest pair",
                      as_matrix(student::most_frequent_pair({3, 4, 1, 2, 3, 4, 1, 2})), as_matrix(std::pair{1, 2}), 0,
                      "ties go to the smallest pair (first id, then second), so training is reproducible");
  grader::check_close("overlapping occurrences all count", as_matrix(student::most_frequent_pair({5, 5, 5, 1, 2})),
                      as_matrix(std::pair{5, 5}), 0,
                      "count every adjacent pair, overlapping ones too: 5 5 5 holds (5, 5) twice");

  // The library, one merge learned on text with no spaces (one pre-split chunk): the same pair, the same ids.
  const std::string text = "aaabdaaabac";
  eigenformer::BPETokenizer tokenizer;
  tokenizer.train(text, 257);
  const Ids bytes(text.begin(), text.end());
  grader::check_close("on 'aaabdaaabac': the pair the library merges first",
                      as_matrix(student::most_frequent_pair(bytes)), as_matrix(tokenizer.merges().at(0)), 0,
                      "the most frequent adjacent pair of byte ids ('a' is 97)");
  grader::check_close("on 'aaabdaaabac': the ids the library encodes with that merge",
                      as_matrix(student::merge_pair(bytes, 97, 97, 256)), as_matrix(tokenizer.encode(text)), 0,
                      "merge left to right without overlaps: 'aaab' becomes (256, 97, 98)");
  return grader::finish();
}
