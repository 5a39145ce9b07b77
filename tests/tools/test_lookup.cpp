#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Lookup: tab-separated facts, comments and blank lines skipped, unknown keys answered with an error") {
  const Lookup lookup = Lookup::parse("# who lives where\nAda\tParis\n\n  Bob Smith \t Oslo\r\n", "facts.tsv");
  CHECK(lookup.size() == 2);
  CHECK(lookup.name() == "lookup");
  CHECK(lookup.call("Ada") == "Paris");
  CHECK(lookup.call(" Bob Smith") == "Oslo");  // spaces around a key or value do not matter
  testing::require_error_mentions([&] { lookup.call("Cy"); }, {"no entry for 'Cy'"});
}

TEST_CASE("Lookup: a malformed or oversized file is a named error at load, checked before it is read") {
  const auto fails = [](const std::string& text, const char* message) {
    testing::require_error_mentions([&] { Lookup::parse(text, "facts.tsv", {.max_value_bytes = 8}); }, {message});
  };
  fails("Ada Paris\n", "line 1: expected \"key<TAB>value\", found no tab");
  fails("Ada\tParis\nAda\tRome\n", "line 2: the key 'Ada' is given twice");
  fails("\tParis\n", "line 1: the key is empty");
  fails("Ada\tParis, France\n", "the value has 13 bytes, more than 8");

  const std::string path = testing::scratch_path("facts.tsv");
  write_text_file(path, "Ada\tParis\n" + std::string(2000, '#') + "\n");
  testing::require_error_mentions([&] { Lookup::load(path, {.max_file_bytes = 1000}); },
                                  {"facts.tsv' has 2011 bytes, more than the 1000 allowed"});
  CHECK(Lookup::load(path).call("Ada") == "Paris");
  testing::require_error_mentions([&] { Lookup::load(path + ".none"); }, {"cannot open"});
}
