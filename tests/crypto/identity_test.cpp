#include "swarmshare/crypto/identity.hpp"

#include "swarmshare/core/hash.hpp"
#include "swarmshare/core/platform/paths.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace swarmshare::crypto {
namespace {

namespace fs = std::filesystem;

std::array<std::uint8_t, kPeerIdBytes> counting_bytes() {
  std::array<std::uint8_t, kPeerIdBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(i);
  }
  return bytes;
}

Bytes ascii(std::string_view text) { return {text.begin(), text.end()}; }

Bytes read_all(const fs::path& path) {
  return core::platform::read_small_file(path, 1 << 20).value();
}

void write_owner_only(const fs::path& path, const Bytes& bytes) {
  ASSERT_TRUE(core::platform::write_private_file_atomically(path, bytes));
}

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777U;
}

// ----- PeerId --------------------------------------------------------------------------------

TEST(PeerId, textIsLowercaseUnpaddedRfc4648Base32) {
  // Expected values from Python: base64.b32encode(...).rstrip('=').lower()
  EXPECT_EQ(PeerId{counting_bytes()}.to_string(),
            "aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq");
  std::array<std::uint8_t, kPeerIdBytes> all_ones{};
  all_ones.fill(0xFF);
  EXPECT_EQ(PeerId{all_ones}.to_string(), std::string(51, '7') + "q");
  const PeerId zeros{std::array<std::uint8_t, kPeerIdBytes>{}};
  EXPECT_EQ(zeros.to_string(), std::string(52, 'a'));
}

TEST(PeerId, textRoundTripsAndShortFormIsItsPrefix) {
  for (int i = 0; i < 50; ++i) {
    const PeerId id = Identity::generate().peer_id();
    const std::string text = id.to_string();
    ASSERT_EQ(text.size(), kPeerIdTextLength);
    EXPECT_TRUE(std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
    }));
    EXPECT_EQ(id.to_short_string(), text.substr(0, kPeerIdShortLength));
    const auto parsed = PeerId::parse(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed.value(), id);
  }
}

TEST(PeerId, parseAcceptsUppercase) {
  const PeerId id{counting_bytes()};
  std::string text = id.to_string();
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  ASSERT_TRUE(PeerId::parse(text));
  EXPECT_EQ(PeerId::parse(text).value(), id);
}

TEST(PeerId, parseRejectsWrongLengthForeignCharactersAndNonZeroTrailingBits) {
  const std::string good = PeerId{counting_bytes()}.to_string();
  const std::vector<std::string> bad = {
      "",
      good.substr(0, 51),
      good + "a",
      good.substr(0, 51) + "1",               // '1' is not in the alphabet
      good.substr(0, 51) + "8",               // nor is '8'
      good.substr(0, 51) + "=",               // no padding
      good.substr(0, 50) + "=" + good.back(), // padding inside
      std::string(51, 'a') + "b",             // trailing bits not zero
      std::string(51, '7') + "r",             // same, other value
      good.substr(0, 10) + " " + good.substr(11),
      std::string(64, 'a'), // the hex form of a key is not a Peer ID
  };
  for (const auto& text : bad) {
    const auto parsed = PeerId::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error(), Errc::invalid_peer_id) << text;
  }
}

TEST(PeerId, isComparableAndHashable) {
  const PeerId a = Identity::generate().peer_id();
  const PeerId b = Identity::generate().peer_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(a, PeerId{a.bytes()});
  EXPECT_TRUE(a < b || b < a);
  std::unordered_set<PeerId> set{a, b, PeerId{a.bytes()}};
  EXPECT_EQ(set.size(), 2U);
  EXPECT_EQ(std::hash<PeerId>{}(a), std::hash<PeerId>{}(PeerId{a.bytes()}));
  std::map<PeerId, int> ordered{{a, 1}, {b, 2}};
  EXPECT_EQ(ordered.at(a), 1);
}

// ----- Identity ------------------------------------------------------------------------------

TEST(Identity, signaturesVerifyOnlyForTheSignedMessageAndSigner) {
  const Identity alice = Identity::generate();
  const Identity bob = Identity::generate();
  const Bytes message = ascii("hello");
  Signature signature = alice.sign(message);
  EXPECT_TRUE(verify_signature(alice.peer_id(), message, signature));
  EXPECT_FALSE(verify_signature(bob.peer_id(), message, signature));
  EXPECT_FALSE(verify_signature(alice.peer_id(), ascii("hellp"), signature));
  signature[10] ^= 0x01U;
  EXPECT_FALSE(verify_signature(alice.peer_id(), message, signature));
}

TEST(Identity, sameSeedGivesSameIdentityAndMovesKeepIt) {
  Key32 seed{};
  seed.fill(7);
  Identity first = Identity::from_seed(seed);
  const Identity second = Identity::from_seed(seed);
  EXPECT_EQ(first.peer_id(), second.peer_id());
  const PeerId id = first.peer_id();
  Identity moved = std::move(first);
  EXPECT_EQ(moved.peer_id(), id);
  EXPECT_TRUE(verify_signature(id, ascii("m"), moved.sign(ascii("m"))));
}

// ----- identity.key --------------------------------------------------------------------------

