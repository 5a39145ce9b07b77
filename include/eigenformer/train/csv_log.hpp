// A CSV file of numbers, one row per record, for plotting (pandas, matplotlib, a spreadsheet).
//
// A training run that resumes from a checkpoint continues its log: the rows written
// after the checkpoint was saved (by the run that was stopped) are dropped first, so
// every step appears once, as the resumed run computes it.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/error.hpp"

namespace eigenformer {

class CsvLog {
 public:
  /// Creates `path` (replacing any file there) with a header line of the columns.
  CsvLog(const std::string& path, const std::vector<std::string>& columns) : path_(path), columns_(columns.size()) {
    open(std::ios::trunc);
    out_ << header_line(columns);
    flush_checked();
  }

  /// Continues the log at `path` after row `last_kept` (its first column, the step): the
  /// header and the rows up to it stay, later rows go. No file yet: a new log.
  static CsvLog continued(const std::string& path, const std::vector<std::string>& columns, double last_kept) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return CsvLog(path, columns);
    std::istringstream in(read_text_file(path));
    std::string line, kept;
    EF_CHECK(std::getline(in, line) && line + "\n" == header_line(columns),
             "the CSV log '" << path << "' has the columns \"" << line.substr(0, 80) << "\", expected \""
                             << header_line(columns).substr(0, 80) << "\": not this run's log");
    kept = line + "\n";
    while (std::getline(in, line))
      if (std::strtod(line.c_str(), nullptr) <= last_kept) kept += line + "\n";
    write_text_file(path, kept);  // atomically: a crash here keeps the old log
    return CsvLog(path, columns.size());
  }

  void write(const std::vector<double>& values) {
    EF_CHECK(values.size() == columns_,
             "CSV log '" << path_ << "': " << values.size() << " values for " << columns_ << " columns");
    for (std::size_t i = 0; i < values.size(); ++i) out_ << values[i] << (i + 1 < values.size() ? "," : "\n");
    flush_checked();
  }

 private:
  CsvLog(const std::string& path, std::size_t columns) : path_(path), columns_(columns) { open(std::ios::app); }

  static std::string header_line(const std::vector<std::string>& columns) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) line += columns[i] + (i + 1 < columns.size() ? "," : "\n");
    return line;
  }

  void open(std::ios::openmode mode) {
    out_.open(path_, mode);
    EF_CHECK(out_.is_open(), "cannot write the CSV log '" << path_ << "': " << std::strerror(errno));
    out_.precision(9);
  }

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
