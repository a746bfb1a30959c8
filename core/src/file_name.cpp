#include "swarmshare/core/file_name.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace swarmshare::core {
namespace {

struct CodePoint {
  char32_t value;
  std::size_t length;
};

// Decodes one well-formed UTF-8 sequence at `pos`; nullopt for anything ill-formed.
std::optional<CodePoint> decode_utf8(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[pos + i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) {
    return CodePoint{lead, 1};
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2;
    value = lead & 0x1FU;
    minimum = 0x80;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3;
    value = lead & 0x0FU;
    minimum = 0x800;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4;
    value = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (pos + length > text.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) {
      return std::nullopt;
    }
    value = (value << 6U) | (byte(i) & 0x3FU);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

bool is_control(char32_t c) noexcept { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Characters that reorder text can make "exe.txt" display as "txt.exe".
bool is_bidi_control(char32_t c) noexcept {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
         c == 0x200F || c == 0x061C;
}

bool is_forbidden_ascii(char32_t c) noexcept {
  constexpr std::string_view kForbidden = "/\\<>:\"|?*";
  return c < 0x80 && kForbidden.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string replace_unsafe_characters(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const auto cp = decode_utf8(raw, pos);
    if (!cp) {
      out.push_back('_');
      ++pos;
      continue;
    }
    if (is_bidi_control(cp->value)) {
      // dropped
    } else if (is_control(cp->value) || is_forbidden_ascii(cp->value)) {
      out.push_back('_');
    } else {
      out.append(raw.substr(pos, cp->length));
    }
    pos += cp->length;
  }
  return out;
}

void trim(std::string& name) {
  const auto first = name.find_first_not_of(' ');
  if (first == std::string::npos) {
    name.clear();
    return;
  }
  name.erase(0, first);
  const auto last = name.find_last_not_of(" .");
  name.erase(last == std::string::npos ? 0 : last + 1);
}

bool is_reserved_windows_name(std::string_view name) {
  std::string stem{name.substr(0, name.find('.'))};
  while (!stem.empty() && stem.back() == ' ') {
    stem.pop_back();
  }
  std::transform(stem.begin(), stem.end(), stem.begin(), [](char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  });
  static constexpr std::array<std::string_view, 6> kExact = {"CON", "PRN",    "AUX",
                                                             "NUL", "CONIN$", "CONOUT$"};
  if (std::find(kExact.begin(), kExact.end(), stem) != kExact.end()) {
    return true;
  }
  if (stem.size() >= 4 && (stem.starts_with("COM") || stem.starts_with("LPT"))) {
    const std::string_view suffix = std::string_view{stem}.substr(3);
    // A digit, or the superscripts ¹ ² ³ that Windows also treats as device numbers.
    return (suffix.size() == 1 && suffix[0] >= '0' && suffix[0] <= '9') || suffix == "\xC2\xB9" ||
           suffix == "\xC2\xB2" || suffix == "\xC2\xB3";
  }
  return false;
}

// Largest prefix of `text` no longer than `limit` bytes that ends on a character boundary.
std::size_t utf8_prefix_length(std::string_view text, std::size_t limit) noexcept {
  if (text.size() <= limit) {
    return text.size();
  }
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<std::uint8_t>(text[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return cut;
}

void truncate_keeping_extension(std::string& name) {
  if (name.size() <= kMaxFileNameBytes) {
    return;
  }
  constexpr std::size_t kMaxKeptExtension = 32;
  const auto dot = name.rfind('.');
  std::string extension;
  if (dot != std::string::npos && dot > 0 && name.size() - dot <= kMaxKeptExtension) {
    extension = name.substr(dot);
    name.erase(dot);
  }
  name.erase(utf8_prefix_length(name, kMaxFileNameBytes - extension.size()));
  name += extension;
}

} // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto cp = decode_utf8(text, pos);
    if (!cp) {
      return false;
    }
    pos += cp->length;
  }
  return true;
}

std::string sanitize_file_name(std::string_view raw) {
  std::string name = replace_unsafe_characters(raw);
  trim(name);
  if (is_reserved_windows_name(name)) {
    name.insert(0, 1, '_');
  }
  truncate_keeping_extension(name);
  trim(name);
  if (name.empty()) {
    return std::string{kDefaultFileName};
  }
  return name;
}

} // namespace swarmshare::core
