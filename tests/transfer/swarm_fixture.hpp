#pragma once
// The swarm tests' fixture: nodes (identity, swarm, peer server) on 127.0.0.1 in one
// process, storages in memory, a shared file made of random bytes.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/transfer/swarm.hpp"

#include "swarmshare/core/file_hasher.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/peer_server.hpp"
#include "temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

namespace swarmshare::transfer::swarm_test {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

inline constexpr std::uint32_t kChunkBytes = 16 * 1024;
inline constexpr std::uint64_t kMiB = 1024 * 1024;

// A download's storage in memory, optionally failing writes (a full disk).
class MemoryStorage final : public ChunkStorage {
public:
  explicit MemoryStorage(std::uint64_t size) : bytes_(size) {}

  core::Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> out) override {
    const std::lock_guard lock(mutex_);
    const auto n = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size(), bytes_.size() - std::min(offset, bytes_.size())));
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }
  core::Status write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    const std::lock_guard lock(mutex_);
    if (fail_writes_) {
      return std::make_error_code(std::errc::no_space_on_device);
    }
    std::memcpy(bytes_.data() + offset, bytes.data(), bytes.size());
    writes_.emplace_back(offset, bytes.size());
    return boost::outcome_v2::success();
  }
  core::Status check_unchanged() override { return boost::outcome_v2::success(); }

  void fail_writes() {
    const std::lock_guard lock(mutex_);
    fail_writes_ = true;
  }
  [[nodiscard]] std::vector<std::uint8_t> bytes() const {
    const std::lock_guard lock(mutex_);
    return bytes_;
  }
  /// Every write so far: offset and length.
  [[nodiscard]] std::vector<std::pair<std::uint64_t, std::size_t>> writes() const {
    const std::lock_guard lock(mutex_);
    return writes_;
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::uint8_t> bytes_;
  std::vector<std::pair<std::uint64_t, std::size_t>> writes_;
  bool fail_writes_ = false;
};

// A seeder that lies: it serves every byte of the file with the first of each block flipped.
class LyingStorage final : public ChunkStorage {
public:
  explicit LyingStorage(std::shared_ptr<ChunkStorage> honest) : honest_(std::move(honest)) {}
  core::Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> out) override {
    auto read = honest_->read(offset, out);
    if (read && read.value() > 0) {
      out[0] ^= 0xFF;
    }
    return read;
  }
  core::Status write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override {
    return honest_->write(offset, bytes);
  }
  core::Status check_unchanged() override { return honest_->check_unchanged(); }

private:
  std::shared_ptr<ChunkStorage> honest_;
};

struct RecordingObserver final : SwarmObserver {
  std::function<void()> on_done;
  bool completed = false;
  bool storage_error = false;
  bool file_changed = false;
  std::vector<crypto::PeerId> banned;
  std::uint32_t verified = 0;

  std::function<void(std::uint32_t)> on_chunk;

  void on_chunk_verified(core::ChunkIndex /*chunk*/) override {
    ++verified;
    if (on_chunk) {
      on_chunk(verified);
    }
  }
  void on_complete() override {
    completed = true;
    if (on_done) {
      on_done();
    }
  }
  void on_peer_banned(const crypto::PeerId& peer) override { banned.push_back(peer); }
  void on_storage_error(std::error_code /*error*/) override {
    storage_error = true;
    if (on_done) {
      on_done();
    }
  }
  void on_file_changed() override {
    file_changed = true;
    if (on_done) {
      on_done();
    }
  }
};

// One peer: identity, keys, its swarm for the file and its peer server.
struct Node {
  crypto::Identity identity = crypto::Identity::generate();
  core::ManualClock clock{std::chrono::system_clock::now()};
  crypto::StaticKeyManager keys{identity, crypto::NetworkId::public_network(), clock};
  core::SeededRandom random{7};
  RecordingObserver observer;
  std::unique_ptr<Swarm> swarm;
  std::unique_ptr<PeerServer> server;

  [[nodiscard]] crypto::ChannelConfig config() {
    crypto::ChannelConfig config(keys, clock);
    config.handshake_timeout = 5s;
    return config;
  }
};

