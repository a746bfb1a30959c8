#include "swarmshare/core/platform/thread.hpp"

#include <windows.h>

namespace swarmshare::core::platform {

void lower_current_thread_priority() noexcept {
  // A Windows priority belongs to the thread, like a Linux nice value.
  (void)::SetThreadPriority(::GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
}

} // namespace swarmshare::core::platform
