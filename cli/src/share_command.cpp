#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "progress_line.hpp"
#include "session_runner.hpp"
#include "share_link_text.hpp"

#include <iostream>

namespace swarmshare::cli {

std::string share_link_for(const client::ShareResult& share, const GlobalOptions& global,
                           client::Session* serving) {
  const auto address = global.tracker_address();
  return share_link_text(share.file_id, share.name, share.size,
                         address ? std::optional(address->to_string()) : std::nullopt, serving);
}

void ShareCommand::add_to(CLI::App& app) {
  command =
      app.add_subcommand("share", "Add a file to the library; print its File ID and a share link");
  command->add_option("path", path, "File to share")->required();
  command->add_flag("--unlisted", unlisted,
                    "Reachable by File ID or link only: never shown by search");
  command->add_flag("--serve", serve,
                    "Announce it and keep serving the library until Ctrl-C (or SIGTERM)");
}

int ShareCommand::run(const GlobalOptions& global) const {
  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  // Without --serve this is a one-shot change of the library: nothing else is served, and
  // no DHT node or LAN announcement is started for it.
  options.value().serve_library = serve;
  if (!serve) {
    options.value().dht.reset();
    options.value().lan.reset();
  }
  SessionRunner runner(global);
  if (const auto failed = runner.open(std::move(options).value())) {
    return *failed;
  }
  std::optional<core::Result<client::ShareResult>> shared;
  {
    ProgressLine hashing(stderr, "hashing");
    shared = runner.await(runner.session().share(path, !unlisted, serve),
                          [&](const client::Event& event) {
                            if (const auto* p = std::get_if<client::HashProgressed>(&event)) {
                              hashing.update(p->bytes_done, p->bytes_total);
                            }
                          });
  }
  if (!shared) {
    runner.shutdown();
    return kExitInterrupted;
  }
  if (!*shared) {
    std::cerr << "swarmshare-cli: " << path.string() << ": " << shared->error().message() << '\n';
    runner.shutdown();
    return exit_code_for(shared->error());
  }
  const client::ShareResult& share = shared->value();
  // A peer goes into the link only when it is served from a port that outlives this
  // command: while we serve, or at the fixed --listen port a later `serve` will use.
  const bool reachable = serve || global.listen_port.value_or(0) != 0;
  const std::string link = share_link_for(share, global, reachable ? &runner.session() : nullptr);
  if (global.json) {
    nlohmann::json announced = nlohmann::json::array();
    for (const auto& answer : share.announced) {
      announced.push_back({{"registry", core::to_string(answer.registry)},
                           {"ok", !answer.error},
                           {"error", answer.error ? answer.error.message() : ""}});
    }
    print_json({{"event", "shared"},
                {"file_id", share.file_id.to_hex()},
                {"name", share.name},
                {"size", share.size},
                {"path", share.path.string()},
                {"already_shared", share.already_shared},
                {"link", link},
                {"announced", announced}});
  } else {
    // The File ID alone on its first line, so scripts can take it with `head -n1`.
    print_line(share.file_id.to_hex());
    print_line("link: " + link);
  }
  if (serve) {
    runner.serve_until_signal();
  }
  runner.shutdown();
  return kExitOk;
}

} // namespace swarmshare::cli
