#include "swarmshare/core/platform/local_time.hpp"

#include <ctime>

namespace swarmshare::core::platform {

std::tm local_time(std::time_t at) noexcept {
  std::tm local{};
  ::localtime_r(&at, &local);
  return local;
}

} // namespace swarmshare::core::platform
