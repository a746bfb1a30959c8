// The routing table's read side: lookups, refresh targets and snapshots.

#include "swarmshare/dht/routing_table.hpp"

#include <algorithm>

namespace swarmshare::dht {
namespace {

void set_bit(NodeId::Bytes& bytes, std::size_t index, bool value) noexcept {
  const auto mask = static_cast<std::uint8_t>(0x80U >> (index % 8));
  if (value) {
    bytes[index / 8] = static_cast<std::uint8_t>(bytes[index / 8] | mask);
  } else {
    bytes[index / 8] = static_cast<std::uint8_t>(bytes[index / 8] & ~mask);
  }
}

} // namespace

// ----- Queries --------------------------------------------------------------------------------

std::vector<NodeContact> RoutingTable::closest(const NodeId& target, std::size_t count) const {
  // At most 256 * k entries: a full scan costs less than keeping an index up to date.
  std::vector<NodeContact> usable;
  for (const Bucket& bucket : buckets_) {
    for (const Entry& entry : bucket.entries) {
      if (status(entry) != NodeStatus::bad) {
        usable.push_back(entry.contact);
      }
    }
  }
  const auto nearer = [&](const NodeContact& a, const NodeContact& b) {
    return closer(target, a.id, b.id);
  };
  const std::size_t kept = std::min(count, usable.size());
  std::partial_sort(usable.begin(), usable.begin() + static_cast<std::ptrdiff_t>(kept),
                    usable.end(), nearer);
  usable.erase(usable.begin() + static_cast<std::ptrdiff_t>(kept), usable.end());
  return usable;
}

void RoutingTable::mark_bucket_used(const NodeId& target) {
  buckets_[bucket_index(target)].last_used = clock_->steady_now();
}

NodeId RoutingTable::random_id_in_bucket(std::size_t index) {
  NodeId::Bytes bytes{};
  for (auto& byte : bytes) {
    byte = static_cast<std::uint8_t>(random_->below(256));
  }
  // Bucket `index` is fixed on our first `index` bits; unless it is the last one, bit
  // `index` differs from ours.
  for (std::size_t bit = 0; bit < index; ++bit) {
    set_bit(bytes, bit, own_id_.bit(bit));
  }
  if (index + 1 < buckets_.size()) {
    set_bit(bytes, index, !own_id_.bit(index));
  } else if (NodeId{bytes} == own_id_) {
    // Only possible when the last bucket holds a single ID besides ours: look that one up.
    set_bit(bytes, kNodeIdBits - 1, !own_id_.bit(kNodeIdBits - 1));
  }
  return NodeId{bytes};
}

std::vector<NodeId> RoutingTable::refresh_targets() {
  const TimePoint now = clock_->steady_now();
  std::vector<NodeId> targets;
  for (std::size_t index = 0; index < buckets_.size(); ++index) {
    if (now - buckets_[index].last_used >= options_.bucket_stale_after) {
      targets.push_back(random_id_in_bucket(index));
      buckets_[index].last_used = now;
    }
  }
  return targets;
}

std::optional<NodeStatus> RoutingTable::status_of(const NodeId& id) const {
  const Entry* entry = find_entry(id);
  return entry == nullptr ? std::nullopt : std::optional{status(*entry)};
}

std::optional<NodeContact> RoutingTable::find(const NodeId& id) const {
  const Entry* entry = find_entry(id);
  return entry == nullptr ? std::nullopt : std::optional{entry->contact};
}

bool RoutingTable::is_candidate(const NodeId& id) const {
  const Bucket& bucket = buckets_[bucket_index(id)];
  return std::any_of(bucket.candidates.begin(), bucket.candidates.end(),
                     [&](const Candidate& c) { return c.contact.id == id; });
}

std::size_t RoutingTable::size() const noexcept {
  std::size_t total = 0;
  for (const Bucket& bucket : buckets_) {
    total += bucket.entries.size();
  }
  return total;
}

std::vector<KnownNode> RoutingTable::nodes() const {
  std::vector<KnownNode> out;
  out.reserve(size());
  for (const Bucket& bucket : buckets_) {
    for (const Entry& entry : bucket.entries) {
      out.push_back(KnownNode{entry.contact, status(entry)});
    }
  }
  return out;
}

} // namespace swarmshare::dht
