// swarmshare-cli: the headless Swarmshare client.

#include "commands.hpp"
#include "exit_codes.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  using namespace swarmshare::cli;
  CLI::App app{"swarmshare-cli: share and download files peer to peer"};
  app.set_version_flag("--version", std::string{"swarmshare-cli "} + SWARMSHARE_VERSION);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 failure, 2 usage error, 3 file not found, "
             "130 interrupted.");

  HashCommand hash;
  hash.add_to(app);
  IdCommand id;
  id.add_to(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    if (hash.command->parsed()) {
      return hash.run();
    }
    if (id.command->parsed()) {
      return id.run();
    }
  } catch (const std::exception& error) {
    std::cerr << "swarmshare-cli: " << error.what() << '\n';
    return kExitFailure;
  }
  return kExitUsage;
}
