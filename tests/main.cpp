// The test program's main: doctest's, after the speed settings our programs ask for.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <eigenformer/core/threads.hpp>

int main(int argc, char** argv) {
  eigenformer::tune_process_for_speed();
  doctest::Context context(argc, argv);
  return context.run();
}
