// Solution of exercise 6: the distribution nucleus (top-p) sampling draws from.
std::vector<double> top_p_distribution(const RowVector<double>& logits, double top_p) {
  RowVector<double> p = logits;
  softmax_row(p);  // stable
  std::vector<int> order(std::size_t(p.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p(a) > p(b); });  // ties: lower id first
  std::vector<double> kept(std::size_t(p.size()), 0.0);
  double sum = 0;
  for (const int id : order) {  // the smallest set of most likely tokens whose sum reaches top_p
    if (sum >= top_p) break;
    kept[std::size_t(id)] = p(id);
    sum += p(id);
  }
  for (double& x : kept) x /= sum;
  return kept;
}
