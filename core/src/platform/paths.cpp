// What paths.hpp promises the same way on every system.

#include "swarmshare/core/platform/paths.hpp"

#include "swarmshare/core/platform/read_only_file.hpp"

namespace swarmshare::core::platform {

Result<std::vector<std::uint8_t>> read_small_file(const std::filesystem::path& path,
                                                  std::size_t max_bytes) {
  auto file = ReadOnlyFile::open(path);
  if (!file) {
    return file.error();
  }
  auto size = file.value().size();
  if (!size) {
    return size.error();
  }
  if (size.value() > max_bytes) {
    return Errc::file_too_large;
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size.value()));
  auto got = file.value().read_at(0, bytes);
  if (!got) {
    return got.error();
  }
  bytes.resize(got.value());
  return bytes;
}

} // namespace swarmshare::core::platform
