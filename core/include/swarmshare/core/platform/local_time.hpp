#pragma once
// The broken-down local time, thread-safely (localtime_r is POSIX, localtime_s Windows).

#include <ctime>

namespace swarmshare::core::platform {

[[nodiscard]] std::tm local_time(std::time_t at) noexcept;

} // namespace swarmshare::core::platform
