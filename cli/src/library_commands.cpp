// The commands that read or change the library without transferring anything: list,
// history, stats and unshare. Each opens the home's session without serving anything.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "session_runner.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/platform/local_time.hpp"
#include "swarmshare/core/units.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

namespace swarmshare::cli {
namespace {

// "2024-05-01 14:22:10", local time.
std::string date_text(client::UnixTime at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  const std::tm local = core::platform::local_time(seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string size_text(std::uint64_t bytes) {
  return core::format_bytes(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

// Opens the home for a one-shot command: nothing is served or announced. The tracker is
// kept only for `unshare`, which withdraws the file from it.
std::optional<int> open_quietly(SessionRunner& runner, const GlobalOptions& global,
                                bool with_tracker) {
  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  options.value().serve_library = false;
  options.value().lan.reset(); // nothing is served or downloaded
  options.value().dht.reset();
  runner.set_quiet(true);
  if (!with_tracker) {
    options.value().tracker.reset();
  }
  return runner.open(std::move(options).value());
}

// Waits for a state read; prints the failure and gives the exit code when it failed.
template <class T>
std::optional<int> fetch(SessionRunner& runner, std::future<core::Result<T>> future,
                         std::optional<T>& into) {
  auto result = runner.await(std::move(future));
  if (!result) {
    return kExitInterrupted;
  }
  if (!*result) {
    std::cerr << "swarmshare-cli: cannot read the state: " << result->error().message() << '\n';
    return exit_code_for(result->error());
  }
  into = std::move(*result).value();
  return std::nullopt;
}

} // namespace

void ListCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("list", "Show the library: the files this peer shares");
}

int ListCommand::run(const GlobalOptions& global) const {
  SessionRunner runner(global);
  if (const auto failed = open_quietly(runner, global, false)) {
    return *failed;
  }
  std::optional<std::vector<client::LibraryEntry>> library;
  if (const auto failed = fetch(runner, runner.session().library(), library)) {
    runner.shutdown();
    return *failed;
  }
  for (const auto& entry : *library) {
    const std::string name = core::sanitize_file_name(entry.manifest.name());
    if (global.json) {
      print_json({{"file_id", entry.file_id().to_hex()},
                  {"name", entry.manifest.name()},
                  {"size", entry.manifest.file_size()},
                  {"path", entry.path.string()},
                  {"status", client::to_string(entry.status)},
                  {"source", client::to_string(entry.source)},
                  {"listed", entry.listed},
                  {"bytes_uploaded", entry.statistics.bytes_uploaded},
                  {"peers_served", entry.statistics.peers_served}});
      continue;
    }
    // The File ID alone on its line; the rest indented, so no other line is a bare ID.
    print_line(entry.file_id().to_hex());
    print_line("  name:   " + name);
    print_line("  size:   " + size_text(entry.manifest.file_size()));
    print_line("  status: " + std::string{client::to_string(entry.status)} +
               (entry.listed ? "" : " (unlisted)"));
    print_line("  source: " + std::string{client::to_string(entry.source)});
    print_line("  path:   " + printable(entry.path.string()));
  }
  if (!global.json) {
    print_line(std::to_string(library->size()) + (library->size() == 1 ? " file" : " files") +
               " in the library");
  }
  runner.shutdown();
  return kExitOk;
}

void HistoryCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("history", "Show what was downloaded and shared, newest first");
  command->add_option("--limit", limit, "Lines to show")->check(CLI::Range(1U, 10000U));
  command->add_option("--offset", offset, "Lines to skip")->check(CLI::Range(0U, 1000000U));
}

int HistoryCommand::run(const GlobalOptions& global) const {
  SessionRunner runner(global);
  if (const auto failed = open_quietly(runner, global, false)) {
    return *failed;
  }
  std::optional<std::vector<client::HistoryEntry>> history;
  if (const auto failed = fetch(runner, runner.session().history(limit, offset), history)) {
    runner.shutdown();
    return *failed;
  }
  for (const auto& entry : *history) {
    if (global.json) {
      print_json({{"at", entry.at.time_since_epoch().count()},
                  {"outcome", client::to_string(entry.outcome)},
                  {"file_id", entry.file_id.to_hex()},
                  {"name", entry.name},
                  {"size", entry.size},
                  {"path", entry.path.string()},
                  {"reason", entry.reason}});
      continue;
    }
    std::string line = date_text(entry.at) + "  " + std::string{client::to_string(entry.outcome)} +
                       "  " + (entry.name.empty() ? "(name unknown)" : printable(entry.name));
    if (!entry.reason.empty()) {
      line += "  (" + printable(entry.reason) + ")";
    }
    print_line(line);
    print_line(entry.file_id.to_hex());
  }
  runner.shutdown();
  return kExitOk;
}

void StatsCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("stats", "Show the totals uploaded and downloaded, and the ratio");
}

int StatsCommand::run(const GlobalOptions& global) const {
  SessionRunner runner(global);
  if (const auto failed = open_quietly(runner, global, false)) {
    return *failed;
  }
  std::optional<client::Totals> totals;
  std::optional<std::vector<client::LibraryEntry>> library;
  if (auto failed = fetch(runner, runner.session().totals(), totals);
      failed || (failed = fetch(runner, runner.session().library(), library))) {
    runner.shutdown();
    return *failed;
  }
  const auto ratio = totals->ratio();
  if (global.json) {
    print_json({{"bytes_uploaded", totals->bytes_uploaded},
                {"bytes_downloaded", totals->bytes_downloaded},
                {"peers_served", totals->peers_served},
                {"ratio", ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr)},
                {"shared_files", library->size()}});
  } else {
    char ratio_text[32] = "n/a (nothing downloaded)";
    if (ratio) {
      std::snprintf(ratio_text, sizeof ratio_text, "%.2f", *ratio);
    }
    print_line("uploaded:     " + size_text(totals->bytes_uploaded));
    print_line("downloaded:   " + size_text(totals->bytes_downloaded));
    print_line("ratio:        " + std::string{ratio_text});
    print_line("peers served: " + std::to_string(totals->peers_served));
    print_line("shared files: " + std::to_string(library->size()));
  }
  runner.shutdown();
  return kExitOk;
}

void UnshareCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("unshare",
                               "Remove a file from the library and withdraw it from the tracker");
  command->add_option("file_id", file_id, "File ID (64 hex digits)")->required();
}

int UnshareCommand::run(const GlobalOptions& global) const {
  const auto id = core::FileId::parse(file_id);
  if (!id) {
    std::cerr << "swarmshare-cli: not a File ID (64 hex digits): " << printable(file_id) << '\n';
    return kExitUsage;
  }
  SessionRunner runner(global);
  if (const auto failed = open_quietly(runner, global, true)) {
    return *failed;
  }
  const auto removed = runner.await(runner.session().unshare(id.value()));
  int exit_code = kExitOk;
  if (!removed) {
    exit_code = kExitInterrupted;
  } else if (!*removed) {
    if (removed->error() == client::StateErrc::not_found) {
      std::cerr << "swarmshare-cli: " << id.value().to_hex() << " is not in the library\n";
    } else {
      std::cerr << "swarmshare-cli: cannot unshare: " << removed->error().message() << '\n';
    }
    exit_code = exit_code_for(removed->error());
  } else if (global.json) {
    print_json({{"event", "unshared"}, {"file_id", id.value().to_hex()}});
  } else {
    print_line("unshared");
    print_line(id.value().to_hex());
  }
  runner.shutdown();
  return exit_code;
}

} // namespace swarmshare::cli
