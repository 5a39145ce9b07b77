// Reading and writing files safely.
//
// BinaryReader knows the file's length and checks every read against what is
// left, so a truncated file or an absurd declared size becomes a clear Error
// before anything is allocated. AtomicFileWriter writes to a temporary file
// beside the target, flushes it to disk, and renames it over the target only
// when everything was written: a crash or a full disk never leaves a
// half-written file in place of a good one (rename is atomic on POSIX).
// Numbers are stored little-endian, the byte order of every machine we target.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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
      : path_(path), temporary_path_(path + ".tmp." + std::to_string(os::process_id())) {
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
    EF_CHECK(std::fwrite(source, 1, bytes, file_) == bytes,
             "writing '" << temporary_path_ << "' failed: " << std::strerror(errno));
  }

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
  std::string path_, temporary_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

/// A whole text file. Unlike a loop over an ifstream, a read error (a failing disk, a
/// directory, a file that shrinks while it is read) is an Error naming the file, never a
/// silent early end of the text.
inline std::string read_text_file(const std::string& path) {
  std::error_code error;
  EF_CHECK(!std::filesystem::is_directory(path, error), "'" << path << "' is a directory, not a text file");
  BinaryReader in(path);
  std::string text(in.size(), '\0');
  in.read_bytes(text.data(), in.size(), "its text");
  return text;
}

/// A whole text file, written atomically (the tokenizers' files).
inline void write_text_file(const std::string& path, const std::string& contents) {
  AtomicFileWriter out(path);
  out.write_bytes(contents.data(), contents.size());
  out.commit();
}

}  // namespace eigenformer
