// Reading and writing files safely.
//
// BinaryReader knows the file's length and checks every read against what is
// left, so a truncated file or an absurd declared size becomes a clear Error
// before anything is allocated. AtomicFileWriter writes to a temporary file
// beside the target, flushes it to disk, and renames it over the target only
// when everything was written: a crash or a full disk never leaves a
// half-written file in place of a good one (rename is atomic on POSIX), and the
// temporary files a killed process left beside the target are removed by the next
// save. Files end in a CRC-32 of their bytes (crc32.hpp), checked before any of them
// is used: a flipped bit is a named error, never a silently different model.
// Numbers are stored little-endian, the byte order of every machine we target.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "eigenformer/core/crc32.hpp"
#include "eigenformer/core/error.hpp"
#include "eigenformer/core/os.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

class BinaryReader {
 public:
  explicit BinaryReader(const std::string& path) : path_(path), stream_(path, std::ios::binary) {
    EF_CHECK(stream_.is_open(), "cannot open '" << path << "': " << std::strerror(errno));
    std::error_code error;
    size_ = std::filesystem::file_size(path, error);
    EF_CHECK(!error, "cannot read the size of '" << path << "': " << error.message());
  }

  std::uint64_t size() const { return size_; }
  std::uint64_t position() const { return position_; }
  std::uint64_t remaining() const { return size_ - position_; }
  const std::string& path() const { return path_; }

  /// Throws, naming `what`, unless `bytes` more bytes are left in the file.
  void require(std::uint64_t bytes, const std::string& what) const {
    EF_CHECK(bytes <= remaining(), "'" << path_ << "' is truncated or corrupt: " << what << " at byte " << position_
                                       << " needs " << bytes << " bytes, only " << remaining() << " are left");
  }

  template <class T>
  T read(const std::string& what) {
    T value;
    read_bytes(&value, sizeof(T), what);
    return value;
  }

  void read_bytes(void* destination, std::uint64_t bytes, const std::string& what) {
    require(bytes, what);
    stream_.read(static_cast<char*>(destination), std::streamsize(bytes));
    EF_CHECK(stream_.good(), "reading " << what << " from '" << path_ << "' failed");
    position_ += bytes;
  }

  /// A string of at most max_length bytes, stored as uint32 length then bytes.
  std::string read_string(std::uint32_t max_length, const std::string& what) {
    const auto length = read<std::uint32_t>(what + " length");
    EF_CHECK(length <= max_length, "'" << path_ << "': " << what << " length " << length << " exceeds " << max_length);
    std::string text(length, '\0');
    read_bytes(text.data(), length, what);
    return text;
  }

  /// `count` numbers stored as File (float or double), converted to S.
  template <class File, class S>
  void read_numbers(S* destination, std::uint64_t count, const std::string& what) {
    require(count * sizeof(File), what);  // checked before the buffer below is allocated
    if constexpr (std::is_same_v<File, S>) {
      read_bytes(destination, count * sizeof(File), what);
    } else {
      std::vector<File> buffer(count);
      read_bytes(buffer.data(), count * sizeof(File), what);
      for (std::uint64_t i = 0; i < count; ++i) destination[i] = S(buffer[i]);
    }
  }

  /// Checks the CRC-32 in the file's last 4 bytes against every byte before them, then
  /// treats those 4 bytes as past the end. Call first: nothing unchecked gets used.
  void verify_checksum_trailer() {
    EF_CHECK(size_ >= 4, "'" << path_ << "' is truncated: " << size_ << " bytes cannot hold its checksum");
    std::ifstream whole(path_, std::ios::binary);
    std::vector<char> buffer(std::size_t(1) << 16);
    std::uint32_t crc = 0;
    for (std::uint64_t left = size_ - 4; left > 0;) {
      const std::uint64_t bytes = std::min<std::uint64_t>(left, buffer.size());
      whole.read(buffer.data(), std::streamsize(bytes));
      EF_CHECK(whole.good(), "reading '" << path_ << "' failed at byte " << size_ - 4 - left);
      crc = crc32({buffer.data(), bytes}, crc);
      left -= bytes;
    }
    std::uint32_t stored = 0;
    whole.read(reinterpret_cast<char*>(&stored), 4);
    EF_CHECK(whole.good(), "reading the checksum of '" << path_ << "' failed");
    EF_CHECK(stored == crc, "'" << path_ << "' is corrupt: its bytes give the CRC-32 " << std::hex << crc
                                << ", the file says " << stored
                                << " (cut short, changed or damaged after it was written)");
    size_ -= 4;
  }

  void skip(std::uint64_t bytes, const std::string& what) {
    require(bytes, what);
    stream_.seekg(std::streamoff(bytes), std::ios::cur);
    position_ += bytes;
  }

 private:
  std::string path_;
  std::ifstream stream_;
  std::uint64_t size_ = 0, position_ = 0;
};

