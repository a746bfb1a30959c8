#pragma once
// What the DHT stores: signed peer records (who serves a file, and where) and generic signed
// records (BEP 44 style: a signer, a key, a salt, a sequence number and a small value), with
// keyword records built on the latter so name search works without a tracker.
//
// Every record is signed by the identity it names, over a domain label, the network ID and
// a canonical msgpack encoding of its fields (docs/PROTOCOL.md, "DHT"). The signed bytes
// are rebuilt from the decoded values, never taken from the wire, so a record's meaning is
// exactly what was signed. A node verifies a record before it stores or relays it.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/node_id.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::dht {

using Bytes = std::vector<std::uint8_t>;

// ---- Peer records ----

inline constexpr std::size_t kMaxPeerRecordEndpoints = 4;
/// A peer record is valid this long after its issue time; peers re-announce well before.
inline constexpr std::chrono::seconds kPeerRecordLifetime{2 * 60 * 60};
/// How far in the future an issue time may lie (clocks disagree a little).
inline constexpr std::chrono::seconds kMaxClockSkew{10 * 60};

/// "Peer `peer` serves file `file_id` at `endpoints`", signed by `peer`.
struct PeerRecord {
  crypto::PeerId peer{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  core::FileId file_id;
  std::vector<core::Endpoint> endpoints; ///< 1 .. kMaxPeerRecordEndpoints, ports non-zero
  std::uint64_t issued = 0;              ///< unix seconds
  crypto::Signature signature{};
  friend bool operator==(const PeerRecord&, const PeerRecord&) = default;
};

/// Signs a peer record for `identity`, issued now. Errors: invalid_message for 0 or more
/// than kMaxPeerRecordEndpoints endpoints or a port 0.
[[nodiscard]] core::Result<PeerRecord> make_peer_record(const crypto::Identity& identity,
                                                        const crypto::NetworkId& network,
                                                        const core::FileId& file_id,
                                                        std::vector<core::Endpoint> endpoints,
                                                        const core::Clock& clock);

/// Checks a peer record as of `clock.system_now()`: record_expired when issued at least
/// kPeerRecordLifetime ago, record_from_future when issued more than kMaxClockSkew ahead,
/// invalid_message for an endpoint list a sender may not send, bad_signature when the
/// signature is not `peer`'s over these fields in `network`.
[[nodiscard]] core::Status verify_peer_record(const PeerRecord& record,
                                              const crypto::NetworkId& network,
                                              const core::Clock& clock) noexcept;

/// The exact bytes a peer record's signature covers (for tests and other implementations).
[[nodiscard]] Bytes peer_record_signed_message(const PeerRecord& record,
                                               const crypto::NetworkId& network);

// ---- Generic signed records ----

inline constexpr std::size_t kMaxRecordValueBytes = 1000;
inline constexpr std::size_t kMaxRecordSaltBytes = 64;

/// A small value stored under `target`, one per (target, signer, salt): a newer `seq`
/// replaces an older one. The salt lets one signer keep several records under one key.
struct SignedRecord {
  crypto::PeerId signer{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  NodeId target;
  Bytes salt; ///< 0 .. kMaxRecordSaltBytes
  std::uint64_t seq = 0;
  Bytes value; ///< 0 .. kMaxRecordValueBytes
  crypto::Signature signature{};
  friend bool operator==(const SignedRecord&, const SignedRecord&) = default;
};

/// Signs a record. Errors: invalid_message for a salt or value over its maximum.
[[nodiscard]] core::Result<SignedRecord> make_signed_record(const crypto::Identity& identity,
                                                            const crypto::NetworkId& network,
                                                            const NodeId& target, Bytes salt,
                                                            std::uint64_t seq, Bytes value);

/// invalid_message for a salt or value over its maximum, bad_signature when the signature
/// is not `signer`'s over these fields in `network`. Records do not expire by themselves:
/// how long a node keeps one is its storage policy (signers republish).
[[nodiscard]] core::Status verify_signed_record(const SignedRecord& record,
                                                const crypto::NetworkId& network) noexcept;

[[nodiscard]] Bytes signed_record_message(const SignedRecord& record,
                                          const crypto::NetworkId& network);

// ---- Keyword records ----

/// The same limits as the tracker's search index (tracker::split_words).
inline constexpr std::size_t kMaxWordsPerName = 64;
inline constexpr std::size_t kMaxWordBytes = 64;
/// Names in keyword values are cut to this many bytes (on a UTF-8 character boundary):
/// sanitized names are no longer, and short records let more of them fit in one reply.
inline constexpr std::size_t kMaxKeywordNameBytes = 255;

/// A name's search words, by the tracker's rule: split at every byte that is not an ASCII
/// letter or digit (bytes of multi-byte UTF-8 characters count as letters, so non-Latin
/// words stay whole), ASCII-lowercased, each cut to kMaxWordBytes, duplicates removed, in
/// order of first appearance, at most kMaxWordsPerName. "Holiday-Video 2026.bin" gives
/// holiday, video, 2026, bin.
[[nodiscard]] std::vector<std::string> split_words(std::string_view name);

/// True for one word as split_words() gives it.
[[nodiscard]] bool is_normalized_word(std::string_view word) noexcept;

/// What a keyword record says: a file whose name holds the word.
struct KeywordEntry {
  core::FileId file_id;
  std::uint64_t size = 0;
  std::string name; ///< UTF-8, at most kMaxKeywordNameBytes
  friend bool operator==(const KeywordEntry&, const KeywordEntry&) = default;
};

/// The canonical value bytes: msgpack [file_id (bin 32), size (uint), name (str)]. The
/// name is cut to kMaxKeywordNameBytes first. Errors: invalid_message for invalid UTF-8.
[[nodiscard]] core::Result<Bytes> encode_keyword_value(const KeywordEntry& entry);

/// Reads a value made by encode_keyword_value. Errors: invalid_keyword_value.
[[nodiscard]] core::Result<KeywordEntry> decode_keyword_value(std::span<const std::uint8_t> value);

/// The keyword record for one word of a file's name: stored under NodeId::of_word(word),
/// salted with the File ID (so one signer has one record per file under each word).
/// Errors: invalid_word when `word` is not normalized, invalid_message as above.
[[nodiscard]] core::Result<SignedRecord>
make_keyword_record(const crypto::Identity& identity, const crypto::NetworkId& network,
                    std::string_view word, const KeywordEntry& entry, std::uint64_t seq);

/// The entry of a keyword record, after checking that it is one: the salt is the File ID
/// in the value. Does not verify the signature (verify_signed_record does) nor the target
/// (the caller knows which word it asked for: compare with NodeId::of_word).
[[nodiscard]] core::Result<KeywordEntry> read_keyword_record(const SignedRecord& record);

} // namespace swarmshare::dht
