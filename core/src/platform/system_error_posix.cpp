#include "swarmshare/core/platform/system_error.hpp"

#include <cerrno>

namespace swarmshare::core::platform {

std::error_code last_system_error() noexcept { return {errno, std::generic_category()}; }

} // namespace swarmshare::core::platform
