// Grader of exercise 8 (08_kv_cache.ipynb): student::append and student::attend, one token at a
// time, against causal attention over the whole sequence at once (what generation must equal).
#include <limits>
#include <stdexcept>
#include <string>

#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

int main() {
  const Index time = 6, head_size = 4, capacity = 8;
  const Matrix<double> q = grader::random_matrix(time, head_size, 1), k = grader::random_matrix(time, head_size, 2),
                       v = grader::random_matrix(time, head_size, 3);
  student::HeadCache cache(capacity, head_size);
  cache.keys.setConstant(std::numeric_limits<double>::quiet_NaN());  // rows not yet written hold garbage
  cache.values.setConstant(std::numeric_limits<double>::quiet_NaN());
  Matrix<double> lengths(1, time), expected_lengths(1, time), outputs(time, head_size);
  Matrix<double> stored_keys(time, head_size), stored_values(time, head_size);
  for (Index t = 0; t < time; ++t) {
    student::append(cache, k.row(t), v.row(t));
    lengths(0, t) = double(cache.length);
    expected_lengths(0, t) = double(t + 1);
    stored_keys.row(t) = cache.keys.row(t);
    stored_values.row(t) = cache.values.row(t);
    outputs.row(t) = student::attend(cache, q.row(t));
  }
  grader::check_close("the length after each append is 1, 2, ..., 6", lengths, expected_lengths, 0,
                      "append adds 1 to length, once per position");
  grader::check_close("append stores position t's key at row t", stored_keys, k, 0,
                      "append writes row `length`, then adds 1 (the first position goes to row 0)");
  grader::check_close("append stores position t's value at row t", stored_values, v, 0,
                      "append writes row `length` of values too");
  grader::check_close("attend at each step equals uncached causal attention's row t", outputs,
                      grader::reference_causal_attention(q, k, v), 1e-10,
                      "attend reads rows [0, length) only (the rest are not written yet): scores q . k_j / sqrt(D), "
                      "softmax, weighted values");

  student::HeadCache full(2, head_size);
  student::append(full, k.row(0), v.row(0));
  student::append(full, k.row(1), v.row(1));
  bool refused = false;
  try {
    student::append(full, k.row(2), v.row(2));
  } catch (const std::length_error&) {
    refused = true;
  }
  grader::report("a full cache refuses a third position with std::length_error", refused && full.length == 2,
                 refused ? "it threw, but length is " + std::to_string(full.length) + ", expected 2"
                         : "append on a full cache did not throw std::length_error",
                 "check length < keys.rows() first; writing past the last row is undefined behaviour");
  return grader::finish();
}
