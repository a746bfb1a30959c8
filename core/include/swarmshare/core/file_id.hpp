#pragma once
// The File ID: BLAKE2b-256 of a file's canonical manifest bytes.

#include "swarmshare/core/error.hpp"
#include "swarmshare/core/hash.hpp"

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace swarmshare::core {

class FileId {
public:
  static constexpr std::size_t kHexLength = 2 * kHashSize;
  /// Lists show this many leading hex digits.
  static constexpr std::size_t kShortHexLength = 16;

  FileId() = default;
  explicit FileId(const Hash256& digest) noexcept : digest_(digest) {}

  /// Accepts exactly 64 hex digits, in either case; surrounding whitespace is not trimmed.
  [[nodiscard]] static Result<FileId> parse(std::string_view hex);

  [[nodiscard]] const Hash256& bytes() const noexcept { return digest_; }
  /// 64 lowercase hex digits.
  [[nodiscard]] std::string to_hex() const;
  /// The first 16 lowercase hex digits, for lists.
  [[nodiscard]] std::string to_short_hex() const;

  friend auto operator<=>(const FileId&, const FileId&) = default;

private:
  Hash256 digest_{};
};

} // namespace swarmshare::core

template <>
struct std::hash<swarmshare::core::FileId> {
  std::size_t operator()(const swarmshare::core::FileId& id) const noexcept {
    // The digest is uniformly distributed already; its first bytes are a fine hash.
    std::size_t value = 0;
    for (std::size_t i = 0; i < sizeof(value); ++i) {
      value = (value << 8U) | id.bytes()[i];
    }
    return value;
  }
};
