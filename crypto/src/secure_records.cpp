#include "swarmshare/crypto/secure_records.hpp"

#include <sodium.h>

#include <algorithm>

namespace swarmshare::crypto {

static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == std::tuple_size_v<Key32>);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == kRecordStreamHeaderBytes);
static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kRecordCipherOverheadBytes);

namespace detail {

struct SecretStream {
  crypto_secretstream_xchacha20poly1305_state state{};
  // Only a receiver keeps its key, and only until the peer's header arrives.
  Key32 key{};
};

void SecretStreamDeleter::operator()(SecretStream* stream) const noexcept {
  sodium_memzero(stream, sizeof(*stream));
  delete stream;
}

} // namespace detail

namespace {

constexpr std::uint8_t kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr std::uint8_t kTagRekey = crypto_secretstream_xchacha20poly1305_TAG_REKEY;
constexpr std::uint8_t kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

// Never null, so that libsodium is not handed a null pointer for an empty message.
constexpr std::uint8_t kNoBytes = 0;

// Receivers grow a record's buffer as its bytes arrive, starting from at most this much, so
// a peer that announces a large record and stalls pins no more memory than it has sent.
constexpr std::size_t kInitialBodyReserve = std::size_t{64} * 1024;

std::uint32_t clamp_cap(std::uint32_t max_record_bytes) noexcept {
  return std::min(max_record_bytes, kMaxRecordBytesLimit);
}

using Confirmation = std::array<std::uint8_t, kKeyConfirmationBytes>;

Confirmation confirmation_plaintext(const Hash64& handshake_hash) {
  Confirmation plaintext{};
  const auto after_label =
      std::copy(kKeyConfirmationLabel.begin(), kKeyConfirmationLabel.end(), plaintext.begin());
  std::copy(handshake_hash.begin(), handshake_hash.end(), after_label);
  return plaintext;
}

std::uint32_t read_be32(const std::array<std::uint8_t, kRecordLengthBytes>& bytes) noexcept {
  return static_cast<std::uint32_t>(bytes[0]) << 24 | static_cast<std::uint32_t>(bytes[1]) << 16 |
         static_cast<std::uint32_t>(bytes[2]) << 8 | static_cast<std::uint32_t>(bytes[3]);
}

// Moves bytes from the front of `input` into the unfilled tail of `out`.
template <std::size_t N>
void fill(std::array<std::uint8_t, N>& out, std::size_t& filled, ByteView& input) {
  const std::size_t take = std::min(N - filled, input.size());
  std::copy_n(input.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(filled));
  filled += take;
  input = input.subspan(take);
}

} // namespace

// ----- RecordSender --------------------------------------------------------------------------

RecordSender::RecordSender(const Key32& send_key, const Hash64& handshake_hash,
                           RecordSenderOptions options, const core::Clock& clock)
    : stream_(new detail::SecretStream), options_(options), clock_(&clock),
      handshake_hash_(handshake_hash) {
  init();
  options_.max_record_bytes = clamp_cap(options_.max_record_bytes);
  // init_push draws a fresh random nonce for the header, so even a reused key would not
  // reuse a keystream; it cannot fail for a key of the right size.
  crypto_secretstream_xchacha20poly1305_init_push(&stream_->state, header_.data(), send_key.data());
  keyed_at_ = clock_->steady_now();
}

Bytes RecordSender::push(ByteView plaintext, std::uint8_t tag) {
  const std::size_t cipher_size = plaintext.size() + kRecordCipherOverheadBytes;
  Bytes record(kRecordLengthBytes + cipher_size);
  for (std::size_t i = 0; i < kRecordLengthBytes; ++i) {
    record[i] = static_cast<std::uint8_t>(cipher_size >> (8 * (kRecordLengthBytes - 1 - i)));
  }
  const std::uint8_t* message = plaintext.empty() ? &kNoBytes : plaintext.data();
  // Cannot fail: the cap keeps every plaintext far below MESSAGEBYTES_MAX.
  crypto_secretstream_xchacha20poly1305_push(&stream_->state, record.data() + kRecordLengthBytes,
                                             nullptr, message, plaintext.size(), record.data(),
                                             kRecordLengthBytes, tag);
  return record;
}

core::Result<Bytes> RecordSender::start() {
  if (!stream_ || started_) {
    return Errc::out_of_order;
  }
  started_ = true;
  const Confirmation confirmation = confirmation_plaintext(handshake_hash_);
  Bytes record = push(confirmation, kTagMessage);
  Bytes out(header_.begin(), header_.end());
  out.insert(out.end(), record.begin(), record.end());
  return out;
}

core::Result<Bytes> RecordSender::seal(ByteView plaintext) {
  if (!stream_ || !started_ || closed_) {
    return Errc::out_of_order;
  }
  if (plaintext.size() > options_.max_record_bytes) {
    return Errc::record_too_large;
  }
  bytes_under_key_ += plaintext.size();
  const std::chrono::steady_clock::time_point now = clock_->steady_now();
  const bool rekey = bytes_under_key_ >= options_.rekey_after_bytes ||
                     now - keyed_at_ >= options_.rekey_after_time;
  Bytes record = push(plaintext, rekey ? kTagRekey : kTagMessage);
  if (rekey) {
    // push() has already replaced the key; the counters now describe the new one.
    ++rekeys_;
    bytes_under_key_ = 0;
    keyed_at_ = now;
  }
  return record;
}

