#pragma once
// The value of one digit of the text encodings the project reads: hexadecimal (File IDs,
// hashes, percent escapes) and RFC 4648 base32 (Peer IDs). Either case is accepted, as
// people retype IDs.

namespace swarmshare::core {

/// 0 to 15, or -1 for a character that is not a hexadecimal digit.
[[nodiscard]] constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/// 0 to 31 (RFC 4648 alphabet: a-z then 2-7), or -1 for any other character.
[[nodiscard]] constexpr int base32_digit_value(char c) noexcept {
  if (c >= 'a' && c <= 'z') {
    return c - 'a';
  }
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= '2' && c <= '7') {
    return c - '2' + 26;
  }
  return -1;
}

} // namespace swarmshare::core
