// Fuzzes the secure channel's record receiver: the input after its first byte is cut into
// fragments of 1 + data[0] % 64 bytes and fed to a RecordReceiver with a fixed key, handshake
// hash and a small cap. The receiver must never crash, never buffer more than one record,
// never deliver data before key confirmation, and never report a clean end without FINAL.
//
// Seeds (fuzz/seeds/record/) are streams made with this key and hash; see the
// RecordFuzzSeeds test in tests/crypto/secure_records_test.cpp for how to regenerate them.

#include "swarmshare/crypto/secure_records.hpp"

#include <algorithm>
#include <cstdlib>

namespace {

using swarmshare::crypto::ByteView;
using swarmshare::crypto::Hash64;
using swarmshare::crypto::Key32;

// Must match RecordFuzzSeeds in tests/crypto/secure_records_test.cpp.
constexpr std::uint32_t kCap = 4096;

Key32 fixed_key() {
  Key32 key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(i);
  }
  return key;
}

Hash64 fixed_hash() {
  Hash64 hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) {
    hash[i] = static_cast<std::uint8_t>(0x40 + i);
  }
  return hash;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarmshare::crypto;
  if (size < 1) {
    return 0;
  }
  static const Key32 key = fixed_key();
  static const Hash64 hash = fixed_hash();
  RecordReceiver receiver(key, hash, kCap);
  const std::size_t fragment = 1 + data[0] % 64U;
  const std::size_t bound = std::max(kRecordStreamHeaderBytes, kRecordOverheadBytes + kCap);
  ByteView rest{data + 1, size - 1};
  while (!rest.empty()) {
    const auto piece = rest.first(std::min(fragment, rest.size()));
    rest = rest.subspan(piece.size());
    auto status = receiver.feed(piece, [&receiver](ByteView plaintext) {
      if (!receiver.is_confirmed() || plaintext.empty() || plaintext.size() > kCap) {
        std::abort();
      }
    });
    if (receiver.buffered_bytes() > bound) {
      std::abort();
    }
    if (!status) {
      break;
    }
  }
  if (receiver.finish() && !receiver.received_final()) {
    std::abort(); // a clean end without the peer's FINAL record
  }
  return 0;
}
