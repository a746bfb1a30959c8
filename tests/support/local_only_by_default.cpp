// Linked into every test executable: programs a test starts (swarmshare-cli processes)
// inherit SWARMSHARE_NO_LAN=1, so none of them sends LAN discovery multicast on this
// machine's network. A test that needs LAN discovery runs it inside a network namespace of
// its own (netns.hpp) and clears the variable there.

#include <cstdlib>

namespace {

[[maybe_unused]] const bool kLanOffForChildren = [] {
  return ::setenv("SWARMSHARE_NO_LAN", "1", 1) == 0;
}();

} // namespace
