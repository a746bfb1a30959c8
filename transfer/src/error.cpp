#include "swarmshare/transfer/error.hpp"

#include <string>

namespace swarmshare::transfer {
namespace {

class TransferCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.transfer"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::message_malformed: return "malformed peer message";
    case Errc::limit_exceeded: return "peer message exceeds a limit";
    case Errc::invalid_bitfield: return "chunk bitfield does not match its chunk count";
    case Errc::invalid_message: return "refused to send an invalid peer message";
    case Errc::block_out_of_range: return "block is not within one chunk of the file";
    case Errc::manifest_mismatch: return "manifest does not belong to this File ID";
    case Errc::peer_id_mismatch: return "peer is not the Peer ID that was dialled";
    case Errc::peer_banned: return "peer is banned";
    case Errc::chunk_verification_failed: return "chunk failed hash verification";
    case Errc::no_sources: return "no reachable peer has the missing chunks";
    case Errc::peer_unreachable: return "peer did not answer in time";
    case Errc::peer_not_sharing: return "peer does not share this file";
    case Errc::not_writable: return "shared files are never written";
    }
    return "unknown swarmshare.transfer error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& transfer_category() noexcept {
  static const TransferCategory category;
  return category;
}

} // namespace swarmshare::transfer
