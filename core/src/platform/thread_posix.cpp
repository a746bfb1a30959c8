#include "swarmshare/core/platform/thread.hpp"

#include <sys/resource.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace swarmshare::core::platform {

void lower_current_thread_priority() noexcept {
#if defined(__linux__)
  // On Linux a nice value belongs to a thread (its tid), not to the whole process.
  constexpr int kBackgroundNice = 10;
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  (void)setpriority(PRIO_PROCESS, tid, kBackgroundNice);
#endif
}

} // namespace swarmshare::core::platform
