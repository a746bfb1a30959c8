#include "swarmshare/crypto/common.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace swarmshare::crypto {

void init() {
  // A function-local static gives a thread-safe once-only call without a mutex of our own.
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fputs("swarmshare: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  static_cast<void>(initialised);
}

} // namespace swarmshare::crypto
