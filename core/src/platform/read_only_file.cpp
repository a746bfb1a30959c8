// What ReadOnlyFile does the same way on every system; opening, reading and closing are in
// read_only_file_posix.cpp and read_only_file_windows.cpp.
#include "swarmshare/core/platform/read_only_file.hpp"

#include <utility>

namespace swarmshare::core::platform {

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : handle_(std::exchange(other.handle_, kClosed)) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, kClosed);
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() { close(); }

} // namespace swarmshare::core::platform
