#include "swarmshare/dht/storage.hpp"

#include "swarmshare/core/clock.hpp"
#include "swarmshare/dht/message.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace swarmshare::dht {
namespace {

// verify_peer_record reads "now" from a Clock; the store calls get it as a value, so the
// whole check happens at the one instant the caller named.
class FixedClock final : public core::Clock {
public:
  explicit FixedClock(std::chrono::system_clock::time_point now) noexcept : now_(now) {}
  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const noexcept override {
    return {};
  }
  [[nodiscard]] std::chrono::system_clock::time_point system_now() const noexcept override {
    return now_;
  }

private:
  std::chrono::system_clock::time_point now_;
};

[[nodiscard]] std::int64_t unix_seconds(std::chrono::system_clock::time_point now) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

[[nodiscard]] std::size_t reply_limit(std::size_t limit) noexcept {
  return std::min(limit, kMaxRecordsPerReply);
}

} // namespace

SourceAddress SourceAddress::of(const core::Endpoint& endpoint) noexcept {
  SourceAddress source;
  source.bytes_ = endpoint.mapped_address();
  if (!endpoint.is_v4()) {
    // Keep the /64 network prefix only.
    std::fill(source.bytes_.begin() + 8, source.bytes_.end(), std::uint8_t{0});
  }
  return source;
}

Storage::Storage(const crypto::NetworkId& network, StorageOptions options)
    : network_(network), options_(options) {}

bool Storage::peer_expired(const PeerRecord& record, TimePoint now) noexcept {
  const std::int64_t now_s = unix_seconds(now);
  if (now_s < 0 || static_cast<std::uint64_t>(now_s) < record.issued) {
    return false; // issued ahead of our clock: verify bounded how far, it is not old
  }
  return static_cast<std::uint64_t>(now_s) - record.issued >=
         static_cast<std::uint64_t>(kPeerRecordLifetime.count());
}

bool Storage::signed_expired(const SignedEntry& entry, TimePoint now) const noexcept {
  return now - entry.stored_at >= options_.signed_record_lifetime;
}

void Storage::charge(Counts& counts, const SourceAddress& source) { ++counts[source]; }

void Storage::release(Counts& counts, const SourceAddress& source) noexcept {
  const auto it = counts.find(source);
  if (it == counts.end()) {
    return;
  }
  if (--it->second == 0) {
    counts.erase(it); // the table holds only sources with records: bounded by the records
  }
}

std::size_t Storage::count_of(const Counts& counts, const SourceAddress& source) noexcept {
  const auto it = counts.find(source);
  return it == counts.end() ? 0 : it->second;
}

std::size_t Storage::prune_file(std::vector<PeerEntry>& entries, TimePoint now) {
  const auto old_size = entries.size();
  std::erase_if(entries, [&](const PeerEntry& entry) {
    if (!peer_expired(entry.record, now)) {
      return false;
    }
    release(peers_by_source_, entry.source);
    return true;
  });
  const auto dropped = old_size - entries.size();
  peer_count_ -= dropped;
  return dropped;
}

std::size_t Storage::prune_target(std::vector<SignedEntry>& entries, TimePoint now) {
  const auto old_size = entries.size();
  std::erase_if(entries, [&](const SignedEntry& entry) {
    if (!signed_expired(entry, now)) {
      return false;
    }
    release(signed_by_source_, entry.source);
    return true;
  });
  const auto dropped = old_size - entries.size();
  signed_count_ -= dropped;
  return dropped;
}

StoreResult Storage::store_peer(const PeerRecord& record, const core::Endpoint& source,
                                TimePoint now) {
  const auto from = SourceAddress::of(source);
  auto& entries = peers_[record.file_id];
  // Created empty above when the file is new: every refusal below must not leave it behind.
  const auto refuse = [&](StoreOutcome outcome, std::error_code error = {}) {
    if (entries.empty()) {
      peers_.erase(record.file_id);
    }
    return StoreResult{outcome, error};
  };
  static_cast<void>(prune_file(entries, now));

  const auto existing = std::find_if(entries.begin(), entries.end(), [&](const PeerEntry& e) {
    return e.record.peer == record.peer;
  });
  const bool replacing = existing != entries.end();
  if (replacing && existing->record == record) {
    return {StoreOutcome::unchanged, {}}; // verified when it was stored
  }
  if (replacing && record.issued <= existing->record.issued) {
    return {StoreOutcome::stale, {}};
  }
  const bool new_source = !replacing || !(existing->source == from);
  if (new_source && count_of(peers_by_source_, from) >= options_.max_peer_records_per_source) {
    return refuse(StoreOutcome::source_full);
  }
  // A full file list takes a newer record in place of its oldest; that does not grow the
  // total, so the node quota is checked only when nothing is evicted.
  auto oldest = entries.end();
  if (!replacing && entries.size() >= options_.max_peer_records_per_file) {
    oldest = std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.record.issued < b.record.issued;
    });
    if (oldest == entries.end() || oldest->record.issued >= record.issued) {
      return refuse(StoreOutcome::key_full);
    }
  } else if (!replacing && peer_count_ >= options_.max_peer_records) {
    return refuse(StoreOutcome::node_full);
  }

  // Only now the signature, the costly part.
  const FixedClock clock{now};
  if (auto verified = verify_peer_record(record, network_, clock); !verified) {
    return refuse(StoreOutcome::invalid_record, verified.error());
  }

  if (replacing) {
    release(peers_by_source_, existing->source);
    charge(peers_by_source_, from);
    *existing = PeerEntry{record, from};
    return {StoreOutcome::replaced, {}};
  }
  if (oldest != entries.end()) {
    release(peers_by_source_, oldest->source);
    charge(peers_by_source_, from);
    *oldest = PeerEntry{record, from};
    return {StoreOutcome::stored, {}};
  }
  charge(peers_by_source_, from);
  entries.push_back(PeerEntry{record, from});
  ++peer_count_;
  return {StoreOutcome::stored, {}};
}

