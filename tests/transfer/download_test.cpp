// Downloads end to end, in one process on 127.0.0.1: seeders serve a file through their peer
// servers, a fake registry names them, and a Download fetches the file into a temporary
// folder (the .part file, its resume record, the move into place).

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/transfer/download.hpp"

#include "swarmshare/core/file_hasher.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/part_file.hpp"
#include "swarmshare/transfer/peer_server.hpp"
#include "swarmshare/transfer/resume_record.hpp"
#include "temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>

// g++ 12 reports -Wmismatched-new-delete for Boost.Asio's coroutine frames when a coroutine
// is long and inlined (GCC bug 109224); the frame's operator new and delete match.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::uint32_t kChunkBytes = 16 * 1024;
constexpr std::uint64_t kFileBytes = 40 * kChunkBytes + 1234; // a short last chunk
/// Slow enough that a test can act while the download is under way (about 2.5 s).
constexpr std::uint64_t kSlowRate = 256 * 1024;
constexpr auto kSafetyLimit = 30s;

// A registry that knows what the test tells it.
class FakeRegistry final : public core::Registry {
public:
  [[nodiscard]] core::SourceOrigin origin() const noexcept override {
    return core::SourceOrigin::tracker;
  }
  Awaitable<core::Status> announce(core::ShareAnnouncement /*share*/) override {
    co_return boost::outcome_v2::success();
  }
  Awaitable<core::Status> unannounce(core::FileId /*file_id*/) override {
    co_return boost::outcome_v2::success();
  }
  Awaitable<core::Result<std::vector<core::PeerSource>>>
  find_peers(core::FileId file_id, std::uint32_t /*limit*/) override {
    ++peer_queries;
    if (!manifest || file_id != manifest->file_id()) {
      co_return std::vector<core::PeerSource>{};
    }
    co_return sources;
  }
  Awaitable<core::Result<core::Manifest>> find_manifest(core::FileId file_id) override {
    if (!knows_manifest || !manifest || file_id != manifest->file_id()) {
      co_return make_error_code(core::Errc::file_not_found);
    }
    co_return *manifest;
  }
  Awaitable<core::Result<std::vector<core::SearchHit>>> search(std::string /*text*/,
                                                               std::uint32_t /*limit*/) override {
    co_return std::vector<core::SearchHit>{};
  }

  std::shared_ptr<const core::Manifest> manifest;
  bool knows_manifest = true;
  std::vector<core::PeerSource> sources;
  int peer_queries = 0;
};

struct Recorder final : DownloadObserver {
  std::function<void(const DownloadProgress&)> on_progress_hook;
  std::function<void()> on_done;
  std::optional<std::filesystem::path> completed;
  std::optional<std::error_code> failed;
  std::string failure_detail;
  bool got_manifest = false;
  std::vector<core::PeerSource> sources;
  std::vector<std::string> logs;
  DownloadProgress last;

  void on_manifest(const core::Manifest& /*manifest*/) override { got_manifest = true; }
  void on_source_found(const core::PeerSource& source) override { sources.push_back(source); }
  void on_progress(const DownloadProgress& progress) override {
    last = progress;
    if (on_progress_hook) {
      on_progress_hook(progress);
    }
  }
  void on_completed(const std::filesystem::path& path) override {
    completed = path;
    done();
  }
  void on_failed(std::error_code error, const std::string& detail) override {
    failed = error;
    failure_detail = detail;
    done();
  }
  void on_log(const std::string& line) override { logs.push_back(line); }
  void done() {
    if (on_done) {
      on_done();
    }
  }
  [[nodiscard]] bool logged(std::string_view text) const {
    return std::any_of(logs.begin(), logs.end(),
                       [&](const std::string& line) { return line.find(text) != line.npos; });
  }
};

struct NullSwarmObserver final : SwarmObserver {};

// One peer: identity, keys and (for a seeder) its swarm and peer server.
struct Node {
  crypto::Identity identity = crypto::Identity::generate();
  core::ManualClock clock{std::chrono::system_clock::now()};
  crypto::StaticKeyManager keys{identity, crypto::NetworkId::public_network(), clock};
  core::SeededRandom random{7};
  NullSwarmObserver observer;
  std::unique_ptr<Swarm> swarm;
  std::unique_ptr<PeerServer> server;

