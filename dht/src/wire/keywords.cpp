// Keyword records: a file's name split into search words, and the value stored under each.

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/dht/records.hpp"

#include "wire/codec.hpp"

#include <algorithm>
#include <limits>
#include <new>

namespace swarmshare::dht {
namespace {

// The tracker's rule (tracker::split_words), written again here because the dht part does
// not link the tracker: both indexes must cut names the same way for searches to agree.
[[nodiscard]] bool is_word_byte(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

[[nodiscard]] char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The longest prefix of `text` of at most `max` bytes that does not end inside a UTF-8
// character (`text` is valid UTF-8).
[[nodiscard]] std::string_view cut_utf8(std::string_view text, std::size_t max) noexcept {
  if (text.size() <= max) {
    return text;
  }
  std::size_t end = max;
  // Continuation bytes are 10xxxxxx: step back to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return text.substr(0, end);
}

// A keyword value holds three small fields; nothing in it nests.
[[nodiscard]] core::UnpackLimits keyword_value_limits() noexcept {
  core::UnpackLimits limits;
  limits.max_array_elements = 3;
  limits.max_map_entries = 0;
  limits.max_string_bytes = kMaxKeywordNameBytes;
  limits.max_binary_bytes = core::kHashSize;
  limits.max_depth = 2;
  return limits;
}

} // namespace

std::vector<std::string> split_words(std::string_view name) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < name.size() && words.size() < kMaxWordsPerName) {
    while (i < name.size() && !is_word_byte(name[i])) {
      ++i;
    }
    std::string word;
    while (i < name.size() && is_word_byte(name[i])) {
      const char c = ascii_lower(name[i++]);
      if (word.size() < kMaxWordBytes) {
        word.push_back(c);
      }
    }
    // A cut may split a multi-byte character; publishers and searchers cut the same way.
    if (!word.empty() && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
  }
  return words;
}

bool is_normalized_word(std::string_view word) noexcept {
  return !word.empty() && word.size() <= kMaxWordBytes &&
         std::all_of(word.begin(), word.end(),
                     [](char c) { return is_word_byte(c) && ascii_lower(c) == c; });
}

core::Result<Bytes> encode_keyword_value(const KeywordEntry& entry) {
  if (!core::is_valid_utf8(entry.name)) {
    return Errc::invalid_message;
  }
  try {
    const std::string_view name = cut_utf8(entry.name, kMaxKeywordNameBytes);
    msgpack::sbuffer buffer;
    wire::Packer packer(buffer);
    packer.pack_array(3);
    wire::pack_bin(packer, entry.file_id.bytes());
    packer.pack_uint64(entry.size);
    wire::pack_text(packer, name);
    const auto bytes = wire::bytes_of(buffer);
    return Bytes{bytes.begin(), bytes.end()};
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

core::Result<KeywordEntry> decode_keyword_value(std::span<const std::uint8_t> value) {
  auto handle = core::unpack_exactly(value, keyword_value_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return Errc::invalid_keyword_value;
  }
  try {
    // Values are signed by their publisher but read by everyone: strict, whatever version.
    const wire::Reader reader(Errc::invalid_keyword_value, false);
    const auto f = reader.exact_fields(handle.value().get(), 3);
    KeywordEntry entry;
    entry.file_id = reader.file_id(f[0]);
    entry.size = reader.uint(f[1], std::numeric_limits<std::uint64_t>::max());
    entry.name = reader.text(f[2], kMaxKeywordNameBytes);
    return entry;
  } catch (const wire::Failure&) {
    return Errc::invalid_keyword_value; // over a limit is just as invalid here
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

core::Result<SignedRecord> make_keyword_record(const crypto::Identity& identity,
                                               const crypto::NetworkId& network,
                                               std::string_view word, const KeywordEntry& entry,
                                               std::uint64_t seq) {
  if (!is_normalized_word(word)) {
    return Errc::invalid_word;
  }
  auto value = encode_keyword_value(entry);
  if (!value) {
    return value.error();
  }
  const auto& id = entry.file_id.bytes();
  return make_signed_record(identity, network, NodeId::of_word(word), Bytes{id.begin(), id.end()},
                            seq, std::move(value).value());
}

core::Result<KeywordEntry> read_keyword_record(const SignedRecord& record) {
  auto entry = decode_keyword_value(record.value);
  if (!entry) {
    return entry.error();
  }
  const auto& id = entry.value().file_id.bytes();
  // The salt is the File ID: one record per (signer, word, file), and no signer can make a
  // second record for a file look like another one.
  if (!std::equal(record.salt.begin(), record.salt.end(), id.begin(), id.end())) {
    return Errc::invalid_keyword_value;
  }
  return entry;
}

} // namespace swarmshare::dht
