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
  write_text_file(path, "0123456789");
  testing::require_error_mentions([&] { read_text_file(path, 5); }, {"text.txt' is larger than 5 bytes"});
}

TEST_CASE("read_text_file: a read error is an error, not the end of the text, and a device is refused") {
  if (!std::filesystem::exists("/proc/self/mem") || !std::filesystem::exists("/dev/zero")) {
    MESSAGE("SKIPPED: no /proc/self/mem or /dev/zero (not Linux)");
    return;
  }
  // /proc/self/mem is a regular file whose reads at offset 0 fail with EIO: a disk's read error.
  testing::require_error_mentions([] { read_text_file("/proc/self/mem"); },
                                  {"reading '/proc/self/mem' failed after 0 bytes", "Input/output error"});
  testing::require_error_mentions([] { read_text_file("/dev/zero"); }, {"/dev/zero' is not a regular file"});
}