  [[nodiscard]] crypto::ChannelConfig config() {
    crypto::ChannelConfig config(keys, clock);
    config.handshake_timeout = 5s;
    return config;
  }
  [[nodiscard]] core::PeerKey key() const { return core::PeerKey{identity.peer_id().bytes()}; }
};

class DownloadTest : public ::testing::Test {
protected:
  DownloadTest() { make_file("holiday-video.bin"); }

  ~DownloadTest() override {
    download_.reset();
    for (auto& node : seeders_) {
      node->server.reset();
      node->swarm.reset();
    }
    io_.restart();
    io_.run_for(200ms);
    download_disk_->join();
    seeder_disk_.join();
  }

  // The shared file, with the manifest naming it `name` (which need not be a safe name).
  void make_file(const std::string& name) {
    original_ = test::random_bytes(kFileBytes, 42);
    path_ = dir_.write("shared.bin", original_);
    core::HashOptions options;
    options.chunk_size = core::ChunkSize::from_bytes(kChunkBytes).value();
    const auto hashed = core::hash_file(path_, options).value();
    manifest_ = std::make_shared<const core::Manifest>(
        core::Manifest::create(name, hashed.file_size(), hashed.chunk_size(), hashed.chunk_hashes())
            .value());
    registry_.manifest = manifest_;
  }

  Node& add_seeder(bool advertise = true) {
    auto node = std::make_unique<Node>();
    auto storage =
        open_shared_file(path_, kFileBytes, modification_time_ns(path_).value(), node->clock)
            .value();
    auto have = Bitfield::create(manifest_->chunk_count()).value();
    for (std::uint32_t i = 0; i < manifest_->chunk_count(); ++i) {
      (void)have.set(core::ChunkIndex{i});
    }
    node->swarm = std::make_unique<Swarm>(io_.get_executor(), seeder_disk_.get_executor(),
                                          manifest_, storage, std::move(have), SwarmOptions{},
                                          node->random, SwarmLimits{}, node->observer);
    Swarm* swarm = node->swarm.get();
    const core::FileId id = manifest_->file_id();
    node->server =
        PeerServer::start(
            io_.get_executor(), node->config(), core::Endpoint::ipv4({127, 0, 0, 1}, 0),
            [swarm, id](const core::FileId& asked) { return asked == id ? swarm : nullptr; })
            .value();
    if (advertise) {
      registry_.sources.push_back(source_for(*node));
    }
    seeders_.push_back(std::move(node));
    return *seeders_.back();
  }

  [[nodiscard]] static core::PeerSource source_for(const Node& node) {
    return core::PeerSource{
        node.key(), {node.server->local_endpoint()}, core::SourceOrigin::tracker, {}};
  }

  [[nodiscard]] DownloadEnvironment environment() {
    return DownloadEnvironment{.network = io_.get_executor(),
                               .disk = download_disk_->get_executor(),
                               .channel = me_.config(),
                               .registries = {&registry_},
                               .limits = limits_,
                               .random = &me_.random,
                               .clock = clock_,
                               .disk_io = disk_io_};
  }

  Download& make_download(DownloadOptions options = {}, bool give_manifest = true) {
    DownloadRequest request;
    request.file_id = manifest_->file_id();
    request.folder = folder_;
    if (give_manifest) {
      request.manifest = manifest_;
    }
    recorder_ = std::make_unique<Recorder>();
    recorder_->on_done = [this] { io_.stop(); };
    download_ = std::make_unique<Download>(environment(), std::move(request), options, *recorder_);
    return *download_;
  }

  // Starts the download and runs until the recorder says done (or the safety limit).
  void run() {
    download_->start();
    run_on();
  }
  // Runs for `how_long` of real time, done or not.
  void run_for(std::chrono::milliseconds how_long) {
    io_.restart();
    io_.run_for(how_long);
  }
  void run_on() {
    io_.restart();
    io_.run_for(kSafetyLimit);
  }

