#include "swarmshare/transfer/piece_picker.hpp"

#include <algorithm>
#include <numeric>
#include <system_error>
#include <utility>

namespace swarmshare::transfer {
namespace {

[[nodiscard]] std::error_code invalid_argument() {
  return std::make_error_code(std::errc::invalid_argument);
}

[[nodiscard]] std::size_t at(core::ChunkIndex chunk) noexcept { return core::index_value(chunk); }

/// Where the pick order's available chunks begin: chunks nobody has sort before it.
constexpr std::uint32_t kFirstAvailable = 1;

} // namespace

core::Result<PiecePicker> PiecePicker::create(std::vector<std::uint32_t> chunk_lengths,
                                              core::Random& random, std::uint32_t block_bytes) {
  if (block_bytes == 0) {
    return invalid_argument();
  }
  if (chunk_lengths.size() > core::kMaxChunks) {
    return core::Errc::file_too_large;
  }
  const auto count = static_cast<std::uint32_t>(chunk_lengths.size());
  // A random permutation (Fisher-Yates) rather than a random key per chunk: ranks are then
  // distinct, so equal availability never falls back to index order.
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  for (std::uint32_t i = count; i > 1; --i) {
    const auto j = static_cast<std::size_t>(random.below(i));
    std::swap(order[i - 1], order[j]);
  }
  std::vector<Chunk> chunks(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (chunk_lengths[i] == 0) {
      return invalid_argument();
    }
    chunks[i].length = chunk_lengths[i];
    chunks[order[i]].rank = i;
  }
  return PiecePicker{std::move(chunks), block_bytes};
}

core::Result<PiecePicker> PiecePicker::for_manifest(const core::Manifest& manifest,
                                                    core::Random& random,
                                                    std::uint32_t block_bytes) {
  std::vector<std::uint32_t> lengths;
  lengths.reserve(manifest.chunk_count());
  for (std::uint32_t i = 0; i < manifest.chunk_count(); ++i) {
    auto length = manifest.chunk_length(core::ChunkIndex{i});
    if (!length) {
      return length.error();
    }
    lengths.push_back(length.value());
  }
  return create(std::move(lengths), random, block_bytes);
}

PiecePicker::PiecePicker(std::vector<Chunk> chunks, std::uint32_t block_bytes)
    : chunks_(std::move(chunks)), block_bytes_(block_bytes), chunks_needed_(chunk_count()) {
  for (std::uint32_t i = 0; i < chunk_count(); ++i) {
    not_started_.insert(key_of(core::ChunkIndex{i}));
  }
}

// ---- Peers ----

core::Status PiecePicker::add_peer(PeerSlot slot, const std::vector<bool>& haves) {
  if (is_banned(slot)) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  if (haves.size() != chunks_.size() || peers_.contains(slot)) {
    return invalid_argument();
  }
  for (std::uint32_t i = 0; i < chunk_count(); ++i) {
    if (haves[i]) {
      change_availability(core::ChunkIndex{i}, true);
    }
  }
  peers_.emplace(slot, Peer{haves, {}});
  return boost::outcome_v2::success();
}

core::Status PiecePicker::peer_has(PeerSlot slot, core::ChunkIndex chunk) {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  if (is_banned(slot)) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  auto peer = peers_.find(slot);
  if (peer == peers_.end()) {
    return invalid_argument();
  }
  if (!peer->second.haves[at(chunk)]) {
    peer->second.haves[at(chunk)] = true;
    change_availability(chunk, true);
  }
  return boost::outcome_v2::success();
}

void PiecePicker::remove_peer(PeerSlot slot) {
  auto peer = peers_.find(slot);
  if (peer == peers_.end()) {
    return;
  }
  for (const BlockRequest& request : peer->second.outstanding) {
    release_holder(request.chunk, block_index(request).value(), slot);
  }
  for (std::uint32_t i = 0; i < chunk_count(); ++i) {
    if (peer->second.haves[i]) {
      change_availability(core::ChunkIndex{i}, false);
    }
  }
  peers_.erase(peer);
}

void PiecePicker::ban_peer(PeerSlot slot) {
  remove_peer(slot);
  banned_.insert(slot);
}

bool PiecePicker::is_banned(PeerSlot slot) const noexcept { return banned_.contains(slot); }

// ---- Requests ----

std::vector<BlockRequest> PiecePicker::pick(PeerSlot slot, std::uint32_t max_blocks,
                                            Endgame endgame) {
  std::vector<BlockRequest> picked;
  auto peer = peers_.find(slot);
  if (peer == peers_.end() || max_blocks == 0) {
    return picked;
  }
  const std::vector<bool>& haves = peer->second.haves;

  for (const core::ChunkIndex chunk : in_progress_) {
    if (picked.size() >= max_blocks) {
      break;
    }
    Download& download = downloads_.at(chunk);
    if (haves[at(chunk)] && download.open > 0) {
      take_open_blocks(chunk, download, slot, max_blocks, picked);
    }
  }

  auto next = not_started_.lower_bound(PickKey{kFirstAvailable, 0, core::ChunkIndex{0}});
  while (picked.size() < max_blocks && next != not_started_.end()) {
    const core::ChunkIndex chunk = next->chunk;
    if (!haves[at(chunk)]) {
      ++next;
      continue;
    }
    next = not_started_.erase(next);
    take_open_blocks(chunk, start_download(chunk), slot, max_blocks, picked);
  }

  if (endgame == Endgame::allowed && picked.size() < max_blocks && in_endgame()) {
    take_endgame_blocks(slot, max_blocks, picked);
  }
  peer->second.outstanding.insert(peer->second.outstanding.end(), picked.begin(), picked.end());
  return picked;
}

BlockArrival PiecePicker::on_block(PeerSlot slot, const BlockRequest& block) {
  BlockArrival arrival;
  const auto index = block_index(block);
  if (!index) {
    return arrival;
  }
  Chunk& chunk = chunks_[at(block.chunk)];
  if (chunk.state == ChunkState::have || chunk.state == ChunkState::verifying) {
    arrival.verdict = BlockVerdict::duplicate;
    return arrival;
  }
  auto download = downloads_.find(block.chunk);
  if (download == downloads_.end()) {
    return arrival;
  }
  Block& entry = download->second.blocks[*index];
  if (entry.received) {
    arrival.verdict = BlockVerdict::duplicate;
    return arrival;
  }
  const auto holders_end = entry.holders.begin() + entry.holder_count;
  if (std::find(entry.holders.begin(), holders_end, slot) == holders_end) {
    return arrival;
  }

  arrival.verdict = BlockVerdict::accepted;
  for (auto holder = entry.holders.begin(); holder != holders_end; ++holder) {
    if (*holder != slot) {
      arrival.cancel_at.push_back(*holder);
    }
    forget_outstanding(*holder, block);
  }
  entry.holder_count = 0;
  entry.received = true;
  entry.from = slot;
  ++download->second.received;
  if (download->second.received == download->second.blocks.size()) {
    chunk.state = ChunkState::verifying;
    std::erase(in_progress_, block.chunk);
    arrival.chunk_complete = true;
  }
  return arrival;
}

void PiecePicker::on_request_failed(PeerSlot slot, const BlockRequest& block) {
  auto peer = peers_.find(slot);
  if (peer == peers_.end()) {
    return;
  }
  auto& outstanding = peer->second.outstanding;
  const auto request = std::find(outstanding.begin(), outstanding.end(), block);
  if (request == outstanding.end()) {
    return;
  }
  outstanding.erase(request);
  release_holder(block.chunk, block_index(block).value(), slot);
}

// ---- Verification ----

core::Status PiecePicker::on_verified(core::ChunkIndex chunk) {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  if (chunks_[at(chunk)].state != ChunkState::verifying) {
    return invalid_argument();
  }
  downloads_.erase(chunk);
  chunks_[at(chunk)].state = ChunkState::have;
  --chunks_needed_;
  return boost::outcome_v2::success();
}

core::Result<std::vector<PeerSlot>> PiecePicker::on_verify_failed(core::ChunkIndex chunk) {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  if (chunks_[at(chunk)].state != ChunkState::verifying) {
    return invalid_argument();
  }
  auto download = downloads_.find(chunk);
  std::vector<PeerSlot> contributors;
  contributors.reserve(download->second.blocks.size());
  for (const Block& block : download->second.blocks) {
    contributors.push_back(block.from);
  }
  std::sort(contributors.begin(), contributors.end());
  contributors.erase(std::unique(contributors.begin(), contributors.end()), contributors.end());

  downloads_.erase(download);
  chunks_[at(chunk)].state = ChunkState::missing;
  not_started_.insert(key_of(chunk));
  return contributors;
}

core::Status PiecePicker::set_have(core::ChunkIndex chunk) {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  switch (chunks_[at(chunk)].state) {
  case ChunkState::have: return boost::outcome_v2::success();
  case ChunkState::missing: not_started_.erase(key_of(chunk)); break;
  case ChunkState::partial:
  case ChunkState::verifying: drop_download(chunk); break;
  }
  chunks_[at(chunk)].state = ChunkState::have;
  --chunks_needed_;
  return boost::outcome_v2::success();
}

// ---- Queries ----

bool PiecePicker::in_endgame() const {
  if (not_started_.lower_bound(PickKey{kFirstAvailable, 0, core::ChunkIndex{0}}) !=
      not_started_.end()) {
    return false;
  }
  // Open blocks of a chunk no connected peer has cannot be requested: they must not hold
  // everyone else back from endgame.
  for (const core::ChunkIndex chunk : in_progress_) {
    if (downloads_.at(chunk).open > 0 && chunks_[at(chunk)].availability > 0) {
      return false;
    }
  }
  return !in_progress_.empty();
}

core::Result<ChunkState> PiecePicker::chunk_state(core::ChunkIndex chunk) const {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  return chunks_[at(chunk)].state;
}

core::Result<std::uint32_t> PiecePicker::availability(core::ChunkIndex chunk) const {
  if (!in_range(chunk)) {
    return core::Errc::chunk_index_out_of_range;
  }
  return chunks_[at(chunk)].availability;
}

std::vector<BlockRequest> PiecePicker::blocks_outstanding(PeerSlot slot) const {
  const auto peer = peers_.find(slot);
  return peer == peers_.end() ? std::vector<BlockRequest>{} : peer->second.outstanding;
}

// ---- Internals ----

PiecePicker::PickKey PiecePicker::key_of(core::ChunkIndex chunk) const noexcept {
  const Chunk& entry = chunks_[at(chunk)];
  return PickKey{entry.availability, entry.rank, chunk};
}

std::uint32_t PiecePicker::block_count(core::ChunkIndex chunk) const noexcept {
  const std::uint64_t length = chunks_[at(chunk)].length;
  return static_cast<std::uint32_t>((length + block_bytes_ - 1) / block_bytes_);
}

BlockRequest PiecePicker::block_at(core::ChunkIndex chunk, std::uint32_t index) const noexcept {
  const std::uint64_t offset = std::uint64_t{index} * block_bytes_;
  const std::uint64_t left = chunks_[at(chunk)].length - offset;
  return BlockRequest{chunk, static_cast<std::uint32_t>(offset),
                      static_cast<std::uint32_t>(std::min<std::uint64_t>(left, block_bytes_))};
}

std::optional<std::uint32_t> PiecePicker::block_index(const BlockRequest& block) const noexcept {
  if (!in_range(block.chunk) || block.offset % block_bytes_ != 0) {
    return std::nullopt;
  }
  const std::uint32_t index = block.offset / block_bytes_;
  if (index >= block_count(block.chunk) || block_at(block.chunk, index) != block) {
    return std::nullopt;
  }
  return index;
}

void PiecePicker::change_availability(core::ChunkIndex chunk, bool up) {
  Chunk& entry = chunks_[at(chunk)];
  const bool queued = entry.state == ChunkState::missing;
  if (queued) {
    not_started_.erase(key_of(chunk));
  }
  entry.availability = up ? entry.availability + 1 : entry.availability - 1;
  if (queued) {
    not_started_.insert(key_of(chunk));
  }
}

PiecePicker::Download& PiecePicker::start_download(core::ChunkIndex chunk) {
  Download download;
  download.blocks.resize(block_count(chunk));
  download.open = static_cast<std::uint32_t>(download.blocks.size());
  chunks_[at(chunk)].state = ChunkState::partial;
  in_progress_.push_back(chunk);
  return downloads_.insert_or_assign(chunk, std::move(download)).first->second;
}

void PiecePicker::take_open_blocks(core::ChunkIndex chunk, Download& download, PeerSlot slot,
                                   std::uint32_t max_blocks, std::vector<BlockRequest>& out) {
  for (std::uint32_t i = 0; i < download.blocks.size(); ++i) {
    if (out.size() >= max_blocks || download.open == 0) {
      return;
    }
    Block& block = download.blocks[i];
    if (block.received || block.holder_count > 0) {
      continue;
    }
    block.holders[0] = slot;
    block.holder_count = 1;
    --download.open;
    out.push_back(block_at(chunk, i));
  }
}

void PiecePicker::take_endgame_blocks(PeerSlot slot, std::uint32_t max_blocks,
                                      std::vector<BlockRequest>& out) {
  const std::vector<bool>& haves = peers_.at(slot).haves;
  for (const core::ChunkIndex chunk : in_progress_) {
    if (!haves[at(chunk)]) {
      continue;
    }
    Download& download = downloads_.at(chunk);
    for (std::uint32_t i = 0; i < download.blocks.size(); ++i) {
      if (out.size() >= max_blocks) {
        return;
      }
      Block& block = download.blocks[i];
      const auto holders_end = block.holders.begin() + block.holder_count;
      if (block.received || block.holder_count == 0 || block.holder_count >= kMaxHoldersPerBlock ||
          std::find(block.holders.begin(), holders_end, slot) != holders_end) {
        continue;
      }
      block.holders[block.holder_count++] = slot;
      out.push_back(block_at(chunk, i));
    }
  }
}

void PiecePicker::release_holder(core::ChunkIndex chunk, std::uint32_t index, PeerSlot slot) {
  Download& download = downloads_.at(chunk);
  Block& block = download.blocks[index];
  const auto holders_end = block.holders.begin() + block.holder_count;
  if (std::remove(block.holders.begin(), holders_end, slot) == holders_end) {
    return;
  }
  --block.holder_count;
  if (block.holder_count == 0 && !block.received) {
    ++download.open;
  }
}

void PiecePicker::forget_outstanding(PeerSlot slot, const BlockRequest& block) {
  auto peer = peers_.find(slot);
  if (peer != peers_.end()) {
    auto& outstanding = peer->second.outstanding;
    outstanding.erase(std::remove(outstanding.begin(), outstanding.end(), block),
                      outstanding.end());
  }
}

void PiecePicker::drop_download(core::ChunkIndex chunk) {
  auto download = downloads_.find(chunk);
  for (std::uint32_t i = 0; i < download->second.blocks.size(); ++i) {
    const Block& block = download->second.blocks[i];
    for (std::uint32_t h = 0; h < block.holder_count; ++h) {
      forget_outstanding(block.holders[h], block_at(chunk, i));
    }
  }
  downloads_.erase(download);
  std::erase(in_progress_, chunk);
}

} // namespace swarmshare::transfer
