#pragma once
// The transport record layer of the secure channel, sans-IO: bytes in, bytes out, no sockets.
//
// After the Noise XX handshake (noise.hpp) each direction is one libsodium
// crypto_secretstream_xchacha20poly1305 stream keyed with that direction's Split key
// (HandshakeState::split_keys). On the wire, per direction:
//
//   header      24 bytes in clear: the secretstream header of init_push
//   record*     4-byte big-endian ciphertext length, then the ciphertext; the 4 length bytes
//               are the additional data of the push/pull, so a changed length fails to
//               authenticate
//
// The first record confirms the key: its plaintext is kKeyConfirmationLabel followed by the
// 64-byte handshake hash. The receiver delivers nothing before it has checked it. Every
// later record is application data; a sender marks one with TAG_REKEY when its byte or time
// threshold is reached and the receiver follows, and close() sends TAG_FINAL. Secretstream
// binds every record to its position, so a tampered, reordered, replayed, dropped or foreign
// record fails to authenticate, and only a FINAL record is a clean end: anything else at end
// of input is a truncation.
//
// Errors: every failure of either side means "close the connection". The specific
// crypto::Errc is for local logs only; callers must not let it change what the peer sees
// (no distinct replies, no timing differences they add themselves).

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string_view>

namespace swarmshare::crypto {

/// The secretstream header that starts each direction, sent in clear.
inline constexpr std::size_t kRecordStreamHeaderBytes = 24;
/// The big-endian ciphertext length in front of every record.
inline constexpr std::size_t kRecordLengthBytes = 4;
/// What secretstream adds to a plaintext: one encrypted tag byte and a 16-byte MAC.
inline constexpr std::size_t kRecordCipherOverheadBytes = 17;
/// Everything a record adds on the wire to its plaintext.
inline constexpr std::size_t kRecordOverheadBytes = kRecordLengthBytes + kRecordCipherOverheadBytes;

/// Default cap on a record's plaintext.
inline constexpr std::uint32_t kDefaultMaxRecordBytes = 1024 * 1024;
/// The largest cap that still fits the ciphertext length in the 4-byte prefix; larger
/// configured caps are lowered to it.
inline constexpr std::uint32_t kMaxRecordBytesLimit =
    std::numeric_limits<std::uint32_t>::max() - kRecordCipherOverheadBytes;

/// Default rekey thresholds: whichever comes first. Rekeying erases the previous key, so a
/// later key compromise does not expose records sent before it.
inline constexpr std::uint64_t kDefaultRekeyAfterBytes = std::uint64_t{1} << 30;
inline constexpr std::chrono::minutes kDefaultRekeyInterval{10};

/// The first plaintext in each direction is this label followed by the handshake hash.
inline constexpr std::string_view kKeyConfirmationLabel = "swarmshare key confirmation v1";
inline constexpr std::size_t kKeyConfirmationBytes =
    kKeyConfirmationLabel.size() + std::tuple_size_v<Hash64>;

namespace detail {
// The libsodium stream state lives on the heap behind this, so that sodium.h stays out of
// the public headers and the state is wiped exactly once, whoever owns it last.
struct SecretStream;
struct SecretStreamDeleter {
  void operator()(SecretStream* stream) const noexcept;
};
using SecretStreamPtr = std::unique_ptr<SecretStream, SecretStreamDeleter>;
} // namespace detail

struct RecordSenderOptions {
  /// Largest plaintext seal() accepts; the peer's receiver must allow at least as much.
  std::uint32_t max_record_bytes = kDefaultMaxRecordBytes;
  /// Mark a record TAG_REKEY once this much plaintext went out under the current key
  /// (counting that record).
  std::uint64_t rekey_after_bytes = kDefaultRekeyAfterBytes;
  /// Mark a record TAG_REKEY when this much time passed since the current key was set. Only
  /// records carry the tag, so an idle stream keeps its key until it sends again.
  std::chrono::steady_clock::duration rekey_after_time = kDefaultRekeyInterval;
};

/// Our half of one direction: turns plaintexts into records. Move-only; a moved-from sender
/// refuses everything with out_of_order.
class RecordSender {
public:
  /// Starts the stream (init_push) with our send key. `clock` must outlive the sender.
  RecordSender(const Key32& send_key, const Hash64& handshake_hash,
               RecordSenderOptions options = {}, const core::Clock& clock = core::real_clock());

