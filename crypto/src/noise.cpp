#include "swarmshare/crypto/noise.hpp"

#include "swarmshare/crypto/hkdf.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <limits>
#include <span>

namespace swarmshare::crypto {
namespace {

static_assert(crypto_scalarmult_curve25519_BYTES == kNoiseDhBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == std::tuple_size_v<Key32>);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kNoiseTagBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);

// Noise reserves the largest nonce for Rekey; a CipherState whose n reaches it is spent.
constexpr std::uint64_t kReservedNonce = std::numeric_limits<std::uint64_t>::max();

using Nonce96 = std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES>;

// Spec 12.3 (ChaChaPoly): 32 bits of zeros, then the 64-bit counter little-endian.
Nonce96 chachapoly_nonce(std::uint64_t n) noexcept {
  Nonce96 nonce{};
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return nonce;
}

void wipe(Key32& key) noexcept { sodium_memzero(key.data(), key.size()); }
void wipe(Hash64& hash) noexcept { sodium_memzero(hash.data(), hash.size()); }

Key32 first_32(const Hash64& hash) noexcept {
  // HASHLEN is 64 and the cipher key 32: spec 5.2 truncates temp_k to its first 32 bytes.
  Key32 key{};
  std::copy_n(hash.begin(), key.size(), key.begin());
  return key;
}

enum class Token { e, s, ee, es, se };

// The XX pattern (spec 7.5). Initiator writes messages 0 and 2, responder message 1.
constexpr std::array<std::array<Token, 4>, HandshakeState::kMessageCount> kXxTokens{{
    {Token::e},
    {Token::e, Token::ee, Token::s, Token::es},
    {Token::s, Token::se},
}};
constexpr std::array<std::size_t, HandshakeState::kMessageCount> kXxTokenCounts{1, 4, 2};

} // namespace

// ----- KeyPair -------------------------------------------------------------------------------

KeyPair KeyPair::generate() {
  init();
  KeyPair pair;
  // crypto_scalarmult_base clamps the scalar, so any 32 random bytes are a valid secret key;
  // libsodium 1.0.18 never fails here, but retrying costs nothing if a later one does.
  do {
    randombytes_buf(pair.secret_.data(), pair.secret_.size());
  } while (crypto_scalarmult_base(pair.public_.data(), pair.secret_.data()) != 0);
  return pair;
}

core::Result<KeyPair> KeyPair::from_secret_key(const Key32& secret_key) {
  init();
  KeyPair pair;
  pair.secret_ = secret_key;
  if (crypto_scalarmult_base(pair.public_.data(), pair.secret_.data()) != 0) {
    return Errc::invalid_key;
  }
  return pair;
}

KeyPair::KeyPair(KeyPair&& other) noexcept : secret_(other.secret_), public_(other.public_) {
  wipe(other.secret_);
}

KeyPair& KeyPair::operator=(KeyPair&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = other.public_;
    wipe(other.secret_);
  }
  return *this;
}

KeyPair::~KeyPair() { wipe(secret_); }

core::Result<Key32> dh(const KeyPair& local, const Key32& remote_public) {
  init();
  Key32 shared{};
  // libsodium already refuses small-order points and an all-zero result; the explicit check
  // keeps the guarantee independent of the library version.
  const int rc = crypto_scalarmult(shared.data(), local.secret_key().data(), remote_public.data());
  if (rc != 0 || sodium_is_zero(shared.data(), shared.size()) != 0) {
    wipe(shared);
    return Errc::invalid_key;
  }
  return shared;
}

namespace {

// Which keys a DH token combines, as (our key is the ephemeral one, the peer's key is the
// ephemeral one). es/se name (initiator key, responder key); each side uses its own half.
std::pair<bool, bool> dh_operands(Token token, bool initiator) noexcept {
  const bool initiator_ephemeral = token != Token::se;
  const bool responder_ephemeral = token != Token::es;
  return initiator ? std::pair{initiator_ephemeral, responder_ephemeral}
                   : std::pair{responder_ephemeral, initiator_ephemeral};
}

// One DH token: MixKey(DH(local, remote)). The pattern guarantees both keys are present by
// the time a DH token is reached, because `e` and `s` tokens always come first.
core::Status mix_dh(SymmetricState& symmetric, const KeyPair& local, const Key32& remote) {
  auto shared = dh(local, remote);
  if (!shared) {
    return shared.error();
  }
  symmetric.mix_key(shared.value());
  wipe(shared.value());
  return boost::outcome_v2::success();
}

} // namespace

// ----- CipherState ---------------------------------------------------------------------------