core::Result<Bytes> RecordSender::close() {
  if (!stream_ || !started_ || closed_) {
    return Errc::out_of_order;
  }
  closed_ = true;
  Bytes record = push({}, kTagFinal);
  stream_.reset();
  return record;
}

// ----- RecordReceiver ------------------------------------------------------------------------

RecordReceiver::RecordReceiver(const Key32& receive_key, const Hash64& handshake_hash,
                               std::uint32_t max_record_bytes)
    : stream_(new detail::SecretStream), handshake_hash_(handshake_hash),
      max_record_bytes_(clamp_cap(max_record_bytes)) {
  init();
  stream_->key = receive_key;
}

core::Status RecordReceiver::feed(ByteView bytes, const OnRecord& on_record) {
  if (failure_) {
    return failure_;
  }
  while (!bytes.empty()) {
    if (final_) {
      failure_ = Errc::data_after_final;
      return failure_;
    }
    if (!stream_) {
      return Errc::out_of_order; // moved from
    }
    if (header_filled_ < kRecordStreamHeaderBytes) {
      fill(header_, header_filled_, bytes);
      if (header_filled_ < kRecordStreamHeaderBytes) {
        break;
      }
      // libsodium 1.0.18 accepts any header; a forged one fails at the first record.
      const int rc = crypto_secretstream_xchacha20poly1305_init_pull(
          &stream_->state, header_.data(), stream_->key.data());
      sodium_memzero(stream_->key.data(), stream_->key.size());
      if (rc != 0) {
        failure_ = Errc::record_auth_failed;
        return failure_;
      }
      continue;
    }
    if (length_filled_ < kRecordLengthBytes) {
      fill(length_, length_filled_, bytes);
      if (length_filled_ < kRecordLengthBytes) {
        break;
      }
      const std::uint32_t length = read_be32(length_);
      if (length > std::size_t{max_record_bytes_} + kRecordCipherOverheadBytes) {
        failure_ = Errc::record_too_large;
        return failure_;
      }
      if (length < kRecordCipherOverheadBytes) {
        failure_ = Errc::record_auth_failed; // cannot even hold a MAC
        return failure_;
      }
      body_expected_ = length;
      body_.clear();
      body_.reserve(std::min(body_expected_, kInitialBodyReserve));
      continue;
    }
    const std::size_t take = std::min(body_expected_ - body_.size(), bytes.size());
    if (body_.size() + take > body_.capacity()) {
      // Grow geometrically but never past the announced length.
      body_.reserve(std::min(body_expected_, std::max(body_.size() + take, 2 * body_.capacity())));
    }
    body_.insert(body_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (body_.size() < body_expected_) {
      break;
    }
    auto opened = open_record(on_record);
    length_filled_ = 0;
    body_expected_ = 0;
    body_.clear();
    if (!opened) {
      failure_ = opened.error();
      return failure_;
    }
  }
  return boost::outcome_v2::success();
}

core::Status RecordReceiver::open_record(const OnRecord& on_record) {
  const std::size_t plain_size = body_.size() - kRecordCipherOverheadBytes;
  // At least one byte, so that libsodium always gets a real output pointer.
  plaintext_.resize(std::max<std::size_t>(plain_size, 1));
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&stream_->state, plaintext_.data(), nullptr, &tag,
                                                 body_.data(), body_.size(), length_.data(),
                                                 length_.size()) != 0) {
    return Errc::record_auth_failed;
  }
  const ByteView plaintext = ByteView(plaintext_).first(plain_size);
  if (!confirmed_) {
    // The length is public and may short-circuit; the bytes are compared in constant time so
    // that timing never tells a prober how much of a guessed confirmation was right.
    const Confirmation expected = confirmation_plaintext(handshake_hash_);
    if (tag != kTagMessage || plaintext.size() != expected.size() ||
        sodium_memcmp(plaintext.data(), expected.data(), expected.size()) != 0) {
      return Errc::key_confirmation_failed;
    }
    confirmed_ = true;
    return boost::outcome_v2::success();
  }
  if (tag == kTagRekey) {
    ++rekeys_; // secretstream has already switched to the next key
  } else if (tag == kTagFinal) {
    final_ = true;
  }
  if (!plaintext.empty()) {
    on_record(plaintext);
  }
  if (final_) {
    stream_.reset(); // nothing more may arrive, so the key state can go now
  }
  return boost::outcome_v2::success();
}

core::Status RecordReceiver::finish() const {
  if (failure_) {
    return failure_;
  }
  if (!final_) {
    return Errc::stream_truncated;
  }
  return boost::outcome_v2::success();
}

std::size_t RecordReceiver::buffered_bytes() const noexcept {
  if (header_filled_ < kRecordStreamHeaderBytes) {
    return header_filled_;
  }
  return length_filled_ + body_.size();
}

} // namespace swarmshare::crypto