std::vector<PeerRecord> Storage::peers_for(const core::FileId& file_id, std::size_t limit,
                                           TimePoint now) const {
  std::vector<PeerRecord> live;
  const auto it = peers_.find(file_id);
  if (it == peers_.end()) {
    return live;
  }
  for (const auto& entry : it->second) {
    if (!peer_expired(entry.record, now)) {
      live.push_back(entry.record);
    }
  }
  std::stable_sort(live.begin(), live.end(),
                   [](const PeerRecord& a, const PeerRecord& b) { return a.issued > b.issued; });
  live.resize(std::min(live.size(), reply_limit(limit)));
  return live;
}

StoreResult Storage::store_signed(const SignedRecord& record, const core::Endpoint& source,
                                  TimePoint now) {
  const auto from = SourceAddress::of(source);
  auto& entries = signed_[record.target];
  const auto refuse = [&](StoreOutcome outcome, std::error_code error = {}) {
    if (entries.empty()) {
      signed_.erase(record.target);
    }
    return StoreResult{outcome, error};
  };
  static_cast<void>(prune_target(entries, now));

  const auto existing = std::find_if(entries.begin(), entries.end(), [&](const SignedEntry& e) {
    return e.record.signer == record.signer && e.record.salt == record.salt;
  });
  const bool replacing = existing != entries.end();
  if (replacing && existing->record == record) {
    // Signers republish the same record to keep it alive: that restarts its lifetime.
    existing->stored_at = now;
    return {StoreOutcome::unchanged, {}};
  }
  if (replacing && record.seq <= existing->record.seq) {
    return {StoreOutcome::stale, {}};
  }
  const bool new_source = !replacing || !(existing->source == from);
  if (new_source && count_of(signed_by_source_, from) >= options_.max_signed_records_per_source) {
    return refuse(StoreOutcome::source_full);
  }
  auto oldest = entries.end();
  if (!replacing && entries.size() >= options_.max_signed_records_per_target) {
    oldest = std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.stored_at < b.stored_at;
    });
    if (oldest == entries.end()) {
      return refuse(StoreOutcome::key_full); // only with a per-target limit of 0
    }
  } else if (!replacing && signed_count_ >= options_.max_signed_records) {
    return refuse(StoreOutcome::node_full);
  }

  if (auto verified = verify_signed_record(record, network_); !verified) {
    return refuse(StoreOutcome::invalid_record, verified.error());
  }

  SignedEntry fresh{record, from, now};
  if (replacing) {
    release(signed_by_source_, existing->source);
    charge(signed_by_source_, from);
    *existing = std::move(fresh);
    return {StoreOutcome::replaced, {}};
  }
  if (oldest != entries.end()) {
    release(signed_by_source_, oldest->source);
    charge(signed_by_source_, from);
    *oldest = std::move(fresh);
    return {StoreOutcome::stored, {}};
  }
  charge(signed_by_source_, from);
  entries.push_back(std::move(fresh));
  ++signed_count_;
  return {StoreOutcome::stored, {}};
}

std::vector<SignedRecord> Storage::records_for(const NodeId& target, std::size_t limit,
                                               TimePoint now) const {
  std::vector<const SignedEntry*> live;
  const auto it = signed_.find(target);
  if (it != signed_.end()) {
    for (const auto& entry : it->second) {
      if (!signed_expired(entry, now)) {
        live.push_back(&entry);
      }
    }
  }
  std::stable_sort(live.begin(), live.end(), [](const SignedEntry* a, const SignedEntry* b) {
    return a->stored_at > b->stored_at;
  });
  std::vector<SignedRecord> records;
  const auto count = std::min(live.size(), reply_limit(limit));
  records.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    records.push_back(live[i]->record);
  }
  return records;
}

std::size_t Storage::expire(TimePoint now) {
  std::size_t dropped = 0;
  for (auto it = peers_.begin(); it != peers_.end();) {
    dropped += prune_file(it->second, now);
    it = it->second.empty() ? peers_.erase(it) : std::next(it);
  }
  for (auto it = signed_.begin(); it != signed_.end();) {
    dropped += prune_target(it->second, now);
    it = it->second.empty() ? signed_.erase(it) : std::next(it);
  }
  return dropped;
}

StorageStats Storage::stats() const noexcept {
  return StorageStats{peer_count_, peers_.size(), signed_count_, signed_.size()};
}

} // namespace swarmshare::dht
