#include "swarmshare/dht/error.hpp"

#include <string>

namespace swarmshare::dht {
namespace {

class DhtCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.dht"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::datagram_too_large: return "DHT datagram larger than the receive cap";
    case Errc::malformed_message: return "malformed DHT message";
    case Errc::limit_exceeded: return "DHT message exceeds a limit";
    case Errc::wrong_network: return "DHT message from another network";
    case Errc::unsupported_version: return "unsupported DHT protocol version";
    case Errc::unknown_message_type: return "unknown DHT message type";
    case Errc::invalid_message: return "refused to send an invalid DHT message";
    case Errc::message_too_large: return "DHT message would exceed the datagram size cap";
    case Errc::bad_signature: return "DHT record signature does not verify";
    case Errc::record_expired: return "DHT peer record expired";
    case Errc::record_from_future: return "DHT peer record issued in the future";
    case Errc::invalid_keyword_value: return "invalid DHT keyword record";
    case Errc::invalid_word: return "not a normalized search word";
    case Errc::timed_out: return "DHT query timed out";
    case Errc::too_many_queries: return "too many DHT queries outstanding";
    case Errc::not_joined: return "no DHT node known yet";
    case Errc::not_stored: return "no DHT node stored the record";
    case Errc::no_address: return "our address is not known yet: nothing to announce in the DHT";
    case Errc::empty_query: return "search text has no words";
    }
    return "unknown swarmshare.dht error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& dht_category() noexcept {
  static const DhtCategory category;
  return category;
}

} // namespace swarmshare::dht
