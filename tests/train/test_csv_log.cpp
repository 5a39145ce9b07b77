#include <eigenformer/train/csv_log.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "CsvLog: a header, then one row per write, and a continued log keeps rows up to its step, never a second header") {
  const std::string path = (std::filesystem::temp_directory_path() / "eigenformer_test_csv_log.csv").string();
  {
    CsvLog log(path, {"step", "loss"});
    for (double step : {1, 2, 3}) log.write({step, 2.5});
  }
  {  // a run stopped after step 3, its checkpoint saved at step 2: step 3 is written again
    CsvLog log = CsvLog::continued(path, {"step", "loss"}, 2);
    log.write({3, 0.125});
  }
  CHECK(read_all(path) == "step,loss\n1,2.5\n2,2.5\n3,0.125\n");
  testing::require_error_mentions(
      [&] {
        CsvLog::continued(path, {"step", "accuracy"}, 2);
      },
      {"has the columns \"step,loss", "not this run's log"});
  std::filesystem::remove(path);
  CsvLog::continued(path, {"step", "loss"}, 5).write({6, 1});  // nothing to continue: a new log
  CHECK(read_all(path) == "step,loss\n6,1\n");
  std::filesystem::remove(path);
}

TEST_CASE("CsvLog: a row of the wrong width, an unwritable path and a full disk are named errors") {
  const std::string path = (std::filesystem::temp_directory_path() / "eigenformer_test_csv_width.csv").string();
  CsvLog log(path, {"a", "b"});
  testing::require_error_mentions([&] { log.write({1, 2, 3}); }, {"3 values for 2 columns"});
  std::filesystem::remove(path);
  testing::require_error_mentions([] { CsvLog("/nonexistent-folder/x.csv", {"a"}); },
                                  {"cannot write the CSV log", "/nonexistent-folder/x.csv"});
  if (!std::filesystem::exists("/dev/full")) {
    MESSAGE("SKIPPED: no /dev/full to stand for a full disk");
    return;
  }
  // /dev/full opens, and every write to it fails with ENOSPC: the header's flush must say so.
  testing::require_error_mentions([] { CsvLog("/dev/full", {"a"}); },
                                  {"writing the CSV log '/dev/full' failed", "No space left on device"});
}
