#pragma once
// The piece picker: which blocks of which chunks to ask which peer for. Pure logic, no I/O;
// the download drives it with what peers announce and deliver, and asks it what to request.
//
// Blocks. Chunks are requested as blocks of block_bytes (64 KiB by default) at offsets that
// are multiples of it; the last block of a chunk may be shorter. A chunk counts only once
// all its blocks arrived (on_block says so: the caller then verifies it) and the caller
// reported it verified.
//
// Order. Chunks already in progress are finished first (oldest first), so few chunks sit
// half-downloaded; only then is a new chunk started: the rarest among those the peer has,
// ties broken by a random order drawn at construction from the injected core::Random, so two
// downloaders of the same file do not fetch the same chunks in step. Chunks no connected
// peer has are never started.
//
// Endgame. Outside endgame no block is requested from two peers. Once every block still
// missing that a connected peer has is requested, pick() also hands blocks already requested
// from one other peer (at most kMaxHoldersPerBlock peers per block, never one peer twice);
// on_block() then names the peers to cancel the block at.
//
// Cost. Not-started chunks are kept ordered by (availability, random rank), so an
// availability change is O(log chunks), and pick() makes at most one pass over that order
// per call, taking every block it needs from each chunk it starts: never a pass per block.
// Blocks are tracked only for chunks in progress or being verified.
//
// Errors. Chunk indices out of range are core::Errc::chunk_index_out_of_range; misuse (an
// unknown or repeated peer slot, a have-list of the wrong length, verifying a chunk that
// is not complete) is std::errc::invalid_argument, and adding a banned peer is
// std::errc::operation_not_permitted.
//
// Threads. Not thread-safe: one download owns its picker and calls it from one thread.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/core/random.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace swarmshare::transfer {

/// A connected peer, as the download numbers its connections. A distinct type so it cannot
/// be mixed up with chunk indices or counts.
enum class PeerSlot : std::uint32_t {};

[[nodiscard]] constexpr std::uint32_t slot_value(PeerSlot slot) noexcept {
  return static_cast<std::uint32_t>(slot);
}

/// One block: `length` bytes at `offset` bytes into chunk `chunk`.
struct BlockRequest {
  core::ChunkIndex chunk{};
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  friend bool operator==(const BlockRequest&, const BlockRequest&) = default;
};

enum class ChunkState {
  missing,   ///< nothing of it requested or received
  partial,   ///< some blocks requested or received
  verifying, ///< every block received; waiting for the caller's verdict
  have,      ///< verified
};

enum class BlockVerdict {
  accepted,      ///< a block we asked this peer for; keep the data
  duplicate,     ///< we already have this block (an endgame race); drop the data
  not_requested, ///< not asked of this peer, or not a block of ours; drop the data
};

struct BlockArrival {
  BlockVerdict verdict = BlockVerdict::not_requested;
  /// Every block of the chunk has arrived: verify it, then call on_verified or
  /// on_verify_failed.
  bool chunk_complete = false;
  /// Other peers this block was also requested from (endgame): send them a cancel.
  std::vector<PeerSlot> cancel_at;
};

class PiecePicker {
public:
  static constexpr std::uint32_t kDefaultBlockBytes = 64U * 1024U;
  /// In endgame, a block is requested from at most this many peers at once.
  static constexpr std::uint32_t kMaxHoldersPerBlock = 2;

  /// One entry per chunk, each its length in bytes (non-zero; the last may be short); at
  /// most core::kMaxChunks chunks (core::Errc::file_too_large). `random` orders chunks of
  /// equal availability; it is used only here.
  [[nodiscard]] static core::Result<PiecePicker>
  create(std::vector<std::uint32_t> chunk_lengths, core::Random& random,
         std::uint32_t block_bytes = kDefaultBlockBytes);
  /// The chunks of `manifest`'s file.
  [[nodiscard]] static core::Result<PiecePicker>
  for_manifest(const core::Manifest& manifest, core::Random& random,
               std::uint32_t block_bytes = kDefaultBlockBytes);

  // ---- Peers ----

  /// A peer connected; `haves` holds one entry per chunk.
  [[nodiscard]] core::Status add_peer(PeerSlot slot, const std::vector<bool>& haves);
  /// The peer announced a new chunk.
  [[nodiscard]] core::Status peer_has(PeerSlot slot, core::ChunkIndex chunk);
  /// The peer left: its outstanding blocks can be picked again. Unknown slots are ignored.
  void remove_peer(PeerSlot slot);
  /// As remove_peer, and the slot is never added or picked for again.
  void ban_peer(PeerSlot slot);
  [[nodiscard]] bool is_banned(PeerSlot slot) const noexcept;

  // ---- Requests ----

  /// Whether pick may hand out blocks already requested from another peer.
  enum class Endgame { allowed, not_now };