class SwarmTest : public ::testing::Test {
protected:
  SwarmTest() { make_file(kFileBytes, kChunkBytes); }

  // The shared file: `size` random bytes cut into chunks of `chunk_bytes`.
  void make_file(std::uint64_t size, std::uint32_t chunk_bytes) {
    file_bytes_ = size;
    path_ = dir_.path() / "holiday-video.bin";
    std::vector<char> content(size);
    std::mt19937 generator(42);
    for (auto& byte : content) {
      byte = static_cast<char>(generator());
    }
    std::ofstream(path_, std::ios::binary | std::ios::trunc)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
    original_.assign(content.begin(), content.end());
    core::HashOptions options;
    options.chunk_size = core::ChunkSize::from_bytes(chunk_bytes).value();
    manifest_ = std::make_shared<const core::Manifest>(core::hash_file(path_, options).value());
  }

  ~SwarmTest() override {
    for (auto& node : nodes_) {
      node->server.reset();
      node->swarm.reset();
    }
    io_.run_for(200ms);
    disk_.join();
  }

  Node& add_seeder(bool lying = false, SwarmLimits limits = {}, SwarmOptions options = {}) {
    auto node = std::make_unique<Node>();
    auto storage =
        open_shared_file(path_, file_bytes_, modification_time_ns(path_).value(), node->clock)
            .value();
    if (lying) {
      storage = std::make_shared<LyingStorage>(storage);
    }
    auto have = Bitfield::create(manifest_->chunk_count()).value();
    for (std::uint32_t i = 0; i < manifest_->chunk_count(); ++i) {
      (void)have.set(core::ChunkIndex{i});
    }
    node->swarm =
        std::make_unique<Swarm>(io_.get_executor(), disk_.get_executor(), manifest_, storage,
                                std::move(have), options, node->random, limits, node->observer);
    start_server(*node);
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  Node& add_downloader(std::shared_ptr<MemoryStorage> storage, SwarmOptions options = {}) {
    auto node = std::make_unique<Node>();
    node->swarm = std::make_unique<Swarm>(io_.get_executor(), disk_.get_executor(), manifest_,
                                          std::move(storage),
                                          Bitfield::create(manifest_->chunk_count()).value(),
                                          options, node->random, SwarmLimits{}, node->observer);
    node->observer.on_done = [this] { io_.stop(); };
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  void start_server(Node& node) {
    Swarm* swarm = node.swarm.get();
    const core::FileId id = manifest_->file_id();
    node.server =
        PeerServer::start(
            io_.get_executor(), node.config(), core::Endpoint::ipv4({127, 0, 0, 1}, 0),
            [swarm, id](const core::FileId& asked) { return asked == id ? swarm : nullptr; })
            .value();
  }

  // Dials `to` from `from` and attaches the channel to `from`'s swarm.
  awaitable<core::Status> connect(Node& from, Node& to) {
    auto channel = co_await dial_peer(from.config(), to.server->local_endpoint(),
                                      to.identity.peer_id(), manifest_->file_id(), 5s);
    if (!channel) {
      co_return channel.error();
    }
    const auto remote = to.server->local_endpoint();
    from.swarm->attach(std::move(channel).value(), remote);
    co_return boost::outcome_v2::success();
  }

  // Runs `body`, then the io_context until something stops it or `limit` passes.
  void run(std::function<awaitable<void>()> body, std::chrono::seconds limit = 20s) {
    asio::co_spawn(io_, body(), [](const std::exception_ptr& error) {
      if (error) {
        std::rethrow_exception(error);
      }
    });
    io_.restart();
    io_.run_for(limit);
  }

  static constexpr std::uint64_t kFileBytes = 40 * kChunkBytes + 1234; // a short last chunk

  swarmshare::test::TempDir dir_;
  std::uint64_t file_bytes_ = 0;
  std::filesystem::path path_;
  std::vector<std::uint8_t> original_;
  std::shared_ptr<const core::Manifest> manifest_;
  asio::io_context io_;
  asio::thread_pool disk_{2};
  std::vector<std::unique_ptr<Node>> nodes_;
};

} // namespace swarmshare::transfer::swarm_test
