#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "progress_line.hpp"
#include "session_runner.hpp"

#include "swarmshare/core/platform/terminal.hpp"
#include "swarmshare/core/share_link.hpp"
#include "swarmshare/transfer/error.hpp"

#include <cmath>
#include <iostream>

namespace swarmshare::cli {
namespace {

namespace fs = std::filesystem;

// The answer typed at "Share this file? [y/N]"; empty when a signal came first. Polled so
// that Ctrl-C still ends the process while it waits.
std::optional<bool> ask_share(SessionRunner& runner) {
  std::cerr << "Share this file? [y/N] " << std::flush;
  std::string answer;
  for (;;) {
    if (runner.interrupted()) {
      std::cerr << '\n';
      return std::nullopt;
    }
    if (!core::platform::wait_for_input(std::chrono::milliseconds{100})) {
      (void)runner.drain(); // log lines keep coming while the user thinks
      continue;
    }
    const auto c = core::platform::read_input_byte();
    if (!c || *c == '\n') {
      break; // end of input counts as the default answer
    }
    if (answer.size() < 16) {
      answer.push_back(*c);
    }
  }
  return !answer.empty() && (answer.front() == 'y' || answer.front() == 'Y');
}

nlohmann::json progress_json(const transfer::DownloadProgress& progress) {
  return {{"event", "progress"},
          {"state", transfer::to_string(progress.state)},
          {"verified_bytes", progress.verified_bytes},
          {"total_bytes", progress.total_bytes},
          {"resumed_bytes", progress.resumed_bytes},
          {"received_bytes", progress.received_bytes},
          {"download_rate", progress.download_rate},
          {"peers", progress.peers}};
}

// What the download came to.
struct Outcome {
  std::optional<client::DownloadCompleted> completed;
  std::optional<client::DownloadFailed> failed;
};

} // namespace

void GetCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("get", "Download a file by File ID or share link");
  command->add_option("target", target, "File ID (64 hex digits) or share link (swarmshare:?...)")
      ->required();
  command->add_option("-o,--output", output, "Folder to save into (default: the current one)")
      ->type_name("DIR");
  auto* seed_flag = command->add_flag("--seed", seed, "When done, share the file without asking");
  auto* no_seed_flag = command->add_flag(
      "--no-seed", no_seed, "When done, do not share the file (the default without a terminal)");
  seed_flag->excludes(no_seed_flag);
  command->add_flag("--serve", serve,
                    "Keep serving the library after the download until Ctrl-C (or SIGTERM)");
  command
      ->add_option("--timeout", timeout_seconds,
                   "Give up when no peer is found for this many seconds")
      ->check(CLI::Range(0.1, 86400.0));
  command
      ->add_option("--limit", limit,
                   "This download's own rate limit in bytes per second, within --down-limit "
                   "(K, M, G: powers of 1024; 0: none)")
      ->type_name("RATE")
      ->check(
          [](const std::string& value) -> std::string {
            return parse_rate(value)
                       ? std::string{}
                       : "not a rate: use bytes per second, e.g. 500K, 2M, 1G or 0 for none";
          },
          "");
}

