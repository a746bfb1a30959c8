// bench_tracker_store: the tracker's store alone, in one process, no network: what one
// announce costs the store's writer. The load benchmark (tracker_load.sh) measures the
// whole server, where the generator and the connection thread share the two cores with the
// writer; this one isolates the writer's share, and its CPU time per announce stays
// comparable when the machine is busy (wall time does not). Under
// `valgrind --tool=callgrind` it gives instruction counts.
//
//   bench_tracker_store [--files N] [--peers N] [--updates N] [--in-flight N] [--db PATH]
//
// Fills files x peers entries (new entries, manifests with the first announce of each
// file), then sends `updates` announces of existing entries at random, at most `in-flight`
// queued at once, as the server does under load. Prints one key=value line per phase.

#include "swarmshare/core/hash.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/tracker/store.hpp"

#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace swarmshare;
using Clock = std::chrono::steady_clock;

struct BenchFile {
  core::FileId id;
  std::vector<std::uint8_t> manifest;
};

std::vector<BenchFile> make_files(std::uint32_t count) {
  std::vector<BenchFile> files;
  files.reserve(count);
  for (std::uint32_t j = 0; j < count; ++j) {
    const std::string name = "swarmshare-bench-" + std::to_string(j) + ".bin";
    const core::Hash256 chunk_hash = core::blake2b_256(
        std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
    auto manifest = core::Manifest::create(name, 1 + j % 4096, core::ChunkSize{}, {chunk_hash});
    if (!manifest) {
      std::fprintf(stderr, "manifest: %s\n", manifest.error().message().c_str());
      std::exit(1);
    }
    files.push_back({manifest.value().file_id(), manifest.value().encoded()});
  }
  return files;
}

crypto::PeerId peer_id(std::uint32_t index) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  const auto seed =
      core::blake2b_256(std::span(reinterpret_cast<const std::uint8_t*>(&index), sizeof index));
  std::copy(seed.begin(), seed.end(), key.begin());
  return crypto::PeerId{key};
}

struct CpuTimes {
  double process_s;
  double caller_s;
};

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

CpuTimes cpu_now() {
  rusage self{};
  rusage thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_THREAD, &thread);
  return {seconds(self.ru_utime) + seconds(self.ru_stime),
          seconds(thread.ru_utime) + seconds(thread.ru_stime)};
}

// Keeps at most `limit` writes queued, like the server's connections under load.
class InFlight {
public:
  explicit InFlight(std::size_t limit) : limit_(limit) {}
  void acquire() {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return count_ < limit_; });
    ++count_;
  }
  void release(bool ok) {
    {
      const std::lock_guard lock(mutex_);
      --count_;
      failures_ += ok ? 0 : 1;
    }
    room_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return count_ == 0; });
  }
  [[nodiscard]] std::uint64_t failures() {
    const std::lock_guard lock(mutex_);
    return failures_;
  }

private:
  std::mutex mutex_;
  std::condition_variable room_;
  std::size_t limit_;
  std::size_t count_ = 0;
  std::uint64_t failures_ = 0;
};

template <class Submit>
void run_phase(const char* name, std::uint64_t count, InFlight& in_flight, Submit submit) {
  const auto cpu_before = cpu_now();
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    in_flight.acquire();
    submit(i, [&in_flight](core::Status status) { in_flight.release(static_cast<bool>(status)); });
  }
  in_flight.drain();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const auto cpu_after = cpu_now();
  const double process_us = (cpu_after.process_s - cpu_before.process_s) * 1e6;
  const double caller_us = (cpu_after.caller_s - cpu_before.caller_s) * 1e6;
  const auto n = static_cast<double>(count);
  std::printf("phase=%s announces=%llu failures=%llu rate=%.0f cpu_us_per_announce=%.2f "
              "caller_cpu_us_per_announce=%.2f store_threads_cpu_us_per_announce=%.2f\n",
              name, static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(in_flight.failures()), n / wall, process_us / n,
              caller_us / n, (process_us - caller_us) / n);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"The tracker's store alone: CPU per announce"};
  std::uint32_t file_count = 1000;
  std::uint32_t peer_count = 200;
  std::uint64_t updates = 200'000;
  std::size_t in_flight_limit = 512;
  std::size_t page_cache_kib = 4096;
  std::filesystem::path db_path;
  app.add_option("--files", file_count, "files");
  app.add_option("--peers", peer_count, "peers (each announces every file)");
  app.add_option("--updates", updates, "announces of existing entries after the fill");
  app.add_option("--in-flight", in_flight_limit, "announces queued at once");
  app.add_option("--page-cache-kib", page_cache_kib, "SQLite page cache per connection");
  app.add_option("--db", db_path, "database file (default: a fresh one in the temp folder)");
  CLI11_PARSE(app, argc, argv);

  if (db_path.empty()) {
    db_path = std::filesystem::temp_directory_path() /
              ("bench-tracker-store-" + std::to_string(::getpid()) + ".db");
  }
  tracker::StoreOptions options;
  options.page_cache_kib = page_cache_kib;
  std::optional<tracker::Store> store;
  {
    auto opened = tracker::Store::open(db_path, options);
    if (!opened) {
      std::fprintf(stderr, "open: %s\n", opened.error().message().c_str());
      return 1;
    }
    store.emplace(std::move(opened).value());
  }
  const auto files = make_files(file_count);
  std::vector<crypto::PeerId> peers;
  for (std::uint32_t p = 0; p < peer_count; ++p) {
    peers.push_back(peer_id(p));
  }
  const auto endpoint = core::Endpoint::ipv4({127, 0, 0, 1}, 7000);
  const auto now = std::chrono::system_clock::now();
  auto announce = [&](std::uint32_t file, std::uint32_t peer, bool with_manifest,
                      tracker::WriteCallback done) {
    tracker::AnnounceRequest request{peers[peer], files[file].id, {}, {endpoint}, false, 0};
    if (with_manifest) {
      request.manifest = files[file].manifest;
    }
    store->announce_async(std::move(request), now, std::move(done));
  };

  InFlight in_flight(in_flight_limit);
  // Peer-major, so that each file's first announce (the one with its manifest) comes first.
  run_phase("fill", std::uint64_t{file_count} * peer_count, in_flight,
            [&](std::uint64_t i, tracker::WriteCallback done) {
              const auto peer = static_cast<std::uint32_t>(i / file_count);
              const auto file = static_cast<std::uint32_t>(i % file_count);
              announce(file, peer, peer == 0, std::move(done));
            });
  std::mt19937_64 random{42};
  run_phase("update", updates, in_flight, [&](std::uint64_t, tracker::WriteCallback done) {
    announce(static_cast<std::uint32_t>(random() % file_count),
             static_cast<std::uint32_t>(random() % peer_count), false, std::move(done));
  });
  store.reset(); // drains the writer and checkpoints
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(db_path.string() + suffix);
  }
  return 0;
}
