#pragma once
// Thread scheduling hints.

namespace swarmshare::core::platform {

/// Asks the scheduler to run the calling thread after others that want the CPU: for
/// background work (checkpoints, purges) that must not add latency to requests on a busy
/// machine. A hint: where the system offers no way to do it, nothing happens.
void lower_current_thread_priority() noexcept;

} // namespace swarmshare::core::platform
