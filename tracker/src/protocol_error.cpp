#include "swarmshare/tracker/protocol_error.hpp"

#include "swarmshare/tracker/protocol.hpp"

#include <string>

namespace swarmshare::tracker::protocol {
namespace {

class ProtocolCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.tracker.protocol"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::malformed_request: return "malformed tracker request";
    case Errc::malformed_reply: return "malformed tracker reply";
    case Errc::limit_exceeded: return "tracker message exceeds a protocol limit";
    case Errc::invalid_message: return "tracker message has a value the receiver would refuse";
    }
    return "unknown swarmshare.tracker.protocol error " + std::to_string(value);
  }
};

// What the tracker refused, in the words of default_error_text; the tracker's own text may
// say more and is shown by whoever has the ErrorReply.
class WireErrorCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.tracker.wire"; }

  [[nodiscard]] std::string message(int value) const override {
    // Codes are append-only; extend the bound when protocol.hpp gains one.
    if (value >= static_cast<int>(ErrorCode::malformed_request) &&
        value <= static_cast<int>(ErrorCode::busy)) {
      return std::string{default_error_text(static_cast<ErrorCode>(value))};
    }
    return "tracker error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& wire_error_category() noexcept {
  static const WireErrorCategory category;
  return category;
}

const std::error_category& protocol_category() noexcept {
  static const ProtocolCategory category;
  return category;
}

} // namespace swarmshare::tracker::protocol
