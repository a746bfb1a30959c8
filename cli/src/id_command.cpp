#include "commands.hpp"
#include "exit_codes.hpp"

#include "swarmshare/core/platform/paths.hpp"
#include "swarmshare/crypto/identity.hpp"

#include <iostream>

namespace swarmshare::cli {
namespace {

// What the user can do about an identity file we refuse to use. We never fix it ourselves:
// replacing the key would silently change the Peer ID everyone knows us by.
const char* hint_for(const std::error_code& error) noexcept {
  if (error == crypto::Errc::identity_corrupt ||
      error == crypto::Errc::identity_unsupported_version) {
    return "restore it from a backup, or move it away to create a new identity";
  }
  if (error == crypto::Errc::identity_insecure_permissions) {
    return "run chmod 600 on it if nobody else could have read it, otherwise move it away "
           "to create a new identity";
  }
  return nullptr;
}

} // namespace

void IdCommand::add_to(CLI::App& app) {
  command = app.add_subcommand(
      "id", "Print this installation's Peer ID, creating the identity on first use");
  command
      ->add_option("--data-dir", data_dir,
                   "Data directory holding identity.key (default: $SWARMSHARE_HOME, "
                   "else the per-user data directory)")
      ->type_name("DIR");
}

int IdCommand::run() const {
  std::filesystem::path dir;
  if (data_dir) {
    dir = *data_dir;
  } else {
    auto found = core::platform::default_data_dir();
    if (!found) {
      std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                   "SWARMSHARE_HOME, or pass --data-dir)\n";
      return kExitFailure;
    }
    dir = found.value();
  }
  auto identity = crypto::load_or_create_identity(dir);
  if (!identity) {
    std::cerr << "swarmshare-cli: " << crypto::identity_file_path(dir).string() << ": "
              << identity.error().message() << '\n';
    if (const char* hint = hint_for(identity.error())) {
      std::cerr << "swarmshare-cli: the file was left unchanged; " << hint << '\n';
    }
    // Every failure here is 1: a missing file is not an error (it gets created).
    return kExitFailure;
  }
  const crypto::PeerId& id = identity.value().peer_id();
  // The full ID stands alone on the first line so scripts can take it with `head -n1`.
  std::cout << id.to_string() << '\n' << "short: " << id.to_short_string() << '\n';
  return kExitOk;
}

} // namespace swarmshare::cli
