// Solution of exercise 7: one step of byte-pair encoding.
std::pair<int, int> most_frequent_pair(const std::vector<int>& ids) {
  std::map<std::pair<int, int>, int> counts;  // ordered: the first of equal counts is the smallest pair
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) ++counts[{ids[i], ids[i + 1]}];
  std::pair<int, int> best{};
  int best_count = 0;
  for (const auto& [pair, count] : counts)
    if (count > best_count) {
      best = pair;
      best_count = count;
    }
  return best;
}

std::vector<int> merge_pair(const std::vector<int>& ids, int first, int second, int new_id) {
  std::vector<int> merged;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i + 1 < ids.size() && ids[i] == first && ids[i + 1] == second) {
      merged.push_back(new_id);
      ++i;  // the pair's second token is used up
    } else {
      merged.push_back(ids[i]);
    }
  }
  return merged;
}
