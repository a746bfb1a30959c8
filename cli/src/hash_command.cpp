#include "commands.hpp"
#include "exit_codes.hpp"
#include "progress_line.hpp"

#include "swarmshare/core/file_hasher.hpp"
#include "swarmshare/core/units.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace swarmshare::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int /*signal*/) { g_interrupted.store(true); }

} // namespace

void HashCommand::add_to(CLI::App& app) {
  command =
      app.add_subcommand("hash", "Compute a file's File ID and manifest, reading it in place");
  command->add_option("path", path, "File to hash")->required();
  command
      ->add_option("--chunk-size", chunk_size,
                   "Chunk size in bytes: a power of two from 16384 to 16777216 "
                   "(default: 262144, larger for files over 4 GiB)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40U));
  command->add_option("--threads", threads, "Hashing threads (default: one per CPU)")
      ->check(CLI::Range(0U, 256U));
  command->add_flag("--progress", progress, "Show progress even when stderr is not a terminal");
}

int HashCommand::run() const {
  core::HashOptions options;
  options.workers = threads;
  if (chunk_size) {
    auto size = core::ChunkSize::from_bytes(*chunk_size);
    if (!size) {
      std::cerr << "swarmshare-cli: --chunk-size: " << size.error().message() << '\n';
      return kExitUsage;
    }
    options.chunk_size = size.value();
  }
  // Ctrl-C stops the hashing cleanly; the flag is polled from the progress callback
  // because requesting a stop is not async-signal-safe.
  std::stop_source stop;
  options.stop = stop.get_token();
  g_interrupted = false;
  const auto previous_handler = std::signal(SIGINT, on_interrupt);
  ProgressLine line(stderr, "hashing", progress);
  options.on_progress = [&](const core::HashProgress& p) {
    if (g_interrupted.load()) {
      stop.request_stop();
    }
    line.update(p.bytes_done, p.bytes_total);
  };
  auto manifest = core::hash_file(path, options);
  line.clear();
  std::signal(SIGINT, previous_handler);
  if (!manifest) {
    std::cerr << "swarmshare-cli: " << path.string() << ": " << manifest.error().message() << '\n';
    return exit_code_for(manifest.error());
  }
  const core::Manifest& m = manifest.value();
  // The File ID stands alone on the first line so scripts can take it with `head -n1`.
  std::cout << m.file_id().to_hex() << '\n'
            << "name:       " << m.name() << '\n'
            << "size:       " << m.file_size() << " bytes (" << core::format_bytes(m.file_size())
            << ")\n"
            << "chunk size: " << core::format_bytes(m.chunk_size().bytes()) << '\n'
            << "chunks:     " << m.chunk_count() << '\n'
            << "short id:   " << m.file_id().to_short_hex() << '\n';
  return kExitOk;
}

} // namespace swarmshare::cli
