#pragma once
// The subcommands of swarmshare-cli. Each registers itself on the CLI11 app and runs
// when chosen; `run` returns the process exit code. Commands that need the global options
// (global_options.hpp) get them in `run`.

#include "global_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::cli {

struct HashCommand {
  std::filesystem::path path;
  std::optional<std::uint64_t> chunk_size;
  unsigned threads = 0;
  bool progress = false;

  void add_to(CLI::App& app);
  [[nodiscard]] int run() const;

  CLI::App* command = nullptr;
};

struct IdCommand {
  std::optional<std::filesystem::path> data_dir;

  void add_to(CLI::App& app);
  [[nodiscard]] int run() const;

  CLI::App* command = nullptr;
};

/// `search TEXT... [--limit N] [--offset N]`: one page of the tracker's results. Each hit
/// prints its File ID alone on a line, then an indented line with name, size, live
/// seeders and first-seen date; a summary line ends the list. Exit codes: 0 results,
/// 3 none, 1 no tracker configured or the tracker unreachable, 2 usage.
struct SearchCommand {
  std::vector<std::string> words; ///< joined with spaces
  std::uint32_t limit = 20;
  std::uint32_t offset = 0;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `share PATH [--unlisted] [--serve]`: adds the file to the library and prints its File ID
/// alone on a line, then `link: swarmshare:...`. With --serve it announces it, prints
/// `serving on ADDR:PORT` and serves the whole library until SIGINT or SIGTERM.
struct ShareCommand {
  std::filesystem::path path;
  bool unlisted = false;
  bool serve = false;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `get FILE_ID|LINK [-o DIR] [--seed|--no-seed] [--serve] [--timeout S]`: downloads (or
/// resumes) into DIR, then shares the file or not (asked on a terminal). Exit codes: 0 done,
/// 1 failure, 2 usage, 3 no peer has it before the timeout, 4 it could not be verified.
struct GetCommand {
  std::string target;
  std::optional<std::filesystem::path> output;
  bool seed = false;
  bool no_seed = false;
  bool serve = false;
  double timeout_seconds = 60.0;
  /// This download's own limit, as given; checked when parsed (parse_rate).
  std::optional<std::string> limit;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `serve`: serves and announces the library until SIGINT or SIGTERM.
struct ServeCommand {
  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `lan`: the LAN peers heard and the listed files each shares (their catalogues).
struct LanCommand {
  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `list`: the library, one File ID line per file followed by indented details.
struct ListCommand {
  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `history [--limit N] [--offset N]`: newest first; a date, outcome and name line, then
/// the File ID line.
struct HistoryCommand {
  std::uint32_t limit = 50;
  std::uint32_t offset = 0;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `stats`: bytes uploaded and downloaded, the ratio, peers served.
struct StatsCommand {
  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `unshare FILE_ID`: removes the file from the library (exit 3 when it is not there).
struct UnshareCommand {
  std::string file_id;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// `settings [KEY [VALUE]]`: without arguments prints every setting, one `KEY VALUE` line
/// each (one JSON object with --json); with KEY prints that one; with KEY VALUE saves it
/// (and prints it). The keys are listed in the command's --help. Exit codes: 0 done, 1 the
/// state cannot be read or written, 2 an unknown key or a value out of range.
struct SettingsCommand {
  std::string key;
  std::string value;

  void add_to(CLI::App& app);
  [[nodiscard]] int run(const GlobalOptions& global) const;

  CLI::App* command = nullptr;
};

/// The share link for a share: its File ID, name, size and tracker, and our own peer
/// endpoint when `serving` is given (an address others can reach: see share_command.cpp).
[[nodiscard]] std::string share_link_for(const client::ShareResult& share,
                                         const GlobalOptions& global, client::Session* serving);

} // namespace swarmshare::cli
