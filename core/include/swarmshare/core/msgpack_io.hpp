#pragma once
// The one door through which remote msgpack enters the program: every decode states its
// limits, so a hostile length can never make us allocate more than the input justifies.

#include "swarmshare/core/error.hpp"

#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace swarmshare::core {

/// Caps for one decode. msgpack-c's own defaults are effectively unlimited.
struct UnpackLimits {
  std::size_t max_array_elements = 16'384;
  std::size_t max_map_entries = 1'024;
  std::size_t max_string_bytes = std::size_t{64} * 1024;
  std::size_t max_binary_bytes = std::size_t{1088} * 1024;
  std::size_t max_depth = 16;

  [[nodiscard]] msgpack::unpack_limit to_msgpack() const noexcept {
    // Extension types are not part of any Swarmshare format: any size over 0 is refused.
    return {max_array_elements, max_map_entries, max_string_bytes, max_binary_bytes, 0, max_depth};
  }
};

/// Decodes exactly one msgpack object that must span all of `bytes`. Any malformed,
/// truncated or over-limit input, and any trailing byte, gives `on_malformed`; nothing
/// escapes as an exception.
[[nodiscard]] Result<msgpack::object_handle>
unpack_exactly(std::span<const std::uint8_t> bytes, const UnpackLimits& limits, Errc on_malformed);

/// Reads a msgpack positive integer into `out`; false for any other type (including a
/// negative integer), leaving `out` unchanged.
[[nodiscard]] bool read_uint(const msgpack::object& object, std::uint64_t& out) noexcept;

} // namespace swarmshare::core