int GetCommand::run(const GlobalOptions& global) const {
  core::FileId file_id;
  std::optional<core::ShareLink> link;
  if (core::looks_like_share_link(target)) {
    auto parsed = core::ShareLink::parse(target);
    if (!parsed) {
      std::cerr << "swarmshare-cli: " << parsed.error().message() << '\n';
      return kExitUsage;
    }
    link = std::move(parsed).value();
    file_id = link->file_id;
  } else if (auto parsed = core::FileId::parse(target)) {
    file_id = parsed.value();
  } else {
    std::cerr << "swarmshare-cli: not a File ID (64 hex digits) or a share link: "
              << printable(target) << '\n';
    return kExitUsage;
  }

  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  if (link && link->tracker && !global.tracker_given()) {
    auto address = tracker::TrackerAddress::parse(*link->tracker);
    if (!address) {
      std::cerr << "swarmshare-cli: the share link's tracker: " << address.error().message()
                << '\n';
      return kExitUsage;
    }
    options.value().tracker = address.value();
  }
  std::error_code error;
  fs::path folder = output.value_or(fs::current_path(error));
  fs::create_directories(folder, error);
  folder = fs::absolute(folder, error);
  if (error || !fs::is_directory(folder)) {
    std::cerr << "swarmshare-cli: cannot use the folder " << folder.string() << ": "
              << (error ? error.message() : "not a directory") << '\n';
    return kExitFailure;
  }
  options.value().serve_library = serve;
  options.value().download.no_source_timeout =
      std::chrono::milliseconds{std::llround(timeout_seconds * 1000.0)};

  SessionRunner runner(global);
  if (const auto failed = runner.open(std::move(options).value())) {
    return *failed;
  }
  client::DownloadCommand request;
  request.file_id = file_id;
  request.folder = folder;
  if (limit) {
    request.download_limit = parse_rate(*limit).value_or(0); // checked when parsed
  }
  if (link) {
    request.sources = link->sources();
  }

  ProgressLine bar(stderr, "downloading");
  Outcome outcome;
  // An earlier run's events (a completed download still awaiting its share answer) may come
  // first: only what follows this download's start counts.
  bool started = false;
  auto on_event = [&](const client::Event& event) {
    if (const auto* begun = std::get_if<client::DownloadStarted>(&event)) {
      started = started || begun->file_id == file_id;
    } else if (const auto* p = std::get_if<client::DownloadProgressed>(&event)) {
      if (p->file_id != file_id) {
        return;
      }
      if (global.json) {
        print_json(progress_json(p->progress));
      } else {
        bar.update(p->progress.verified_bytes, p->progress.total_bytes);
      }
    } else if (const auto* found = std::get_if<client::SourceFound>(&event)) {
      if (found->file_id != file_id || found->source.endpoints.empty()) {
        return;
      }
      // Each source with where it came from: the tracker, the DHT, the LAN or the link.
      const auto peer = crypto::PeerId{found->source.peer.bytes}.to_short_string();
      const auto where = found->source.endpoints.front().to_string();
      const auto origin = std::string{core::to_string(found->source.origin)};
      if (global.json) {
        print_json({{"event", "source"}, {"peer", peer}, {"endpoint", where}, {"origin", origin}});
      } else {
        bar.clear();
        std::cerr << "source " << peer << " at " << where << " (" << origin << ")\n" << std::flush;
      }
    } else if (const auto* done = std::get_if<client::DownloadCompleted>(&event)) {
      if (started && done->file_id == file_id) {
        outcome.completed = *done;
      }
    } else if (const auto* failed = std::get_if<client::DownloadFailed>(&event)) {
      if (started && failed->file_id == file_id) {
        outcome.failed = *failed;
      }
    }
  };
  const auto accepted = runner.await(runner.session().download(request), on_event);
  if (accepted && !*accepted) {
    bar.clear();
    std::cerr << "swarmshare-cli: cannot start the download: " << accepted->error().message()
              << '\n';
    runner.shutdown();
    return exit_code_for(accepted->error());
  }
  while (!outcome.completed && !outcome.failed && !runner.interrupted()) {
    for (const auto& event : runner.wait_events(std::chrono::seconds{1})) {
      on_event(event);
    }
  }
  bar.clear();
  if (outcome.failed) {
    const auto& failed = *outcome.failed;
    if (failed.error == transfer::Errc::no_sources) {
      std::cerr << "swarmshare-cli: no peer has " << file_id.to_hex() << " (gave up after "
                << timeout_seconds << " s)\n";
    } else {
      std::cerr << "swarmshare-cli: download failed: "
                << printable(failed.detail.empty() ? failed.error.message() : failed.detail)
                << '\n';
    }
    runner.shutdown();
    return exit_code_for(failed.error);
  }
  if (!outcome.completed) {
    runner.shutdown(); // pauses the download: its resume record is saved for the next `get`
    return kExitInterrupted;
  }

  const auto& done = *outcome.completed;
  if (global.json) {
    print_json({{"event", "completed"},
                {"file_id", done.file_id.to_hex()},
                {"name", done.name},
                {"path", done.path.string()},
                {"size", done.size},
                {"bytes_downloaded", done.bytes_downloaded},
                {"bytes_resumed", done.bytes_resumed},
                {"sources", done.sources}});
  } else {
    print_line("saved: " + printable(done.path.string()));
    print_line("  " + std::to_string(done.bytes_downloaded) + " bytes downloaded, " +
               std::to_string(done.bytes_resumed) + " resumed, from " +
               std::to_string(done.sources) + (done.sources == 1 ? " source" : " sources"));
  }

  // --seed / --no-seed answer for the user; without either, a terminal asks.
  std::optional<bool> share_it = seed;
  if (!seed && !no_seed && core::platform::is_terminal(stdin)) {
    share_it = ask_share(runner);
  }
  if (!share_it) {
    runner.shutdown(); // unanswered: the engine asks again next time
    return kExitInterrupted;
  }
  int exit_code = kExitOk;
  if (*share_it) {
    const auto shared = runner.await(runner.session().accept_share(file_id));
    if (shared && *shared) {
      if (global.json) {
        print_json({{"event", "shared"}, {"file_id", file_id.to_hex()}});
      } else {
        print_line("shared");
        print_line(file_id.to_hex());
      }
    } else if (shared) {
      std::cerr << "swarmshare-cli: downloaded, but cannot share it: " << shared->error().message()
                << '\n';
      exit_code = kExitFailure;
    }
  } else {
    const auto declined = runner.await(runner.session().decline_share(file_id));
    if (declined && !*declined) {
      std::cerr << "swarmshare-cli: " << declined->error().message() << '\n';
    }
  }
  if (serve && !runner.interrupted()) {
    runner.serve_until_signal();
  }
  runner.shutdown();
  return exit_code;
}

} // namespace swarmshare::cli