CipherState::CipherState() noexcept { init(); }

CipherState::CipherState(const Key32& key) noexcept : k_(key), has_key_(true) { init(); }

CipherState::CipherState(CipherState&& other) noexcept
    : k_(other.k_), has_key_(other.has_key_), n_(other.n_) {
  other.clear_key();
}

CipherState& CipherState::operator=(CipherState&& other) noexcept {
  if (this != &other) {
    k_ = other.k_;
    has_key_ = other.has_key_;
    n_ = other.n_;
    other.clear_key();
  }
  return *this;
}

CipherState::~CipherState() { wipe(k_); }

void CipherState::initialize_key(const Key32& key) noexcept {
  k_ = key;
  has_key_ = true;
  n_ = 0;
}

void CipherState::clear_key() noexcept {
  wipe(k_);
  has_key_ = false;
  n_ = 0;
}

core::Result<Bytes> CipherState::encrypt_with_ad(ByteView ad, ByteView plaintext) {
  if (!has_key_) {
    if (plaintext.size() > kNoiseMaxMessageBytes) {
      return Errc::message_too_large;
    }
    return Bytes(plaintext.begin(), plaintext.end());
  }
  if (plaintext.size() > kNoiseMaxPlaintextBytes) {
    return Errc::message_too_large;
  }
  if (n_ == kReservedNonce) {
    return Errc::nonce_exhausted;
  }
  Bytes ciphertext(plaintext.size() + kNoiseTagBytes);
  unsigned long long written = 0;
  const Nonce96 nonce = chachapoly_nonce(n_);
  crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext.data(), &written, plaintext.data(),
                                            plaintext.size(), ad.data(), ad.size(), nullptr,
                                            nonce.data(), k_.data());
  ++n_;
  return ciphertext;
}

core::Result<Bytes> CipherState::decrypt_with_ad(ByteView ad, ByteView ciphertext) {
  if (ciphertext.size() > kNoiseMaxMessageBytes) {
    return Errc::message_too_large;
  }
  if (!has_key_) {
    return Bytes(ciphertext.begin(), ciphertext.end());
  }
  if (n_ == kReservedNonce) {
    return Errc::nonce_exhausted;
  }
  if (ciphertext.size() < kNoiseTagBytes) {
    return Errc::decrypt_failed;
  }
  Bytes plaintext(ciphertext.size() - kNoiseTagBytes);
  unsigned long long written = 0;
  const Nonce96 nonce = chachapoly_nonce(n_);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(plaintext.data(), &written, nullptr,
                                                ciphertext.data(), ciphertext.size(), ad.data(),
                                                ad.size(), nonce.data(), k_.data()) != 0) {
    return Errc::decrypt_failed;
  }
  ++n_;
  return plaintext;
}

core::Status CipherState::rekey() {
  if (!has_key_) {
    return Errc::out_of_order;
  }
  // REKEY(k) = ENCRYPT(k, maxnonce, zerolen, zeros): 32 bytes of keystream plus a tag.
  const std::array<std::uint8_t, 32> zeros{};
  std::array<std::uint8_t, 32 + kNoiseTagBytes> block{};
  unsigned long long written = 0;
  const Nonce96 nonce = chachapoly_nonce(kReservedNonce);
  crypto_aead_chacha20poly1305_ietf_encrypt(block.data(), &written, zeros.data(), zeros.size(),
                                            nullptr, 0, nullptr, nonce.data(), k_.data());
  std::copy_n(block.begin(), k_.size(), k_.begin());
  sodium_memzero(block.data(), block.size());
  return boost::outcome_v2::success();
}

// ----- SymmetricState ------------------------------------------------------------------------

SymmetricState::SymmetricState(std::string_view protocol_name) {
  init();
  const ByteView name{reinterpret_cast<const std::uint8_t*>(protocol_name.data()),
                      protocol_name.size()};
  if (name.size() <= h_.size()) {
    std::copy(name.begin(), name.end(), h_.begin()); // the rest of h_ stays zero
  } else {
    h_ = blake2b_512({name});
  }
  ck_ = h_;
}

SymmetricState::SymmetricState(SymmetricState&& other) noexcept
    : ck_(other.ck_), h_(other.h_), cipher_(std::move(other.cipher_)) {
  wipe(other.ck_);
}

SymmetricState& SymmetricState::operator=(SymmetricState&& other) noexcept {
  if (this != &other) {
    ck_ = other.ck_;
    h_ = other.h_;
    cipher_ = std::move(other.cipher_);
    wipe(other.ck_);
  }
  return *this;
}

