#pragma once
// POSIX only: the nanosecond modification time of a struct stat, spelled as each system
// spells it. For the platform sources of the parts (core, transfer).
#include <sys/stat.h>

#include <cstdint>

namespace swarmshare::core::platform {

[[nodiscard]] inline std::int64_t modified_ns(const struct stat& info) noexcept {
  constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
#ifdef __APPLE__
  // Darwin names the nanosecond time st_mtimespec (st_mtim only with _POSIX_C_SOURCE).
  const auto& modified = info.st_mtimespec;
#else
  const auto& modified = info.st_mtim;
#endif
  return static_cast<std::int64_t>(modified.tv_sec) * kNanosPerSecond +
         static_cast<std::int64_t>(modified.tv_nsec);
}

} // namespace swarmshare::core::platform
