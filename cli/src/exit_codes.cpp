#include "exit_codes.hpp"

#include "swarmshare/core/error.hpp"

namespace swarmshare::cli {

int exit_code_for(const std::error_code& error) noexcept {
  if (error == core::Errc::file_not_found) {
    return kExitNotFound;
  }
  if (error == core::Errc::cancelled) {
    return kExitInterrupted;
  }
  return kExitFailure;
}

} // namespace swarmshare::cli
