#pragma once
// Error codes of the core part, and the Result type every fallible core call returns.
//
// Network and file code reports failures as std::error_code values from this enum (never
// by throwing across a part boundary); docs/ERRORS.md lists them with what a user sees.

#include <boost/outcome/std_result.hpp>

#include <string>
#include <system_error>

namespace swarmshare::core {

enum class Errc {
  // Files
  file_not_found = 1, ///< The path does not exist.
  file_unreadable,    ///< The path exists but cannot be opened or read (permissions, I/O).
  not_a_regular_file, ///< The path names a directory, device or other non-file.
  file_too_large,     ///< More chunks than a manifest may hold (see Manifest limits).
  file_changed,       ///< The file's size changed while it was being read.
  cancelled,          ///< The caller asked the operation to stop.
  // Content model
  invalid_chunk_size, ///< Not a power of two in [16 KiB, 16 MiB].
  chunk_index_out_of_range,
  manifest_malformed,     ///< Not a msgpack manifest of the documented shape.
  manifest_not_canonical, ///< Valid msgpack, but not the single canonical encoding.
  manifest_too_large,     ///< Over a hard limit (bytes, name length or chunk count).
  manifest_inconsistent,  ///< Fields disagree (hash count vs. size and chunk size).
  unsupported_version,    ///< A format or protocol version this build does not speak.
  invalid_file_id,        ///< Not 64 hex digits.
  // Wire framing
  frame_too_large, ///< A length prefix above the receiver's cap.
  frame_malformed, ///< A frame body that is not a valid message envelope.
  frame_truncated, ///< The stream ended inside a frame.
  // Addresses
  invalid_endpoint, ///< Not an IPv4 or IPv6 address with a port from 1 to 65535.
};

[[nodiscard]] const std::error_category& core_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), core_category()};
}

template <class T>
using Result = boost::outcome_v2::std_result<T>;

/// The result of an operation that returns nothing on success.
using Status = Result<void>;

} // namespace swarmshare::core

template <>
struct std::is_error_code_enum<swarmshare::core::Errc> : std::true_type {};