SymmetricState::~SymmetricState() { wipe(ck_); }

void SymmetricState::mix_key(ByteView input_key_material) {
  auto [ck, temp_k] = hkdf<2>(ck_, input_key_material);
  ck_ = ck;
  Key32 key = first_32(temp_k);
  cipher_.initialize_key(key);
  wipe(ck);
  wipe(temp_k);
  wipe(key);
}

void SymmetricState::mix_hash(ByteView data) { h_ = blake2b_512({h_, data}); }

void SymmetricState::mix_key_and_hash(ByteView input_key_material) {
  auto [ck, temp_h, temp_k] = hkdf<3>(ck_, input_key_material);
  ck_ = ck;
  mix_hash(temp_h);
  Key32 key = first_32(temp_k);
  cipher_.initialize_key(key);
  wipe(ck);
  wipe(temp_h);
  wipe(temp_k);
  wipe(key);
}

core::Result<Bytes> SymmetricState::encrypt_and_hash(ByteView plaintext) {
  auto ciphertext = cipher_.encrypt_with_ad(h_, plaintext);
  if (ciphertext) {
    mix_hash(ciphertext.value());
  }
  return ciphertext;
}

core::Result<Bytes> SymmetricState::decrypt_and_hash(ByteView ciphertext) {
  auto plaintext = cipher_.decrypt_with_ad(h_, ciphertext);
  if (plaintext) {
    mix_hash(ciphertext);
  }
  return plaintext;
}

TransportKeys SymmetricState::split_keys() const {
  auto [temp_k1, temp_k2] = hkdf<2>(ck_, ByteView{});
  TransportKeys keys;
  keys.send = first_32(temp_k1);
  keys.receive = first_32(temp_k2);
  wipe(temp_k1);
  wipe(temp_k2);
  return keys;
}

std::pair<CipherState, CipherState> SymmetricState::split() const {
  const TransportKeys keys = split_keys();
  return {CipherState(keys.send), CipherState(keys.receive)};
}

// ----- HandshakeState ------------------------------------------------------------------------

HandshakeState::HandshakeState(Role role, KeyPair local_static, ByteView prologue,
                               std::optional<KeyPair> local_ephemeral)
    : role_(role), symmetric_(kNoiseProtocolName), s_(std::move(local_static)),
      e_(std::move(local_ephemeral)) {
  symmetric_.mix_hash(prologue);
  // XX has no pre-messages, so nothing else enters h before the first message.
}

bool HandshakeState::is_write_turn() const noexcept {
  if (is_complete()) {
    return false;
  }
  const bool initiator_turn = next_message_ % 2 == 0;
  return initiator_turn == (role_ == Role::initiator);
}

bool HandshakeState::is_complete() const noexcept {
  return next_message_ == kMessageCount && !failed_;
}

std::error_code HandshakeState::fail(std::error_code error) noexcept {
  failed_ = true;
  e_.reset(); // destroying the KeyPair wipes the ephemeral secret
  return error;
}

core::Status HandshakeState::mix_dh_keys(bool local_ephemeral, bool remote_ephemeral) {
  const KeyPair& local = local_ephemeral ? *e_ : s_;
  const Key32& remote = remote_ephemeral ? *re_ : *rs_;
  return mix_dh(symmetric_, local, remote);
}

