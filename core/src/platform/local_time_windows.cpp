#include "swarmshare/core/platform/local_time.hpp"

namespace swarmshare::core::platform {

std::tm local_time(std::time_t at) noexcept {
  std::tm local{};
  (void)::localtime_s(&local, &at); // the Microsoft one: result first
  return local;
}

} // namespace swarmshare::core::platform
