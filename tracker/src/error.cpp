#include "swarmshare/tracker/error.hpp"

#include <string>

namespace swarmshare::tracker {
namespace {

class TrackerCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.tracker"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::manifest_mismatch: return "manifest does not hash to the File ID";
    case Errc::unknown_file: return "unknown File ID";
    case Errc::file_deleted: return "File ID removed by the tracker operator";
    case Errc::peer_banned: return "Peer ID banned by the tracker operator";
    case Errc::not_owner: return "entry announced by another Peer ID";
    case Errc::no_entry: return "no live entry for this file: announce again";
    case Errc::invalid_endpoints: return "announce needs 1 to 8 valid endpoints";
    case Errc::empty_query: return "search text has no words";
    case Errc::store_closed: return "tracker store is shutting down";
    case Errc::invalid_tracker_address:
      return "invalid tracker address: expected HOST:PORT, [IPv6]:PORT or PEERID@HOST:PORT";
    case Errc::tracker_unreachable: return "tracker unreachable";
    case Errc::tracker_timed_out: return "tracker did not answer in time";
    case Errc::tracker_identity_mismatch: return "tracker is not the Peer ID given in its address";
    case Errc::tracker_connection_lost: return "connection to the tracker lost";
    case Errc::tracker_client_stopped: return "tracker client stopped";
    case Errc::unexpected_reply: return "tracker sent a reply of the wrong type";
    }
    return "unknown swarmshare.tracker error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& tracker_category() noexcept {
  static const TrackerCategory category;
  return category;
}

} // namespace swarmshare::tracker
