#pragma once
// The subcommands of swarmshare-cli. Each registers itself on the CLI11 app and runs
// when chosen; `run` returns the process exit code.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>

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

} // namespace swarmshare::cli
