// expect: keep the token whose probability takes the sum past top_p
std::vector<double> top_p_distribution(const RowVector<double>& logits, double top_p) {
  RowVector<double> p = logits;
  softmax_row(p);
  std::vector<int> order(std::size_t(p.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p(a) > p(b); });
  std::vector<double> kept(std::size_t(p.size()), 0.0);
  double sum = 0;
  for (const int id : order) {
    if (sum + p(id) > top_p && sum > 0) break;  // stops before the token that crosses top_p
    kept[std::size_t(id)] = p(id);
    sum += p(id);
  }
  for (double& x : kept) x /= sum;
  return kept;
}
