#pragma once
// Error codes of the engine (docs/ERRORS.md, "swarmshare.client").

#include "swarmshare/core/error.hpp"

#include <system_error>

namespace swarmshare::client {

enum class Errc {
  /// Another process holds the home directory's lock: one process per home at a time.
  home_in_use = 1,
  /// The home directory or its lock file cannot be created or opened.
  home_unusable,
  /// A setting out of its range (see client::validate(const Settings&)).
  invalid_setting,
};

[[nodiscard]] const std::error_category& client_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

} // namespace swarmshare::client

template <>
struct std::is_error_code_enum<swarmshare::client::Errc> : std::true_type {};
