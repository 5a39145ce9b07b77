#include <algorithm>
#include <cstdlib>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/data/bible.hpp>
#include <iostream>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

/// A text shaped like `bible`'s output, padded to the size of the real one, so the checks
/// after the size check are the ones tested.
std::string bible_shaped(const std::string& body) { return body + std::string(4298239 - body.size(), '\n'); }

}  // namespace

TEST_CASE("read_bible refuses a file that is not the whole KJV, naming what is wrong") {
  testing::require_error_mentions([] { (void)read_bible("In the beginning"); }, {"4,298,239 bytes", "got 16"});
  const std::string two_verses =
      "\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.\n  2 And the earth was without "
      "form,\nand void.\n";
  testing::require_error_mentions([&] { (void)read_bible(bible_shaped(two_verses)); },
                                  {"66 books and 31,102 verses", "read 1 and 2"});
  testing::require_error_mentions([] { (void)read_bible(bible_shaped("\nGenesis one\n\n  1 In the beginning\n")); },
                                  {"'one'", "not a chapter or verse number"});
  testing::require_error_mentions([] { (void)read_bible(bible_shaped("\nGenesis 1\n\n  x In the beginning\n")); },
                                  {"'x'", "not a chapter or verse number"});
}

TEST_CASE("check_held_out_books names a held-out book that is missing, renamed or edited") {
  std::vector<Verse> verses{{"Ruth", 1, 1, "Now it came to pass in the days when the judges ruled."}};
  testing::require_error_mentions([&] { check_held_out_books(verses); }, {"Ruth", "1 verses (expected 85)"});
  verses.clear();
  testing::require_error_mentions([&] { check_held_out_books(verses); }, {"Ruth", "0 verses"});
  CHECK(is_held_out_book("Jonah"));
  CHECK_FALSE(is_held_out_book("John"));
  CHECK(Verse{"Song of Solomon", 2, 1, "I am the rose of Sharon"}.reference() == "Song of Solomon 2:1");
}

TEST_CASE("read_bible on the real KJV: 31,102 verses, references as readers write them, six books held out") {
  if (std::system("command -v bible > /dev/null 2>&1") != 0) {
    std::cout << "SKIPPED: the bible program is not installed (apt-get install bible-kjv to read the real text)\n";
    return;
  }
  const std::string path = testing::scratch_path("kjv.txt");
  REQUIRE(std::system(("bible \"Gen1:1-Rev22:21\" > " + path).c_str()) == 0);
  const std::vector<Verse> verses = read_bible(read_text_file(path, 64 << 20));
  REQUIRE(verses.size() == 31102);
  const auto john =
      std::find_if(verses.begin(), verses.end(), [](const Verse& v) { return v.reference() == "John 3:16"; });
  REQUIRE(john != verses.end());
  CHECK(john->text.rfind("For God so loved the world, that he gave his only begotten Son,", 0) == 0);
  CHECK(verses[1].text ==
        "And the earth was without form, and void; and darkness was upon the face of the deep. "
        "And the Spirit of God moved upon the face of the waters.");  // wrapped lines joined
  CHECK(std::count_if(verses.begin(), verses.end(), [](const Verse& v) { return is_held_out_book(v.book); }) ==
        85 + 167 + 222 + 48 + 678 + 108);
}
