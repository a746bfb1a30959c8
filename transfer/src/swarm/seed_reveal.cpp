#include "swarmshare/transfer/seed_reveal.hpp"

#include <algorithm>
#include <utility>

namespace swarmshare::transfer {

SeedReveal::SeedReveal(std::uint32_t chunk_count, core::Random& random)
    : chunk_count_(chunk_count), random_(random), holders_(chunk_count, 0),
      shown_only_(chunk_count, 0) {}

void SeedReveal::count(std::vector<std::uint32_t>& counts, core::ChunkIndex chunk, int delta) {
  auto& value = counts[core::index_value(chunk)];
  value = delta > 0 ? value + 1 : (value > 0 ? value - 1 : 0);
}

void SeedReveal::add_peer(PeerSlot slot) {
  auto empty = Bitfield::create(chunk_count_);
  if (!empty) {
    return; // a chunk count the bitfield refuses: the swarm never gets that far
  }
  peers_.insert_or_assign(slot, PeerView{empty.value(), empty.value(), false, false, 0});
}

void SeedReveal::remove_peer(PeerSlot slot) {
  const auto found = peers_.find(slot);
  if (found == peers_.end()) {
    return;
  }
  for (std::uint32_t i = 0; i < chunk_count_; ++i) {
    const core::ChunkIndex chunk{i};
    if (found->second.haves.test(chunk)) {
      count(holders_, chunk, -1);
    } else if (found->second.shown.test(chunk)) {
      count(shown_only_, chunk, -1);
    }
  }
  peers_.erase(found);
}

void SeedReveal::peer_has_map(PeerSlot slot, const Bitfield& haves) {
  const auto found = peers_.find(slot);
  if (found == peers_.end() || haves.chunk_count() != chunk_count_) {
    return;
  }
  found->second.haves_known = true;
  for (std::uint32_t i = 0; i < chunk_count_; ++i) {
    if (haves.test(core::ChunkIndex{i})) {
      peer_has(slot, core::ChunkIndex{i});
    }
  }
}

void SeedReveal::peer_has(PeerSlot slot, core::ChunkIndex chunk) {
  const auto found = peers_.find(slot);
  if (found == peers_.end() || core::index_value(chunk) >= chunk_count_) {
    return;
  }
  PeerView& view = found->second;
  if (view.haves.test(chunk)) {
    return;
  }
  if (view.shown.test(chunk)) {
    count(shown_only_, chunk, -1);
    --view.waiting;
  }
  count(holders_, chunk, +1);
  (void)view.haves.set(chunk);
}

std::uint32_t SeedReveal::share_per_peer() const {
  const auto lacking =
      static_cast<std::uint32_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& entry) {
        return entry.second.served && entry.second.haves_known && !entry.second.haves.all();
      }));
  const std::uint32_t fair = lacking <= 1 ? chunk_count_ : (chunk_count_ + lacking - 1) / lacking;
  return std::clamp(fair, kMinShown, kMaxShown);
}

void SeedReveal::set_served(PeerSlot slot, bool served) {
  if (const auto found = peers_.find(slot); found != peers_.end()) {
    found->second.served = served;
  }
}

std::vector<core::ChunkIndex> SeedReveal::top_up(PeerSlot slot) {
  const auto found = peers_.find(slot);
  if (found == peers_.end() || !found->second.haves_known || !found->second.served) {
    return {};
  }
  PeerView& view = found->second;
  const std::uint32_t share = share_per_peer();
  if (view.waiting > 0 && view.waiting * 2 >= share) {
    return {}; // the common case, decided without looking at every chunk
  }
  std::vector<std::uint32_t> nobody_has;  // held by no peer, shown to none
  std::vector<std::uint32_t> others_have; // held by another peer, or shown to one
  for (std::uint32_t i = 0; i < chunk_count_; ++i) {
    const core::ChunkIndex chunk{i};
    if (view.haves.test(chunk)) {
      continue;
    }
    if (!view.shown.test(chunk)) {
      (holders_[i] == 0 && shown_only_[i] == 0 ? nobody_has : others_have).push_back(i);
    }
  }
  const std::uint32_t waiting = view.waiting; // shown and not fetched yet
  std::size_t wanted = 0;
  std::vector<std::uint32_t>* pool = &nobody_has;
  if (!nobody_has.empty()) {
    // Top up once half the share is fetched.
    if (waiting * 2 < std::min<std::size_t>(share, waiting + nobody_has.size())) {
      wanted = std::min<std::size_t>(share - std::min(share, waiting), nobody_has.size());
    }
  } else if (waiting == 0 && !others_have.empty()) {
    // Every chunk it lacks is out in the swarm or on its way to another peer: it should
    // trade for them. Only a peer that fetched everything it was shown gets a few more, in
    // case none of the holders is among its own peers.
    pool = &others_have;
    wanted = std::min<std::size_t>(kTrickle, others_have.size());
  }
  if (wanted == 0) {
    return {};
  }
  // Random among equals: shuffled first, so which of equal chunks come first is down to the
  // shuffle.
  for (std::size_t i = pool->size(); i > 1; --i) {
    std::swap((*pool)[i - 1], (*pool)[random_.below(i)]);
  }
  std::partial_sort(
      pool->begin(), pool->begin() + static_cast<std::ptrdiff_t>(wanted), pool->end(),
      [this](std::uint32_t a, std::uint32_t b) {
        // Held by the fewest first; among those, shown to the fewest.
        return std::pair{holders_[a], shown_only_[a]} < std::pair{holders_[b], shown_only_[b]};
      });
  std::vector<core::ChunkIndex> shown_now;
  shown_now.reserve(wanted);
  for (std::size_t k = 0; k < wanted; ++k) {
    const core::ChunkIndex chunk{(*pool)[k]};
    count(shown_only_, chunk, +1);
    (void)view.shown.set(chunk);
    ++view.waiting;
    shown_now.push_back(chunk);
  }
  return shown_now;
}

const Bitfield* SeedReveal::shown(PeerSlot slot) const {
  const auto found = peers_.find(slot);
  return found == peers_.end() ? nullptr : &found->second.shown;
}

} // namespace swarmshare::transfer