  // Waits for every disk job of the download so far (the last record, a removal).
  void drain_disk() {
    download_disk_->join();
    download_disk_ = std::make_unique<asio::thread_pool>(2);
  }

  [[nodiscard]] std::vector<std::uint8_t> read(const std::filesystem::path& path) const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  [[nodiscard]] std::filesystem::path part_file() const {
    return folder_ / "holiday-video.bin.part";
  }
  [[nodiscard]] std::uint64_t chunk_length(std::uint32_t i) const {
    return manifest_->chunk_length(core::ChunkIndex{i}).value();
  }

  test::TempDir dir_;
  std::filesystem::path folder_ = dir_.path() / "downloads";
  std::filesystem::path path_;
  std::vector<std::uint8_t> original_;
  std::shared_ptr<const core::Manifest> manifest_;
  FakeRegistry registry_;
  asio::io_context io_;
  asio::thread_pool seeder_disk_{2};
  std::unique_ptr<asio::thread_pool> download_disk_ = std::make_unique<asio::thread_pool>(2);
  std::vector<std::unique_ptr<Node>> seeders_;
  Node me_;
  FaultInjectingDiskIo fault_disk_;
  DiskIo* disk_io_ = nullptr;
  // Rate limits on a clock that stands still unless a test moves it: past a limiter's first
  // bucket every block waits for time that does not come (the link still waits out each
  // reservation, so a little more trickles through).
  core::ManualClock limit_clock_;
  RateLimiter global_download_limit_{limit_clock_};
  SwarmLimits limits_{};
  const core::Clock* clock_ = &core::real_clock();
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Download> download_;
};

TEST_F(DownloadTest, downloadsFromTwoSeedersIntoTheFolder) {
  Node& first = add_seeder();
  Node& second = add_seeder();
  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(*recorder_->completed, folder_ / "holiday-video.bin");
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_FALSE(std::filesystem::exists(part_file()));
  EXPECT_FALSE(std::filesystem::exists(resume_path_for(part_file())));
  EXPECT_EQ(download_->state(), DownloadState::completed);
  EXPECT_EQ(download_->swarm(), nullptr);
  const auto progress = download_->progress();
  EXPECT_EQ(progress.verified_bytes, kFileBytes);
  EXPECT_EQ(progress.received_bytes, kFileBytes);
  EXPECT_EQ(progress.resumed_bytes, 0U);
  EXPECT_EQ(progress.sources_known, 2U);
  EXPECT_EQ(recorder_->sources.size(), 2U);
  EXPECT_TRUE(std::all_of(progress.chunk_states.begin(), progress.chunk_states.end(),
                          [](std::uint8_t state) { return state == 2; }));
  EXPECT_GE(first.swarm->counters().uploaded + second.swarm->counters().uploaded, kFileBytes);
  EXPECT_TRUE(recorder_->logged("Connected to peer"));
}

// Sum of the lengths of the chunks `chunk_states` shows as `state`.
[[nodiscard]] std::uint64_t bytes_in_state(const core::Manifest& manifest,
                                           const std::vector<std::uint8_t>& chunk_states,
                                           ChunkProgress state) {
  std::uint64_t bytes = 0;
  for (std::uint32_t i = 0; i < chunk_states.size(); ++i) {
    if (chunk_states[i] == to_byte(state)) {
      bytes += manifest.chunk_length(core::ChunkIndex{i}).value();
    }
  }
  return bytes;
}

TEST_F(DownloadTest, globalDownloadLimitHoldsADownloadWithALooserOwnLimit) {
  add_seeder();
  global_download_limit_.set_rate(kSlowRate);
  limits_.download = &global_download_limit_;
  DownloadOptions options;
  options.download_rate = std::uint64_t{64} * 1024 * 1024; // alone it would hold nothing back
  make_download(options);
  download_->start();
  run_for(1500ms);
  EXPECT_FALSE(recorder_->completed);
  EXPECT_LT(download_->progress().verified_bytes, kFileBytes / 2);
  global_download_limit_.set_rate(RateLimiter::kUnlimited);
  run_on();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
}