  /// The first bytes of the direction: the stream header, then the key-confirmation record.
  /// Once only, before anything else (out_of_order otherwise).
  [[nodiscard]] core::Result<Bytes> start();
  /// One record carrying `plaintext`. Errors: record_too_large over the cap (the sender stays
  /// usable), out_of_order before start() or after close().
  [[nodiscard]] core::Result<Bytes> seal(ByteView plaintext);
  /// The TAG_FINAL record that ends the direction cleanly; afterwards nothing can be sealed
  /// and the key is wiped. out_of_order before start() or when already closed.
  [[nodiscard]] core::Result<Bytes> close();

  [[nodiscard]] bool is_started() const noexcept { return started_; }
  [[nodiscard]] bool is_closed() const noexcept { return closed_; }
  /// Records sent with TAG_REKEY so far.
  [[nodiscard]] std::uint64_t rekeys() const noexcept { return rekeys_; }
  [[nodiscard]] std::uint32_t max_record_bytes() const noexcept {
    return options_.max_record_bytes;
  }

private:
  [[nodiscard]] Bytes push(ByteView plaintext, std::uint8_t tag);

  detail::SecretStreamPtr stream_;
  RecordSenderOptions options_;
  const core::Clock* clock_;
  Hash64 handshake_hash_;
  std::array<std::uint8_t, kRecordStreamHeaderBytes> header_{};
  std::chrono::steady_clock::time_point keyed_at_;
  std::uint64_t bytes_under_key_ = 0;
  std::uint64_t rekeys_ = 0;
  bool started_ = false;
  bool closed_ = false;
};

/// The peer's half of one direction: turns a byte stream, however fragmented, into
/// plaintexts. Holds at most one partial record and checks each length prefix against the
/// cap before buffering or allocating for it. After the first error it stays failed and
/// ignores further input. Move-only.
class RecordReceiver {
public:
  using OnRecord = std::function<void(ByteView plaintext)>;

  /// `receive_key` is the peer's send key; `max_record_bytes` must be at least the peer
  /// sender's cap.
  RecordReceiver(const Key32& receive_key, const Hash64& handshake_hash,
                 std::uint32_t max_record_bytes = kDefaultMaxRecordBytes);

  /// Consumes all of `bytes`, calling `on_record` in order with the plaintext of each
  /// application record that is not empty. The view is valid only during the call.
  /// Errors: record_too_large, record_auth_failed, key_confirmation_failed, data_after_final.
  [[nodiscard]] core::Status feed(ByteView bytes, const OnRecord& on_record);

  /// Call at end of input: success only after the peer's FINAL record, else the earlier
  /// error or stream_truncated. A truncated stream is never a clean end.
  [[nodiscard]] core::Status finish() const;

  /// Bytes held for the header or record in progress.
  [[nodiscard]] std::size_t buffered_bytes() const noexcept;
  /// True once the key-confirmation record was verified.
  [[nodiscard]] bool is_confirmed() const noexcept { return confirmed_; }
  /// True once the FINAL record arrived.
  [[nodiscard]] bool received_final() const noexcept { return final_; }
  /// Records received with TAG_REKEY so far.
  [[nodiscard]] std::uint64_t rekeys() const noexcept { return rekeys_; }

private:
  [[nodiscard]] core::Status open_record(const OnRecord& on_record);

  detail::SecretStreamPtr stream_;
  Hash64 handshake_hash_;
  std::uint32_t max_record_bytes_;
  std::array<std::uint8_t, kRecordStreamHeaderBytes> header_{};
  std::size_t header_filled_ = 0;
  std::array<std::uint8_t, kRecordLengthBytes> length_{};
  std::size_t length_filled_ = 0;
  std::size_t body_expected_ = 0;
  Bytes body_;
  Bytes plaintext_;
  std::uint64_t rekeys_ = 0;
  bool confirmed_ = false;
  bool final_ = false;
  std::error_code failure_;
};

} // namespace swarmshare::crypto
