// bench_yes_to_announce: how long from the user's Yes to "Share this file?" until the
// re-share is announced, for a large downloaded file (bench/README.md).
//
// Sets up, untimed: a tracker in this process on 127.0.0.1, a file of --size bytes
// (sparse: its chunks are zeros) hashed once, and a home whose state says that file was
// downloaded and verified and the share question is unanswered. Timed, --runs times: opening
// nothing new, Session::accept_share(file_id) until its future is ready, which is after
// the tracker answered the announce (so the figure bounds "the announce is sent" from
// above). Between runs the file is unshared again and the download record restored.
//
// Prints one line per run and a last line: yes_to_announce_ms_median=<ms> size=<bytes>.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/client/session.hpp"
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/file_hasher.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

namespace {

using namespace swarmshare;
using Clock = std::chrono::steady_clock;

// The state a completed, verified download leaves behind, with the question unanswered.
bool record_completed_download(const std::filesystem::path& home, const core::Manifest& manifest,
                               const std::filesystem::path& file) {
  std::filesystem::create_directories(home);
  auto state = client::StateStore::open(home / "state.db");
  if (!state) {
    std::cerr << "state: " << state.error().message() << '\n';
    return false;
  }
  (void)state.value().remove_download(manifest.file_id());
  client::DownloadRecord record;
  record.file_id = manifest.file_id();
  record.destination = file.parent_path();
  record.part_path = file.string() + ".part";
  record.manifest = manifest;
  record.state = client::DownloadState::active;
  record.added_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto added = state.value().add_download(record); !added) {
    std::cerr << "add_download: " << added.error().message() << '\n';
    return false;
  }
  if (auto done =
          state.value().record_download_completed(manifest.file_id(), file, record.added_at);
      !done) {
    std::cerr << "record_download_completed: " << done.error().message() << '\n';
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_yes_to_announce: Yes to 'Share this file?' until the announce is answered"};
  std::uint64_t size = std::uint64_t{4} * 1024 * 1024 * 1024;
  int runs = 5;
  std::filesystem::path workdir = std::filesystem::temp_directory_path() / "swarmshare-yes-bench";
  app.add_option("--size", size, "file size in bytes (default 4 GiB)");
  app.add_option("--runs", runs, "timed runs")->check(CLI::Range(1, 100));
  app.add_option("--workdir", workdir, "scratch folder (removed at the end)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(workdir);
  std::filesystem::create_directories(workdir / "downloads");
  const auto file = workdir / "downloads" / "big-download.bin";
  {
    std::ofstream out(file, std::ios::binary);
    out.seekp(static_cast<std::streamoff>(size - 1));
    out.put('\0'); // sparse: no disk space, the same bytes as a file of zeros
  }
  std::cerr << "hashing " << size << " bytes once (untimed) ...\n";
  auto manifest = core::hash_file(file);
  if (!manifest) {
    std::cerr << "hash: " << manifest.error().message() << '\n';
    return 1;
  }

  core::ManualClock tracker_clock{std::chrono::system_clock::now()};
  const auto tracker_identity = crypto::Identity::generate();
  crypto::StaticKeyManager tracker_keys(tracker_identity, crypto::NetworkId::public_network(),
                                        tracker_clock);
  auto store = tracker::Store::open(workdir / "tracker.db");
  if (!store) {
    std::cerr << "tracker store: " << store.error().message() << '\n';
    return 1;
  }
  tracker::ServerOptions server_options;
  server_options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
  server_options.io_threads = 1;
  auto server = tracker::Server::start(store.value(), tracker_keys, server_options, tracker_clock);
  if (!server) {
    std::cerr << "tracker: " << server.error().message() << '\n';
    return 1;
  }

  const auto home = workdir / "home";
  std::vector<double> timings;
  for (int run = 1; run <= runs; ++run) {
    if (!record_completed_download(home, manifest.value(), file)) {
      return 1;
    }
    client::SessionOptions options;
    options.home = home;
    options.program = "bench_yes_to_announce";
    options.tracker = tracker::TrackerAddress{"127.0.0.1", server.value()->local_endpoint().port(),
                                              tracker_identity.peer_id()};
    options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    options.serve_library = false;
    auto session = client::Session::open(options);
    if (!session) {
      std::cerr << "session: " << session.error().message() << '\n';
      return 1;
    }
    // The tracker connection exists before the question is answered in practice (the
    // download used it); make it so here with a search, untimed.
    (void)session.value()->search("warm up").get();

    const auto start = Clock::now();
    auto shared = session.value()->accept_share(manifest.value().file_id()).get();
    const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!shared || shared.value().announced.empty() || shared.value().announced.front().error) {
      std::cerr << "accept_share failed: "
                << (shared ? shared.value().announced.empty()
                                 ? std::string{"no registry"}
                                 : shared.value().announced.front().error.message()
                           : shared.error().message())
                << '\n';
      return 1;
    }
    timings.push_back(elapsed);
    std::printf("run %d: Yes to announce answered in %.2f ms (%llu chunks)\n", run, elapsed,
                static_cast<unsigned long long>(manifest.value().chunk_count()));
    (void)session.value()->unshare(manifest.value().file_id()).get();
    session.value()->shutdown().get();
  }
  std::sort(timings.begin(), timings.end());
  std::printf("yes_to_announce_ms_median=%.2f size=%llu\n", timings[timings.size() / 2],
              static_cast<unsigned long long>(size));
  server.value()->stop();
  std::filesystem::remove_all(workdir);
  return 0;
}
