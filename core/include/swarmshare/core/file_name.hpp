#pragma once
// File names that arrive from the network are hostile until sanitized.

#include <string>
#include <string_view>

namespace swarmshare::core {

/// The longest file name, in bytes of UTF-8, that sanitize_file_name returns.
inline constexpr std::size_t kMaxFileNameBytes = 255;

/// What an empty or all-illegal name becomes.
inline constexpr std::string_view kDefaultFileName = "unnamed";

/// Turns any byte string into a name that is safe to create in one directory on Linux,
/// Windows and macOS:
/// - invalid UTF-8 bytes, control characters (C0, DEL, C1), path separators and the
///   characters Windows forbids (<>:"|?*) become '_';
/// - bidirectional-override characters (which can disguise an extension) are removed;
/// - leading spaces and trailing spaces and dots are trimmed, so "." and ".." vanish;
/// - reserved Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without
///   an extension, any case) get a leading '_';
/// - the result is cut to at most 255 bytes on a character boundary, keeping a short
///   extension;
/// - an empty result becomes kDefaultFileName.
/// Sanitizing is idempotent: a sanitized name sanitizes to itself.
[[nodiscard]] std::string sanitize_file_name(std::string_view raw);

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

} // namespace swarmshare::core
