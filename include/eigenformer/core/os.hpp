// The few operating-system calls the library makes, in one place (POSIX); everything
// else is standard C++. Porting to another system means changing this file only, and
// no other header pays for <unistd.h>.
#pragma once

#include <unistd.h>

#include <cstdio>

namespace eigenformer::os {

/// This process's id: it makes temporary file names unique between processes.
inline long process_id() { return long(::getpid()); }

/// Pushes a file's written data to the disk itself, not only to the OS's cache, so that
/// a crash right after a rename cannot leave an empty file in its place. True on success.
inline bool sync_to_disk(std::FILE* file) { return ::fsync(::fileno(file)) == 0; }

/// True when `stream` is a terminal (a person watching), false for a file or a pipe.
inline bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

}  // namespace eigenformer::os