TEST(IdentityFile, isCreatedOwnerOnlyOnFirstUseAndReloadsEqual) {
  test::TempDir temp;
  const fs::path data_dir = temp.path() / "nested" / "data";
  const auto created = load_or_create_identity(data_dir);
  ASSERT_TRUE(created) << created.error().message();
  const fs::path file = identity_file_path(data_dir);
  EXPECT_EQ(file, data_dir / "identity.key");
  EXPECT_EQ(mode_of(file), 0600U);
  EXPECT_EQ(mode_of(data_dir), 0700U);

  const Bytes bytes = read_all(file);
  ASSERT_EQ(bytes.size(), 71U);
  EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 7), ascii("SWSHID\x01"));
  const core::Hash256 checksum = core::blake2b_256(std::span(bytes).first(39));
  EXPECT_TRUE(std::equal(checksum.begin(), checksum.end(), bytes.begin() + 39));

  const auto reloaded = load_or_create_identity(data_dir);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded.value().peer_id(), created.value().peer_id());
  EXPECT_EQ(read_all(file), bytes);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(data_dir), {}), 1);
}

// Makes a valid identity file, lets `damage` change it (written back owner-only unless the
// damage is about permissions), and checks the load fails with `expected` and leaves the
// file's bytes alone.
template <class Damage>
void expect_refused_and_untouched(Damage damage, Errc expected) {
  test::TempDir temp;
  ASSERT_TRUE(load_or_create_identity(temp.path()));
  const fs::path file = identity_file_path(temp.path());
  Bytes bytes = read_all(file);
  damage(file, bytes);
  const Bytes before = read_all(file);
  const unsigned mode_before = mode_of(file);

  const auto loaded = load_or_create_identity(temp.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), expected) << loaded.error().message();
  EXPECT_EQ(read_all(file), before);
  EXPECT_EQ(mode_of(file), mode_before);
  // A second attempt still refuses: nothing was "repaired" in between.
  EXPECT_EQ(load_or_create_identity(temp.path()).error(), expected);
}

TEST(IdentityFile, corruptFileIsRefusedAndLeftUntouched) {
  expect_refused_and_untouched(
      [](const fs::path& file, Bytes& bytes) {
        bytes[20] ^= 0x01U; // a bit of the seed: only the checksum can tell
        write_owner_only(file, bytes);
      },
      Errc::identity_corrupt);
  expect_refused_and_untouched(
      [](const fs::path& file, Bytes& bytes) {
        bytes[0] = 'X'; // bad magic
        write_owner_only(file, bytes);
      },
      Errc::identity_corrupt);
  expect_refused_and_untouched(
      [](const fs::path& file, Bytes& bytes) {
        bytes.push_back(0); // one byte too many
        write_owner_only(file, bytes);
      },
      Errc::identity_corrupt);
}

TEST(IdentityFile, truncatedFileIsRefusedAndLeftUntouched) {
  for (const std::size_t length :
       {std::size_t{0}, std::size_t{3}, std::size_t{7}, std::size_t{40}, std::size_t{70}}) {
    expect_refused_and_untouched(
        [length](const fs::path& file, Bytes& bytes) {
          bytes.resize(length);
          write_owner_only(file, bytes);
        },
        Errc::identity_corrupt);
  }
}

TEST(IdentityFile, wrongVersionIsRefusedAndLeftUntouched) {
  expect_refused_and_untouched(
      [](const fs::path& file, Bytes& bytes) {
        bytes[6] = 2;
        // A well-formed file of another version: the checksum is right for it.
        const core::Hash256 checksum = core::blake2b_256(std::span(bytes).first(39));
        std::copy(checksum.begin(), checksum.end(), bytes.begin() + 39);
        write_owner_only(file, bytes);
      },
      Errc::identity_unsupported_version);
}

TEST(IdentityFile, fileOthersCanReadIsRefusedAndLeftUntouched) {
  for (const unsigned mode : {0644U, 0640U, 0604U, 0620U}) {
    expect_refused_and_untouched(
        [mode](const fs::path& file, Bytes& /*bytes*/) {
          ASSERT_EQ(::chmod(file.c_str(), mode), 0);
        },
        Errc::identity_insecure_permissions);
  }
}

TEST(IdentityFile, somethingElseAtThePathIsUnreadableAndNotReplaced) {
  test::TempDir temp;
  const fs::path file = identity_file_path(temp.path());
  fs::create_directory(file);
  const auto as_directory = load_or_create_identity(temp.path());
  ASSERT_FALSE(as_directory);
  EXPECT_EQ(as_directory.error(), Errc::identity_unreadable);
  EXPECT_TRUE(fs::is_directory(file));

  // A dangling link: opening it says "not found", but writing would replace the link.
  test::TempDir other;
  const fs::path link = identity_file_path(other.path());
  fs::create_symlink(other.path() / "elsewhere.key", link);
  const auto as_link = load_or_create_identity(other.path());
  ASSERT_FALSE(as_link);
  EXPECT_EQ(as_link.error(), Errc::identity_unreadable);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_FALSE(fs::exists(other.path() / "elsewhere.key"));
}

} // namespace
} // namespace swarmshare::crypto
