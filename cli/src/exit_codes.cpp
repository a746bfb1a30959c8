#include "exit_codes.hpp"

#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/transfer/error.hpp"

namespace swarmshare::cli {

int exit_code_for(const std::error_code& error) noexcept {
  if (error == core::Errc::file_not_found || error == transfer::Errc::no_sources ||
      error == client::StateErrc::not_found) {
    return kExitNotFound;
  }
  if (error == transfer::Errc::chunk_verification_failed ||
      error == transfer::Errc::manifest_mismatch) {
    return kExitUnverified;
  }
  if (error == core::Errc::cancelled) {
    return kExitInterrupted;
  }
  return kExitFailure;
}

} // namespace swarmshare::cli
