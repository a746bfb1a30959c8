#include "swarmshare/client/error.hpp"

#include <string>

namespace swarmshare::client {
namespace {

class ClientCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.client"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::home_in_use: return "home directory in use by another Swarmshare process";
    case Errc::home_unusable: return "home directory cannot be created or locked";
    case Errc::invalid_setting: return "setting out of range";
    }
    return "unknown swarmshare.client error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& client_category() noexcept {
  static const ClientCategory category;
  return category;
}

} // namespace swarmshare::client