TEST_F(DownloadTest, setDownloadRateLimitsARunningDownloadThatStartedWithoutALimit) {
  add_seeder();
  clock_ = &limit_clock_; // the download's own limiter reads the download's clock
  make_download();        // no limit of its own at the start
  bool limited = false;
  recorder_->on_progress_hook = [&](const DownloadProgress& progress) {
    // The first report in this state comes before any peer is connected.
    if (!limited && progress.state == DownloadState::downloading) {
      limited = true;
      download_->set_download_rate(kSlowRate);
    }
  };
  download_->start();
  run_for(1500ms);
  ASSERT_TRUE(limited);
  EXPECT_FALSE(recorder_->completed);
  EXPECT_LT(download_->progress().verified_bytes, kFileBytes / 2);
  download_->set_download_rate(RateLimiter::kUnlimited);
  run_on();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
}

TEST_F(DownloadTest, perPeerUploadRateSetWhileRunningIsKeptByTheSwarmOfAResume) {
  add_seeder();
  global_download_limit_.set_rate(kSlowRate); // still running when it is paused
  limits_.download = &global_download_limit_;
  make_download();
  download_->start();
  run_for(500ms);
  ASSERT_NE(download_->swarm(), nullptr);
  download_->set_upload_rate_per_peer(kSlowRate);
  EXPECT_EQ(download_->swarm()->upload_rate_per_peer(), kSlowRate);
  download_->pause();
  download_->resume();
  run_for(500ms);
  ASSERT_NE(download_->swarm(), nullptr) << "no swarm after the resume";
  EXPECT_EQ(download_->swarm()->upload_rate_per_peer(), kSlowRate);
}

TEST_F(DownloadTest, chunkStatesShowChunksInProgressWhileTheyDownload) {
  add_seeder();
  global_download_limit_.set_rate(kSlowRate);
  limits_.download = &global_download_limit_;
  make_download();
  download_->start();
  run_for(1500ms);
  ASSERT_FALSE(recorder_->completed);
  const auto held = download_->progress();
  ASSERT_EQ(held.chunk_states.size(), manifest_->chunk_count());
  EXPECT_TRUE(std::all_of(held.chunk_states.begin(), held.chunk_states.end(),
                          [](std::uint8_t state) { return state <= 2; }));
  // Requests are out for chunks the limit holds back; only chunks counted as verified show so.
  EXPECT_GT(bytes_in_state(*manifest_, held.chunk_states, ChunkProgress::in_progress), 0U);
  EXPECT_EQ(bytes_in_state(*manifest_, held.chunk_states, ChunkProgress::verified),
            held.verified_bytes);
  global_download_limit_.set_rate(RateLimiter::kUnlimited);
  run_on();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  const auto done = download_->progress();
  EXPECT_EQ(bytes_in_state(*manifest_, done.chunk_states, ChunkProgress::verified), kFileBytes);
}

TEST_F(DownloadTest, resumesAfterTheDownloadWasDestroyedMidway) {
  add_seeder();
  add_seeder();
  DownloadOptions slow;
  slow.download_rate = kSlowRate;
  make_download(slow);
  std::uint64_t verified_before = 0;
  recorder_->on_progress_hook = [&](const DownloadProgress& progress) {
    if (progress.state == DownloadState::downloading && progress.verified_bytes > 0 &&
        progress.verified_bytes < kFileBytes) {
      verified_before = progress.verified_bytes;
      download_.reset(); // from inside its own callback, as an engine may
      io_.stop();
    }
  };
  run();
  ASSERT_GT(verified_before, 0U);
  drain_disk();
  ASSERT_TRUE(std::filesystem::exists(part_file()));
  ASSERT_TRUE(std::filesystem::exists(resume_path_for(part_file())));

  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
  const auto progress = download_->progress();
  EXPECT_GE(progress.resumed_bytes, verified_before);
  EXPECT_LT(progress.received_bytes, kFileBytes);
  EXPECT_EQ(progress.resumed_bytes + progress.received_bytes, kFileBytes);
  EXPECT_TRUE(recorder_->logged("Resuming"));
}

