// A float model built from double blocks.
// expect: the block must use the model's number type
#include <eigenformer/eigenformer.hpp>

int main() { eigenformer::GPT<float, eigenformer::GPT2Block<double>> model(eigenformer::GPTConfig{}); }
