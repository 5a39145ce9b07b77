// The few operating-system calls the library makes, in one place (POSIX); everything
// else is standard C++. Porting to another system means changing this file only, and
// no other header pays for <unistd.h>.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "eigenformer/core/error.hpp"

namespace eigenformer::os {

/// This process's id: it makes temporary file names unique between processes.
inline long process_id() { return long(::getpid()); }

/// The machine's physical memory in bytes (0 if unknown).
inline double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? double(pages) * double(page_size) : 0.0;
}

/// True while process `id` exists (it may belong to another user): a temporary file
/// named after it may still be in use.
inline bool process_is_running(long id) { return ::kill(pid_t(id), 0) == 0 || errno == EPERM; }

/// Pushes a file's written data to the disk itself, not only to the OS's cache, so that
/// a crash right after a rename cannot leave an empty file in its place. True on success.
inline bool sync_to_disk(std::FILE* file) { return ::fsync(::fileno(file)) == 0; }

/// True when `stream` is a terminal (a person watching), false for a file or a pipe.
inline bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

namespace detail {
inline volatile std::sig_atomic_t stop_signal = 0;  // the signal that asked to stop, 0 if none
inline void record_stop_signal(int signal) { stop_signal = signal; }
}  // namespace detail

/// While one lives, Ctrl-C (SIGINT) and SIGTERM do not end the process: they are
/// recorded, for the program to stop at a safe point (the trainer: the end of a step,
/// after saving). The handler resets itself, so a second Ctrl-C ends the process at once.
class StopSignals {
 public:
  StopSignals() {
    detail::stop_signal = 0;
    struct sigaction action = {};
    action.sa_handler = detail::record_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &action, &previous_interrupt_);
    ::sigaction(SIGTERM, &action, &previous_terminate_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &previous_interrupt_, nullptr);
    ::sigaction(SIGTERM, &previous_terminate_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// The signal received since construction (SIGINT or SIGTERM), or 0.
  int received() const { return detail::stop_signal; }

 private:
  struct sigaction previous_interrupt_ = {};
  struct sigaction previous_terminate_ = {};
};

/// A file's bytes, mapped read-only into memory: the pages are read from disk (or the
/// page cache) as they are touched and shared with every process that maps the file, so
/// a corpus larger than memory can be sampled from without reading it in. Unmapped on
/// destruction. An empty file maps to no bytes.
class ReadOnlyMapping {
 public:
  explicit ReadOnlyMapping(const std::string& path) {
    const int file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EF_CHECK(file >= 0, "cannot open '" << path << "': " << std::strerror(errno));
    struct stat status = {};
    const bool regular = ::fstat(file, &status) == 0 && S_ISREG(status.st_mode);
    size_ = regular ? std::size_t(status.st_size) : 0;
    void* data = regular && size_ > 0 ? ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file, 0) : nullptr;
    const int error = errno;
    ::close(file);  // the mapping keeps the file's pages
    EF_CHECK(regular, "'" << path << "' is not a regular file");
    EF_CHECK(data != MAP_FAILED, "cannot map '" << path << "' into memory: " << std::strerror(error));
    data_ = static_cast<const unsigned char*>(data);
  }
  ~ReadOnlyMapping() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  ReadOnlyMapping(const ReadOnlyMapping&) = delete;
  ReadOnlyMapping& operator=(const ReadOnlyMapping&) = delete;

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace eigenformer::os