TEST_F(DownloadTest, aRecordThatDoesNotMatchItsPartIsReverified) {
  add_seeder();
  // A .part holding chunks 0-9, chunk 3 damaged, and a record claiming all ten whose stamp
  // is not the file's: the chunks are hashed again and only the nine good ones kept.
  std::filesystem::create_directories(folder_);
  std::vector<std::uint8_t> part(kFileBytes, 0);
  std::copy_n(original_.begin(), 10 * kChunkBytes, part.begin());
  part[3 * kChunkBytes + 5] ^= 0x5A;
  dir_.write("downloads/holiday-video.bin.part", part);
  std::vector<bool> claimed(manifest_->chunk_count(), false);
  std::fill_n(claimed.begin(), 10, true);
  ASSERT_TRUE(save_resume_record(resume_path_for(part_file()), *manifest_,
                                 PartStamp{kFileBytes, 12345}, claimed));
  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
  const auto progress = download_->progress();
  EXPECT_EQ(progress.resumed_bytes, 9 * kChunkBytes);
  EXPECT_EQ(progress.received_bytes, kFileBytes - 9 * kChunkBytes);
  EXPECT_TRUE(recorder_->logged("re-verified 9 of 10"));
}

TEST_F(DownloadTest, anExistingFileOfTheSameNameGetsANumber) {
  add_seeder();
  std::filesystem::create_directories(folder_);
  const std::vector<std::uint8_t> mine{'m', 'i', 'n', 'e'};
  dir_.write("downloads/holiday-video.bin", mine);
  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(*recorder_->completed, folder_ / "holiday-video (1).bin");
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_EQ(read(folder_ / "holiday-video.bin"), mine);
}

TEST_F(DownloadTest, theManifestComesFromAPeerWhenNoRegistryHasIt) {
  add_seeder();
  registry_.knows_manifest = false;
  make_download({}, /*give_manifest=*/false);
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_TRUE(recorder_->got_manifest);
  ASSERT_NE(download_->manifest(), nullptr);
  EXPECT_EQ(*download_->manifest(), *manifest_);
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_TRUE(recorder_->logged("received from peer"));
}

TEST_F(DownloadTest, theManifestComesFromTheRegistry) {
  add_seeder();
  make_download({}, /*give_manifest=*/false);
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_TRUE(recorder_->got_manifest);
  EXPECT_TRUE(recorder_->logged("found via tracker"));
}

TEST_F(DownloadTest, aHostileNameStaysInsideTheFolder) {
  make_file("../../evil");
  folder_ = dir_.path() / "a" / "b" / "downloads";
  add_seeder();
  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(recorder_->completed->parent_path(), folder_);
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "a" / "evil"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "evil"));
  EXPECT_EQ(download_->part_path().parent_path(), folder_);
}

TEST_F(DownloadTest, noSourcesFailsAfterTheTimeout) {
  DownloadOptions options;
  options.no_source_timeout = 300ms;
  options.source_interval = 100ms;
  // The registry names only ourselves: never a source, never dialled.
  registry_.sources.push_back(core::PeerSource{
      me_.key(), {core::Endpoint::ipv4({127, 0, 0, 1}, 9)}, core::SourceOrigin::tracker, {}});
  make_download(options);
  const auto started = std::chrono::steady_clock::now();
  run();
  ASSERT_TRUE(recorder_->failed);
  EXPECT_EQ(*recorder_->failed, make_error_code(Errc::no_sources));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(download_->state(), DownloadState::failed);
  EXPECT_GE(registry_.peer_queries, 2);
  EXPECT_TRUE(recorder_->sources.empty());
  EXPECT_FALSE(recorder_->logged("Could not connect"));
}

TEST_F(DownloadTest, aSourceWithAnotherPeerIdIsRefusedAndTheFileCompletesFromAnother) {
  Node& seeder = add_seeder(/*advertise=*/false);
  Node& claimed = add_seeder(/*advertise=*/false);
  // The registry says `claimed` is at the seeder's address: the seeder proves another key.
  registry_.sources.push_back(core::PeerSource{
      claimed.key(), {seeder.server->local_endpoint()}, core::SourceOrigin::dht, {}});
  registry_.sources.push_back(source_for(seeder));
  make_download();
  run();
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_TRUE(recorder_->logged("Refused"));
  EXPECT_EQ(claimed.swarm->counters().uploaded, 0U);
}