class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::string& path)
      : path_(path), temporary_path_(temporary_path_for(path, os::process_id())) {
    remove_temporaries_of_dead_processes(path);
    file_ = std::fopen(temporary_path_.c_str(), "wb");
    EF_CHECK(file_ != nullptr, "cannot write '" << temporary_path_ << "': " << std::strerror(errno));
  }
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  ~AtomicFileWriter() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) std::remove(temporary_path_.c_str());
  }

  void write_bytes(const void* source, std::uint64_t bytes) {
    if (bytes == 0) return;  // an empty vector's data() may be null, which fwrite must not see
    EF_CHECK(std::fwrite(source, 1, bytes, file_) == bytes,
             "writing '" << temporary_path_ << "' failed: " << std::strerror(errno));
    checksum_ = crc32({static_cast<const char*>(source), bytes}, checksum_);
  }

  /// The CRC-32 of every byte written so far: write it last, as the file's trailer.
  std::uint32_t checksum() const { return checksum_; }

  template <class T>
  void write(const T& value) {
    write_bytes(&value, sizeof(T));
  }

  void write_string(const std::string& text) {
    write(std::uint32_t(text.size()));
    write_bytes(text.data(), text.size());
  }

  /// Flushes to disk, then renames over the target: all or nothing.
  void commit() {
    const bool flushed = std::fflush(file_) == 0 && os::sync_to_disk(file_);
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    EF_CHECK(flushed && closed, "flushing '" << temporary_path_ << "' failed: " << std::strerror(errno));
    std::error_code error;
    std::filesystem::rename(temporary_path_, path_, error);
    EF_CHECK(!error, "renaming '" << temporary_path_ << "' to '" << path_ << "' failed: " << error.message());
    committed_ = true;
  }

 private:
  static std::string temporary_path_for(const std::string& path, long process) {
    return path + ".tmp." + std::to_string(process);
  }

  /// A save killed mid-write (kill -9, power loss) leaves path.tmp.PID behind: remove those
  /// whose process is gone. A live process's temporary is its save in progress: left alone.
  static void remove_temporaries_of_dead_processes(const std::string& path) {
    const std::filesystem::path target(path);
    const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
    const std::string prefix = target.filename().string() + ".tmp.";
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      const std::string name = entry.path().filename().string();
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string process = name.substr(prefix.size());
      if (process.find_first_not_of("0123456789") != std::string::npos || process.size() > 9) continue;
      if (!os::process_is_running(std::stol(process))) std::filesystem::remove(entry.path(), error);
    }
  }

  std::string path_, temporary_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  std::uint32_t checksum_ = 0;
};

/// A whole text file, read to its end. Unlike a loop over an ifstream, a read error (a
/// failing disk, /proc/self/mem) is an Error naming the file, never a silent early end of
/// the text; a directory or a device (/dev/zero never ends) is refused before reading.
inline std::string read_text_file(const std::string& path, std::uint64_t max_bytes = std::uint64_t(1) << 32) {
  std::error_code error;
  EF_CHECK(!std::filesystem::is_directory(path, error), "'" << path << "' is a directory, not a text file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  EF_CHECK(file != nullptr, "cannot open '" << path << "': " << std::strerror(errno));
  EF_CHECK(std::filesystem::is_regular_file(path, error),
           "'" << path << "' is not a regular file (a device or a pipe?): refusing to read it as text");
  std::string text;
  std::vector<char> buffer(std::size_t(1) << 16);
  for (std::size_t bytes; (bytes = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0;) {
    text.append(buffer.data(), bytes);
    EF_CHECK(text.size() <= max_bytes, "'" << path << "' is larger than " << max_bytes << " bytes");
  }
  EF_CHECK(!std::ferror(file.get()),
           "reading '" << path << "' failed after " << text.size() << " bytes: " << std::strerror(errno));
  return text;
}

/// A whole text file, written atomically.
inline void write_text_file(const std::string& path, const std::string& contents) {
  AtomicFileWriter out(path);
  out.write_bytes(contents.data(), contents.size());
  out.commit();
}

/// Text files that prove they are whole (the tokenizers'): the text, then a last line
/// "crc32 xxxxxxxx" with the CRC-32 of everything before it, in hex.
inline std::string with_checksum_line(const std::string& text) {
  char line[32];
  std::snprintf(line, sizeof line, "crc32 %08x\n", crc32(text));
  return text + line;
}

/// The text before the checksum line, after checking it. Files from before checksums
/// (`required` false) may have none; then the text comes back whole.
inline std::string without_checksum_line(const std::string& text, const std::string& path, bool required) {
  const std::size_t line_start = text.size() >= 16 ? text.size() - 15 : std::string::npos;
  const bool present = line_start != std::string::npos && text.compare(line_start, 6, "crc32 ") == 0 &&
                       text.back() == '\n' && text[line_start - 1] == '\n';
  EF_CHECK(present || !required, "'" << path << "' is truncated or corrupt: its last line is not \"crc32 <checksum>\"");
  if (!present) return text;
  std::string body = text.substr(0, line_start);
  const std::uint32_t stored = std::uint32_t(std::strtoul(text.c_str() + line_start + 6, nullptr, 16));
  EF_CHECK(stored == crc32(body), "'" << path << "' is corrupt: its text gives the CRC-32 " << std::hex << crc32(body)
                                      << ", its last line says " << stored
                                      << " (cut short, changed or damaged after it was written)");
  return body;
}

}  // namespace eigenformer
