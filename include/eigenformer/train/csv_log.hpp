// A CSV file of numbers, one row per record, for plotting (pandas, matplotlib, a spreadsheet).
#pragma once

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"

namespace eigenformer {

class CsvLog {
 public:
  /// Creates `path` with a header line, or (append) adds rows to an existing log.
  CsvLog(const std::string& path, const std::vector<std::string>& columns, bool append = false)
      : path_(path), columns_(columns.size()) {
    const bool write_header = !append || !std::ifstream(path).good();
    out_.open(path, append ? std::ios::app : std::ios::trunc);
    EF_CHECK(out_.is_open(), "cannot write the CSV log '" << path << "': " << std::strerror(errno));
    out_.precision(9);
    if (write_header) {
      for (std::size_t i = 0; i < columns.size(); ++i) out_ << columns[i] << (i + 1 < columns.size() ? "," : "\n");
      flush_checked();
    }
  }

  void write(const std::vector<double>& values) {
    EF_CHECK(values.size() == columns_,
             "CSV log '" << path_ << "': " << values.size() << " values for " << columns_ << " columns");
    for (std::size_t i = 0; i < values.size(); ++i) out_ << values[i] << (i + 1 < values.size() ? "," : "\n");
    flush_checked();
  }

 private:
  /// Every row reaches the file before the next step, or training stops: a full disk
  /// must not leave a CSV silently cut short.
  void flush_checked() {
    out_.flush();
    EF_CHECK(out_.good(), "writing the CSV log '" << path_ << "' failed: " << std::strerror(errno));
  }

  std::string path_;
  std::size_t columns_;
  std::ofstream out_;
};

}  // namespace eigenformer
