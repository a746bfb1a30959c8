#pragma once
// The one door through which remote msgpack enters the program: every decode states its
// limits, so a hostile length can never make us allocate more than the input justifies.
// And the few packing helpers every Swarmshare format shares (bin, str, endpoint).

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"

#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

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

// ---- Packing ----

/// A msgpack::packer stream that appends to a byte vector: the encoding lands in its
/// final buffer, with no copy out of an sbuffer (a 128 KiB data block is copied once).
class ByteVectorSink {
public:
  explicit ByteVectorSink(std::vector<std::uint8_t>& out) noexcept : out_(out) {}
  void write(const char* data, std::size_t size) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), bytes, bytes + size);
  }

private:
  std::vector<std::uint8_t>& out_;
};

/// One msgpack bin holding `bytes`.
template <class Stream>
void pack_bin(msgpack::packer<Stream>& packer, std::span<const std::uint8_t> bytes) {
  packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
  packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                       static_cast<std::uint32_t>(bytes.size()));
}

/// One msgpack str holding `text` (the caller has checked it is UTF-8 within its cap).
template <class Stream>
void pack_str(msgpack::packer<Stream>& packer, std::string_view text) {
  packer.pack_str(static_cast<std::uint32_t>(text.size()));
  packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

/// An endpoint as every Swarmshare format writes it: [address (bin 4 or 16), port (uint)].
/// The caller refuses port 0 first (its own error: "never put port 0 on the wire").
template <class Stream>
void pack_endpoint(msgpack::packer<Stream>& packer, const Endpoint& endpoint) {
  packer.pack_array(2);
  pack_bin(packer, endpoint.address_bytes());
  packer.pack_uint16(endpoint.port());
}

} // namespace swarmshare::core
