#include "swarmshare/core/registry.hpp"

namespace swarmshare::core {

std::string_view to_string(SourceOrigin origin) noexcept {
  switch (origin) {
  case SourceOrigin::tracker: return "tracker";
  case SourceOrigin::dht: return "DHT";
  case SourceOrigin::lan: return "LAN";
  case SourceOrigin::share_link: return "link";
  }
  return "unknown";
}

} // namespace swarmshare::core