TEST_F(DownloadTest, aFullDiskFailsTheDownloadAndKeepsThePartFile) {
  add_seeder();
  FaultInjectingDiskIo& disk = fault_disk_;
  disk_io_ = &disk;
  make_download();
  bool armed = false;
  recorder_->on_progress_hook = [&](const DownloadProgress& progress) {
    if (progress.state == DownloadState::downloading && !armed) {
      armed = true; // the next write, the first block's, finds the disk full
      disk.fail_write(1, std::make_error_code(std::errc::no_space_on_device));
    }
  };
  run();
  ASSERT_TRUE(recorder_->failed);
  EXPECT_EQ(*recorder_->failed, std::errc::no_space_on_device);
  EXPECT_NE(recorder_->failure_detail.find(".part"), std::string::npos);
  EXPECT_EQ(download_->state(), DownloadState::failed);
  download_.reset();
  drain_disk();
  EXPECT_TRUE(std::filesystem::exists(part_file()));
  EXPECT_TRUE(std::filesystem::exists(resume_path_for(part_file())));
}

TEST_F(DownloadTest, tooLittleFreeSpaceFailsBeforeAllocating) {
  add_seeder();
  FaultInjectingDiskIo& disk = fault_disk_;
  disk.set_free_space(kFileBytes - 1);
  disk_io_ = &disk;
  make_download();
  run();
  ASSERT_TRUE(recorder_->failed);
  EXPECT_EQ(*recorder_->failed, std::errc::no_space_on_device);
  EXPECT_NE(recorder_->failure_detail.find("free space"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(part_file()));
}

TEST_F(DownloadTest, aFolderThatIsAFileFails) {
  add_seeder();
  dir_.write("downloads", {'x'});
  make_download();
  run();
  ASSERT_TRUE(recorder_->failed);
  EXPECT_NE(recorder_->failure_detail.find("download folder"), std::string::npos);
  EXPECT_EQ(read(folder_), std::vector<std::uint8_t>{'x'});
}

TEST_F(DownloadTest, pauseThenResumeCompletes) {
  add_seeder();
  add_seeder();
  DownloadOptions slow;
  slow.download_rate = kSlowRate;
  make_download(slow);
  bool paused = false;
  recorder_->on_progress_hook = [&](const DownloadProgress& progress) {
    if (!paused && progress.state == DownloadState::downloading && progress.verified_bytes > 0 &&
        progress.verified_bytes < kFileBytes) {
      paused = true;
      download_->pause();
      EXPECT_EQ(download_->swarm(), nullptr);
    } else if (progress.state == DownloadState::paused) {
      download_->resume();
    }
  };
  run();
  EXPECT_TRUE(paused);
  ASSERT_TRUE(recorder_->completed) << recorder_->failure_detail;
  EXPECT_EQ(read(*recorder_->completed), original_);
  EXPECT_TRUE(recorder_->logged("Paused"));
  EXPECT_TRUE(recorder_->logged("Resuming"));
  EXPECT_FALSE(std::filesystem::exists(part_file()));
}

TEST_F(DownloadTest, cancelRemovesTheFiles) {
  add_seeder();
  DownloadOptions slow;
  slow.download_rate = kSlowRate;
  make_download(slow);
  recorder_->on_progress_hook = [&](const DownloadProgress& progress) {
    if (progress.state == DownloadState::downloading && progress.verified_bytes > 0) {
      download_->cancel();
    } else if (progress.state == DownloadState::cancelled) {
      io_.stop();
    }
  };
  run();
  EXPECT_EQ(download_->state(), DownloadState::cancelled);
  download_.reset();
  drain_disk();
  EXPECT_FALSE(std::filesystem::exists(part_file()));
  EXPECT_FALSE(std::filesystem::exists(resume_path_for(part_file())));
  EXPECT_TRUE(std::filesystem::is_empty(folder_));
}

} // namespace
} // namespace swarmshare::transfer