  /// Up to `max_blocks` blocks to request from the peer, now counted as requested from it.
  /// Empty for an unknown peer or when it has nothing we need. With Endgame::not_now only
  /// blocks nobody was asked for: the caller duplicates requests only once some are late.
  [[nodiscard]] std::vector<BlockRequest> pick(PeerSlot slot, std::uint32_t max_blocks,
                                               Endgame endgame = Endgame::allowed);
  /// A block arrived from the peer. Only an accepted block changes anything.
  [[nodiscard]] BlockArrival on_block(PeerSlot slot, const BlockRequest& block);
  /// The peer rejected the request or it timed out: the block can be picked again. A block
  /// arriving later from that peer is not_requested. Requests not outstanding are ignored.
  void on_request_failed(PeerSlot slot, const BlockRequest& block);

  // ---- Verification ----

  /// The chunk whose last block arrived verified: it is ours.
  [[nodiscard]] core::Status on_verified(core::ChunkIndex chunk);
  /// The chunk did not verify: all its blocks are dropped and fetched again. Returns the
  /// peers that delivered them (sorted, each once): when it is one peer, it lied.
  [[nodiscard]] core::Result<std::vector<PeerSlot>> on_verify_failed(core::ChunkIndex chunk);
  /// On resume: the chunk is already on disk and verified.
  [[nodiscard]] core::Status set_have(core::ChunkIndex chunk);

  // ---- Queries ----

  [[nodiscard]] std::uint32_t chunk_count() const noexcept {
    return static_cast<std::uint32_t>(chunks_.size());
  }
  [[nodiscard]] std::uint32_t block_bytes() const noexcept { return block_bytes_; }
  /// Chunks not yet verified.
  [[nodiscard]] std::uint32_t chunks_needed() const noexcept { return chunks_needed_; }
  [[nodiscard]] bool is_complete() const noexcept { return chunks_needed_ == 0; }
  [[nodiscard]] bool in_endgame() const;
  [[nodiscard]] core::Result<ChunkState> chunk_state(core::ChunkIndex chunk) const;
  /// How many connected peers have the chunk.
  [[nodiscard]] core::Result<std::uint32_t> availability(core::ChunkIndex chunk) const;
  /// Blocks requested from the peer and not yet arrived, failed or cancelled, oldest first.
  [[nodiscard]] std::vector<BlockRequest> blocks_outstanding(PeerSlot slot) const;

private:
  struct Chunk {
    std::uint32_t length = 0;
    std::uint32_t availability = 0;
    /// Position in a random order of all chunks: breaks availability ties.
    std::uint32_t rank = 0;
    ChunkState state = ChunkState::missing;
  };

  struct Block {
    std::array<PeerSlot, kMaxHoldersPerBlock> holders{};
    std::uint32_t holder_count = 0;
    bool received = false;
    PeerSlot from{}; ///< who delivered it, once received
  };

  /// A chunk in progress or being verified.
  struct Download {
    std::vector<Block> blocks;
    std::uint32_t open = 0; ///< neither requested nor received
    std::uint32_t received = 0;
  };

  struct Peer {
    std::vector<bool> haves;
    std::vector<BlockRequest> outstanding;
  };

  /// The key of a not-started chunk in pick order: rarest first, then random.
  struct PickKey {
    std::uint32_t availability = 0;
    std::uint32_t rank = 0;
    core::ChunkIndex chunk{};

    friend auto operator<=>(const PickKey&, const PickKey&) = default;
  };

  PiecePicker(std::vector<Chunk> chunks, std::uint32_t block_bytes);

  [[nodiscard]] bool in_range(core::ChunkIndex chunk) const noexcept {
    return core::index_value(chunk) < chunks_.size();
  }
  [[nodiscard]] PickKey key_of(core::ChunkIndex chunk) const noexcept;
  [[nodiscard]] std::uint32_t block_count(core::ChunkIndex chunk) const noexcept;
  [[nodiscard]] BlockRequest block_at(core::ChunkIndex chunk, std::uint32_t index) const noexcept;
  /// The index of `block` in its chunk; nothing when it is not exactly one of its blocks.
  [[nodiscard]] std::optional<std::uint32_t> block_index(const BlockRequest& block) const noexcept;

  void change_availability(core::ChunkIndex chunk, bool up);
  Download& start_download(core::ChunkIndex chunk);
  void take_open_blocks(core::ChunkIndex chunk, Download& download, PeerSlot slot,
                        std::uint32_t max_blocks, std::vector<BlockRequest>& out);
  void take_endgame_blocks(PeerSlot slot, std::uint32_t max_blocks, std::vector<BlockRequest>& out);
  /// Removes `slot` as a holder of block `index` of the chunk (not from the peer's list).
  void release_holder(core::ChunkIndex chunk, std::uint32_t index, PeerSlot slot);
  void forget_outstanding(PeerSlot slot, const BlockRequest& block);
  /// Drops the chunk's download and every request still outstanding for it.
  void drop_download(core::ChunkIndex chunk);

  std::vector<Chunk> chunks_;
  std::uint32_t block_bytes_;
  std::uint32_t chunks_needed_;
  std::set<PickKey> not_started_;
  std::unordered_map<core::ChunkIndex, Download> downloads_;
  /// Chunks in progress (not those being verified), oldest first.
  std::vector<core::ChunkIndex> in_progress_;
  std::unordered_map<PeerSlot, Peer> peers_;
  std::unordered_set<PeerSlot> banned_;
};

} // namespace swarmshare::transfer
