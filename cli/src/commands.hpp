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

} // namespace swarmshare::cli
