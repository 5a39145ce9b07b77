// The King James Bible as a corpus: verses with their references, and the books held out.
//
// Debian's bible-kjv prints the whole text with `bible "Gen1:1-Rev22:21"` (4,298,239
// bytes): a chapter heading ("Genesis 1", "Song of Solomon 2") after an empty line, then
// verses "  1 In the beginning ...", wrapped at 80 columns. read_bible() turns it into
// 31,102 verses, each with its book, chapter and number, so a lesson can keep the
// reference ("John 3:16") as the key a model's knowledge of the verse hangs on, or drop it.
// Six books are held out of every lesson's training (tokenizer included): narrative,
// poetry, prophecy, gospel and letter, ~4% of the text. The reader checks the counts, the
// first and last verses, and each held-out book by name and by the CRC-32 of its text, so
// an edited file (a book renamed, a verse changed) is refused rather than silently
// changing what "held out" means.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/crc32.hpp"
#include "eigenformer/core/error.hpp"

namespace eigenformer {

namespace bible_format {
/// A chapter or verse number: 1 to 3 digits, else the line is not the KJV's.
inline int number(const std::string& digits, const std::string& line) {
  EF_CHECK(!digits.empty() && digits.size() <= 3 && digits.find_first_not_of("0123456789") == std::string::npos,
           "'" << digits << "' in line '" << line << "' is not a chapter or verse number");
  return std::stoi(digits);
}
}  // namespace bible_format

struct Verse {
  std::string book;  // "Genesis", "1 Kings", "Song of Solomon"
  int chapter = 0, number = 0;
  std::string text;  // one line, without its number

  std::string reference() const { return book + " " + std::to_string(chapter) + ":" + std::to_string(number); }
};

struct HeldOutBook {
  const char* name;
  std::size_t verses;
  std::uint32_t text_crc32;  // of its verses' texts, each followed by '\n'
};
inline constexpr std::array<HeldOutBook, 6> kHeldOutBooks{{{"Ruth", 85, 0x4d21f4f9},
                                                           {"Esther", 167, 0x51b0a66b},
                                                           {"Ecclesiastes", 222, 0xe62d3a7a},
                                                           {"Jonah", 48, 0x1de8174b},
                                                           {"Mark", 678, 0x1fb13d42},
                                                           {"James", 108, 0x812934d6}}};

inline bool is_held_out_book(std::string_view book) {
  return std::any_of(kHeldOutBooks.begin(), kHeldOutBooks.end(),
                     [&](const HeldOutBook& held_out) { return book == held_out.name; });
}

/// Throws unless each held-out book is present with its verse count and text checksum.
inline void check_held_out_books(const std::vector<Verse>& verses) {
  for (const HeldOutBook& held_out : kHeldOutBooks) {
    std::size_t count = 0;
    std::uint32_t crc = 0;
    for (const Verse& verse : verses)
      if (verse.book == held_out.name) {
        ++count;
        crc = crc32(verse.text + "\n", crc);
      }
    EF_CHECK(count == held_out.verses && crc == held_out.text_crc32,
             "the held-out book " << held_out.name << " is not the KJV's: " << count << " verses (expected "
                                  << held_out.verses << "), text checksum " << std::hex << crc << " (expected "
                                  << held_out.text_crc32 << ")");
  }
}

/// The verses of `bible "Gen1:1-Rev22:21"`'s output, in order, checked (see the top).
inline std::vector<Verse> read_bible(const std::string& text) {
  EF_CHECK(text.size() > 4200000 && text.size() < 4400000,
           "expected the whole King James Bible (bible \"Gen1:1-Rev22:21\" prints 4,298,239 bytes), got " << text.size()
                                                                                                          << " bytes");
  std::vector<Verse> verses;
  std::istringstream lines(text);
  std::string line, previous = "x", book;
  int chapter = 0, books = 0;
  while (std::getline(lines, line)) {
    if (previous.empty() && !line.empty() && line[0] != ' ') {  // a chapter heading
      const std::size_t space = line.rfind(' ');
      EF_CHECK(space != std::string::npos, "line '" << line << "' is neither a verse nor a chapter heading");
      const std::string name = line.substr(0, space);
      if (name != book) ++books;
      book = name;
      chapter = bible_format::number(line.substr(space + 1), line);
    } else if (line.size() > 2 && line[0] == ' ') {  // "  12 verse text"
      const std::size_t number_start = line.find_first_not_of(' ');
      const std::size_t text_start = line.find(' ', number_start);
      EF_CHECK(!book.empty() && text_start != std::string::npos, "verse line '" << line << "' has no chapter or text");
      verses.push_back({book, chapter, bible_format::number(line.substr(number_start, text_start - number_start), line),
                        line.substr(text_start + 1)});
    } else if (!line.empty()) {  // a verse's next line
      EF_CHECK(!verses.empty(), "text '" << line << "' before the first verse");
      verses.back().text += " " + line;
    }
    previous = line;
  }
  EF_CHECK(books == 66 && verses.size() == 31102,
           "expected 66 books and 31,102 verses, read " << books << " and " << verses.size());
  EF_CHECK(
      verses.front().text == "In the beginning God created the heaven and the earth." &&
          verses.back().text == "The grace of our Lord Jesus Christ be with you all. Amen.",
      "the first or last verse is not the KJV's: '" << verses.front().text << "' ... '" << verses.back().text << "'");
  check_held_out_books(verses);
  return verses;
}

}  // namespace eigenformer
