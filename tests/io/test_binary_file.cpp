#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("read_text_file: every byte back, and a directory or a missing file is an error that names it") {
  const std::string path = testing::scratch_path("text.txt");
  const std::string text = std::string("line one\nzwei \xC3\xBC\n") + std::string(1, '\0') + "after a NUL\n";
  write_text_file(path, text);
  CHECK(read_text_file(path) == text);
  write_text_file(path, "");
  CHECK(read_text_file(path).empty());
  const std::string folder = testing::scratch_path("a_folder");
  std::filesystem::create_directories(folder);
  testing::require_error_mentions([&] { read_text_file(folder); }, {"a_folder", "is a directory"});
  testing::require_error_mentions([&] { read_text_file(folder + "/none.txt"); }, {"cannot open", "none.txt"});
}
