// expect: append writes row `length`, then adds 1
// Given: the cache of one attention head. Rows [0, length) of keys and values hold the
// positions seen so far; the rows after them are not yet written.
struct HeadCache {
  Matrix<double> keys, values;  // (capacity, D)
  Index length = 0;             // positions cached
  HeadCache(Index capacity, Index head_size) : keys(capacity, head_size), values(capacity, head_size) {}
};

void append(HeadCache& cache, const Matrix<double>& k, const Matrix<double>& v) {
  if (cache.length == cache.keys.rows()) throw std::length_error("the KV cache is full");
  ++cache.length;  // counted first: the row written is one too far, and row 0 is never written
  const Index row = std::min(cache.length, cache.keys.rows() - 1);
  cache.keys.row(row) = k;
  cache.values.row(row) = v;
}

Matrix<double> attend(const HeadCache& cache, const Matrix<double>& q) {
  const auto keys = cache.keys.topRows(cache.length), values = cache.values.topRows(cache.length);
  Matrix<double> scores = q * keys.transpose() / std::sqrt(double(q.cols()));
  softmax_rows(scores);
  return scores * values;
}
