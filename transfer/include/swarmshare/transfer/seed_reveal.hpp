#pragma once
// What a seed shows each downloader (the idea of BitTorrent's super-seeding). A seed that
// shows every chunk to every downloader ends up sending the same chunks to many of them:
// each asks for what looks rarest from where it stands, and none sees what the others asked
// for. In a flash crowd the seed's upload is the bottleneck, so every chunk it sends twice
// before some other chunk once costs the whole swarm time. Instead the seed shows each
// downloader a share of the chunks it lacks, least spread first (held or shown by the
// fewest other peers), and shows more as that downloader fetches them; the downloaders then
// trade among themselves what the seed gave each of them.
//
// A downloader alone with the seed is shown a window of chunks topped up as it fetches them,
// larger than it ever has requests out, so one-to-one transfers lose nothing. Pure
// bookkeeping: the swarm sends the have messages.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/transfer/bitfield.hpp"
#include "swarmshare/transfer/piece_picker.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace swarmshare::transfer {

class SeedReveal {
public:
  /// Chunks shown to a downloader and not yet held by it, at least (when it lacks that many).
  static constexpr std::uint32_t kMinShown = 8;
  /// And at most: a peer served alone now is shown a window, not the whole file, so those
  /// who come next still find chunks shown to nobody. Topped up at half, it keeps far more
  /// in view than a peer has requests out (32 blocks).
  static constexpr std::uint32_t kMaxShown = 64;
  /// Chunks shown at a time once every chunk it lacks is held by some other peer.
  static constexpr std::uint32_t kTrickle = 2;

  SeedReveal(std::uint32_t chunk_count, core::Random& random);

  /// A peer attached: it was shown nothing (an empty have_map).
  void add_peer(PeerSlot slot);
  void remove_peer(PeerSlot slot);
  /// Its have_map, and later its haves (chunk indices are checked by the caller).
  void peer_has_map(PeerSlot slot, const Bitfield& haves);
  void peer_has(PeerSlot slot, core::ChunkIndex chunk);

  /// Whether the seed serves the peer now (it holds an upload slot). Only those are shown
  /// chunks: a chunk shown to a peer that cannot fetch it would be withheld from the others.
  void set_served(PeerSlot slot, bool served);

  /// The chunks to show a served peer now (as have messages). While some chunks it lacks
  /// are held by no peer and shown to none: none while at least half its share is shown and
  /// not fetched, else enough of those to fill its share again. Once every chunk it lacks
  /// is held by another peer or shown to one, it should trade for them: only when it has
  /// fetched all it was shown, kTrickle more (in case no holder is among its peers). Held by the
  /// fewest first, then shown to the fewest, random among equals. Its share: the chunk count over
  /// the served peers that lack something (all of it for a peer served alone), within kMinShown ..
  /// kMaxShown.
  [[nodiscard]] std::vector<core::ChunkIndex> top_up(PeerSlot slot);

  /// Shown to the peer so far (tests).
  [[nodiscard]] const Bitfield* shown(PeerSlot slot) const;

private:
  struct PeerView {
    Bitfield haves;
    Bitfield shown;
    bool haves_known = false;
    bool served = false;
    /// Shown and not held yet: kept as it changes, so most haves need no scan of the file.
    std::uint32_t waiting = 0;
  };
  static void count(std::vector<std::uint32_t>& counts, core::ChunkIndex chunk, int delta);
  [[nodiscard]] std::uint32_t share_per_peer() const;

  std::uint32_t chunk_count_;
  core::Random& random_;
  std::map<PeerSlot, PeerView> peers_;
  std::vector<std::uint32_t> holders_;    ///< per chunk: peers that hold it
  std::vector<std::uint32_t> shown_only_; ///< per chunk: peers shown it, not holding it yet
};

} // namespace swarmshare::transfer