core::Result<Bytes> HandshakeState::write_message(ByteView payload) {
  if (failed_) {
    return Errc::handshake_failed;
  }
  if (!is_write_turn()) {
    return Errc::out_of_order;
  }
  const auto tokens = std::span(kXxTokens[next_message_]).first(kXxTokenCounts[next_message_]);

  // Check the size before touching any state, so an oversized payload is a plain refusal
  // that leaves the handshake usable.
  bool keyed = symmetric_.has_key();
  std::size_t length = 0;
  for (const Token token : tokens) {
    switch (token) {
    case Token::e: length += kNoiseDhBytes; break;
    case Token::s: length += kNoiseDhBytes + (keyed ? kNoiseTagBytes : 0); break;
    case Token::ee:
    case Token::es:
    case Token::se: keyed = true; break;
    }
  }
  if (payload.size() > kNoiseMaxMessageBytes ||
      length + payload.size() + (keyed ? kNoiseTagBytes : 0) > kNoiseMaxMessageBytes) {
    return Errc::message_too_large;
  }

  const bool initiator = role_ == Role::initiator;
  Bytes message;
  message.reserve(length + payload.size() + kNoiseTagBytes);
  for (const Token token : tokens) {
    core::Status step{boost::outcome_v2::success()};
    switch (token) {
    case Token::e: {
      if (!e_) {
        e_ = KeyPair::generate();
      }
      const Key32& e_pub = e_->public_key();
      message.insert(message.end(), e_pub.begin(), e_pub.end());
      symmetric_.mix_hash(e_pub);
      break;
    }
    case Token::s: {
      auto encrypted = symmetric_.encrypt_and_hash(s_.public_key());
      if (!encrypted) {
        step = encrypted.error();
        break;
      }
      message.insert(message.end(), encrypted.value().begin(), encrypted.value().end());
      break;
    }
    case Token::ee:
    case Token::es:
    case Token::se: {
      const auto [local_ephemeral, remote_ephemeral] = dh_operands(token, initiator);
      step = mix_dh_keys(local_ephemeral, remote_ephemeral);
      break;
    }
    }
    if (!step) {
      return fail(step.error());
    }
  }

  auto encrypted_payload = symmetric_.encrypt_and_hash(payload);
  if (!encrypted_payload) {
    return fail(encrypted_payload.error());
  }
  message.insert(message.end(), encrypted_payload.value().begin(), encrypted_payload.value().end());
  ++next_message_;
  if (is_complete()) {
    e_.reset(); // forward secrecy: the ephemeral secret is not needed any more
  }
  return message;
}

core::Result<Bytes> HandshakeState::read_message(ByteView message) {
  if (failed_) {
    return Errc::handshake_failed;
  }
  if (is_complete() || is_write_turn()) {
    return Errc::out_of_order;
  }
  if (message.size() > kNoiseMaxMessageBytes) {
    return Errc::message_too_large;
  }
  const auto tokens = std::span(kXxTokens[next_message_]).first(kXxTokenCounts[next_message_]);
  const bool initiator = role_ == Role::initiator;
  ByteView rest = message;

  for (const Token token : tokens) {
    core::Status step{boost::outcome_v2::success()};
    switch (token) {
    case Token::e: {
      if (rest.size() < kNoiseDhBytes) {
        return fail(Errc::message_truncated);
      }
      Key32 re{};
      std::copy_n(rest.begin(), re.size(), re.begin());
      re_ = re;
      symmetric_.mix_hash(rest.first(kNoiseDhBytes));
      rest = rest.subspan(kNoiseDhBytes);
      break;
    }
    case Token::s: {
      const std::size_t length = kNoiseDhBytes + (symmetric_.has_key() ? kNoiseTagBytes : 0);
      if (rest.size() < length) {
        return fail(Errc::message_truncated);
      }
      auto decrypted = symmetric_.decrypt_and_hash(rest.first(length));
      if (!decrypted) {
        step = decrypted.error();
        break;
      }
      Key32 rs{};
      std::copy_n(decrypted.value().begin(), rs.size(), rs.begin());
      rs_ = rs;
      rest = rest.subspan(length);
      break;
    }
    case Token::ee:
    case Token::es:
    case Token::se: {
      const auto [local_ephemeral, remote_ephemeral] = dh_operands(token, initiator);
      step = mix_dh_keys(local_ephemeral, remote_ephemeral);
      break;
    }
    }
    if (!step) {
      return fail(step.error());
    }
  }

  auto payload = symmetric_.decrypt_and_hash(rest);
  if (!payload) {
    return fail(payload.error());
  }
  ++next_message_;
  if (is_complete()) {
    e_.reset();
  }
  return payload;
}

core::Result<Hash64> HandshakeState::handshake_hash() const {
  if (!is_complete()) {
    return Errc::out_of_order;
  }
  return symmetric_.handshake_hash();
}

core::Result<TransportCiphers> HandshakeState::split() {
  if (!is_complete() || split_done_) {
    return Errc::out_of_order;
  }
  split_done_ = true;
  auto [initiator_to_responder, responder_to_initiator] = symmetric_.split();
  if (role_ == Role::initiator) {
    return TransportCiphers{std::move(initiator_to_responder), std::move(responder_to_initiator)};
  }
  return TransportCiphers{std::move(responder_to_initiator), std::move(initiator_to_responder)};
}

TransportKeys::~TransportKeys() {
  wipe(send);
  wipe(receive);
}

core::Result<TransportKeys> HandshakeState::split_keys() {
  if (!is_complete() || split_done_) {
    return Errc::out_of_order;
  }
  split_done_ = true;
  TransportKeys keys = symmetric_.split_keys();
  if (role_ == Role::responder) {
    std::swap(keys.send, keys.receive);
  }
  return keys;
}

} // namespace swarmshare::crypto
