// Linked into every test executable: programs a test starts (swarmshare-cli processes)
// inherit SWARMSHARE_NO_LAN=1 and SWARMSHARE_NO_DHT=1, so none of them sends LAN discovery
// multicast on this machine's network or opens a DHT socket on every address, and
// SWARMSHARE_DHT_PORT=0, so one that does run a DHT node binds a free port, not the
// well-known one. A test that needs LAN discovery runs it inside a network namespace of its
// own (netns.hpp) and clears the variable there; a test of the DHT clears SWARMSHARE_NO_DHT
// and binds its peers to 127.0.0.1 (--listen-address: the DHT binds where the peer server does).

#include "environment.hpp"

namespace {

using swarmshare::test::set_env;

[[maybe_unused]] const bool kLocalOnlyForChildren = [] {
  return set_env("SWARMSHARE_NO_LAN", "1") && set_env("SWARMSHARE_NO_DHT", "1") &&
         set_env("SWARMSHARE_DHT_PORT", "0");
}();

} // namespace
