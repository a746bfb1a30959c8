#include "swarmshare/dht/routing_table.hpp"

#include "routing/subnet.hpp"

#include <algorithm>

namespace swarmshare::dht {

RoutingTable::RoutingTable(const NodeId& own_id, const core::Clock& clock, core::Random& random,
                           RoutingTableOptions options)
    : own_id_(own_id), clock_(&clock), random_(&random), options_(options) {
  options_.bucket_size = std::max<std::size_t>(options_.bucket_size, 1);
  options_.replacement_cache_size = std::max<std::size_t>(options_.replacement_cache_size, 1);
  options_.timeouts_until_bad = std::max<std::uint32_t>(options_.timeouts_until_bad, 1);
  options_.max_nodes_per_subnet = std::max<std::size_t>(options_.max_nodes_per_subnet, 1);
  // Fresh at start: the node bootstraps with a lookup of its own ID anyway.
  buckets_.push_back(Bucket{{}, {}, clock_->steady_now()});
}

// ----- Lookups into the structure -------------------------------------------------------------

std::size_t RoutingTable::bucket_index(const NodeId& id) const noexcept {
  return std::min(common_prefix_bits(own_id_, id), buckets_.size() - 1);
}

NodeStatus RoutingTable::status(const Entry& entry) const noexcept {
  if (entry.consecutive_timeouts >= options_.timeouts_until_bad) {
    return NodeStatus::bad;
  }
  if (!entry.last_response) {
    return NodeStatus::questionable;
  }
  const TimePoint now = clock_->steady_now();
  const bool answered_lately = now - *entry.last_response < options_.good_for;
  const bool queried_lately = entry.last_query && now - *entry.last_query < options_.good_for;
  return answered_lately || queried_lately ? NodeStatus::good : NodeStatus::questionable;
}

bool RoutingTable::can_split(std::size_t index) const noexcept {
  // Only the bucket around our own ID; 256 buckets leave the last one a single possible ID.
  return index + 1 == buckets_.size() && buckets_.size() < kNodeIdBits;
}

void RoutingTable::split_last_bucket() {
  const std::size_t depth = buckets_.size() - 1;
  Bucket& old_bucket = buckets_.back();
  Bucket near_bucket{{}, {}, old_bucket.last_used};
  // Entries sharing more than `depth` bits with us move on; the rest stay at exactly `depth`.
  const auto moves_on = [&](const NodeContact& contact) {
    return common_prefix_bits(own_id_, contact.id) > depth;
  };
  std::vector<Entry> kept_entries;
  for (Entry& entry : old_bucket.entries) {
    (moves_on(entry.contact) ? near_bucket.entries : kept_entries).push_back(entry);
  }
  std::vector<Candidate> kept_candidates;
  for (Candidate& candidate : old_bucket.candidates) {
    (moves_on(candidate.contact) ? near_bucket.candidates : kept_candidates).push_back(candidate);
  }
  old_bucket.entries = std::move(kept_entries);
  old_bucket.candidates = std::move(kept_candidates);
  buckets_.push_back(std::move(near_bucket));
}

RoutingTable::Entry* RoutingTable::find_entry(const NodeId& id) noexcept {
  Bucket& bucket = buckets_[bucket_index(id)];
  const auto it = std::find_if(bucket.entries.begin(), bucket.entries.end(),
                               [&](const Entry& entry) { return entry.contact.id == id; });
  return it == bucket.entries.end() ? nullptr : &*it;
}

const RoutingTable::Entry* RoutingTable::find_entry(const NodeId& id) const noexcept {
  return const_cast<RoutingTable*>(this)->find_entry(id);
}

std::size_t RoutingTable::subnet_neighbours(const Bucket& bucket, const core::Endpoint& endpoint,
                                            const Entry* ignore) const noexcept {
  const auto subnet = routing::limited_subnet(endpoint);
  if (!subnet) {
    return 0;
  }
  return static_cast<std::size_t>(
      std::count_if(bucket.entries.begin(), bucket.entries.end(), [&](const Entry& entry) {
        return &entry != ignore && routing::limited_subnet(entry.contact.endpoint) == subnet;
      }));
}

// ----- Events ---------------------------------------------------------------------------------

RoutingTable::Entry RoutingTable::fresh_entry(const NodeContact& contact, bool answered) const {
  const TimePoint now = clock_->steady_now();
  Entry entry{contact, std::nullopt, std::nullopt, now, 0, std::nullopt};
  if (answered) {
    entry.last_response = now;
  }
  return entry;
}

void RoutingTable::record_response(Bucket& bucket, Entry& entry) {
  const TimePoint now = clock_->steady_now();
  entry.last_response = now;
  entry.last_seen = now;
  entry.consecutive_timeouts = 0;
  if (entry.eviction_candidate) {
    // It is alive after all: the newcomer waiting for its place is not needed.
    drop_candidate(bucket, *entry.eviction_candidate);
    entry.eviction_candidate.reset();
  }
  bucket.last_used = now;
}

ResponseOutcome RoutingTable::on_response(const NodeContact& contact) {
  if (contact.id == own_id_) {
    return {Admission::own_id, std::nullopt};
  }
  if (Entry* entry = find_entry(contact.id)) {
    Bucket& bucket = buckets_[bucket_index(contact.id)];
    if (entry->contact.endpoint == contact.endpoint) {
      record_response(bucket, *entry);
      return {Admission::refreshed, std::nullopt};
    }
    // Anyone can claim a Peer ID in a datagram's source. Following that claim would let a
    // spoofer redirect a live node's traffic; only a node we already gave up on may move.
    if (status(*entry) != NodeStatus::bad) {
      return {Admission::endpoint_mismatch, std::nullopt};
    }
    if (subnet_neighbours(bucket, contact.endpoint, entry) >= options_.max_nodes_per_subnet) {
      return {Admission::subnet_full, std::nullopt};
    }
    entry->contact.endpoint = contact.endpoint;
    entry->last_query.reset();
    record_response(bucket, *entry);
    return {Admission::relocated, std::nullopt};
  }
  Bucket& bucket = buckets_[bucket_index(contact.id)];
  const auto candidate =
      std::find_if(bucket.candidates.begin(), bucket.candidates.end(),
                   [&](const Candidate& c) { return c.contact.id == contact.id; });
  if (candidate != bucket.candidates.end()) {
    if (candidate->contact.endpoint != contact.endpoint) {
      return {Admission::endpoint_mismatch, std::nullopt};
    }
    // Admitted afresh below: there may be room for it by now.
    bucket.candidates.erase(candidate);
  }
  return admit_new(contact);
}

ResponseOutcome RoutingTable::admit_new(const NodeContact& contact) {
  const TimePoint now = clock_->steady_now();
  for (;;) {
    const std::size_t index = bucket_index(contact.id);
    Bucket& bucket = buckets_[index];
    // The subnet limit comes first: a split must not become a way around it.
    if (subnet_neighbours(bucket, contact.endpoint, nullptr) >= options_.max_nodes_per_subnet) {
      const auto subnet = routing::limited_subnet(contact.endpoint);
      const auto bad_neighbour =
          std::find_if(bucket.entries.begin(), bucket.entries.end(), [&](const Entry& entry) {
            return status(entry) == NodeStatus::bad &&
                   routing::limited_subnet(entry.contact.endpoint) == subnet;
          });
      if (bad_neighbour == bucket.entries.end()) {
        return {Admission::subnet_full, std::nullopt};
      }
      *bad_neighbour = fresh_entry(contact, true);
      bucket.last_used = now;
      return {Admission::replaced_bad, std::nullopt};
    }
    if (bucket.entries.size() < options_.bucket_size) {
      bucket.entries.push_back(fresh_entry(contact, true));
      bucket.last_used = now;
      return {Admission::inserted, std::nullopt};
    }
    if (can_split(index)) {
      split_last_bucket();
      continue;
    }
    // Full and not ours to split. Give up a bad node first: it already failed us twice.
    const auto bad = std::max_element(
        bucket.entries.begin(), bucket.entries.end(), [&](const Entry& a, const Entry& b) {
          const bool a_bad = status(a) == NodeStatus::bad;
          const bool b_bad = status(b) == NodeStatus::bad;
          return a_bad != b_bad ? b_bad : a.consecutive_timeouts < b.consecutive_timeouts;
        });
    if (status(*bad) == NodeStatus::bad) {
      *bad = fresh_entry(contact, true);
      bucket.last_used = now;
      return {Admission::replaced_bad, std::nullopt};
    }
    // Then ask about the questionable node heard from longest ago, unless it is already
    // being asked about for an earlier newcomer.
    Entry* oldest_questionable = nullptr;
    for (Entry& entry : bucket.entries) {
      if (status(entry) == NodeStatus::questionable && !entry.eviction_candidate &&
          (oldest_questionable == nullptr || entry.last_seen < oldest_questionable->last_seen)) {
        oldest_questionable = &entry;
      }
    }
    if (!cache_candidate(bucket, contact)) {
      return {Admission::dropped, std::nullopt};
    }
    const bool already_awaited =
        std::any_of(bucket.entries.begin(), bucket.entries.end(),
                    [&](const Entry& entry) { return entry.eviction_candidate == contact.id; });
    if (oldest_questionable == nullptr || already_awaited) {
      return {Admission::cached, std::nullopt};
    }
    oldest_questionable->eviction_candidate = contact.id;
    return {Admission::ping_questionable, oldest_questionable->contact};
  }
}

bool RoutingTable::on_query_from(const NodeContact& contact) {
  Entry* entry = find_entry(contact.id);
  // A query proves far less than an answer (its source may be forged), so it only refreshes
  // the entry it matches exactly, and never clears timeouts.
  if (entry == nullptr || entry->contact.endpoint != contact.endpoint) {
    return false;
  }
  const TimePoint now = clock_->steady_now();
  entry->last_query = now;
  entry->last_seen = now;
  return true;
}

TimeoutOutcome RoutingTable::on_timeout(const NodeId& id) {
  if (id == own_id_) {
    return TimeoutOutcome::not_in_table;
  }
  Bucket& bucket = buckets_[bucket_index(id)];
  Entry* entry = find_entry(id);
  if (entry == nullptr) {
    const auto before = bucket.candidates.size();
    drop_candidate(bucket, id);
    return bucket.candidates.size() < before ? TimeoutOutcome::candidate_dropped
                                             : TimeoutOutcome::not_in_table;
  }
  ++entry->consecutive_timeouts;
  const std::optional<NodeId> awaited = entry->eviction_candidate;
  entry->eviction_candidate.reset();
  // A node pinged to decide on a newcomer had been silent for 15 minutes already: one more
  // unanswered ping settles it. Any other node has to become bad first.
  if (awaited || status(*entry) == NodeStatus::bad) {
    const auto slot = static_cast<std::size_t>(entry - bucket.entries.data());
    if (promote_candidate(bucket, slot, awaited)) {
      return TimeoutOutcome::replaced_by_candidate;
    }
  }
  return status(*entry) == NodeStatus::bad ? TimeoutOutcome::now_bad : TimeoutOutcome::counted;
}

// ----- The replacement cache ------------------------------------------------------------------

bool RoutingTable::cache_candidate(Bucket& bucket, const NodeContact& contact) {
  const TimePoint now = clock_->steady_now();
  if (bucket.candidates.size() >= options_.replacement_cache_size) {
    // Make room by forgetting the oldest candidate no pending ping is deciding on.
    const auto awaited = [&](const Candidate& candidate) {
      return std::any_of(bucket.entries.begin(), bucket.entries.end(), [&](const Entry& entry) {
        return entry.eviction_candidate == candidate.contact.id;
      });
    };
    const auto oldest_free =
        std::find_if_not(bucket.candidates.begin(), bucket.candidates.end(), awaited);
    if (oldest_free == bucket.candidates.end()) {
      return false;
    }
    bucket.candidates.erase(oldest_free);
  }
  bucket.candidates.push_back(Candidate{contact, now});
  return true;
}

void RoutingTable::drop_candidate(Bucket& bucket, const NodeId& id) {
  std::erase_if(bucket.candidates, [&](const Candidate& c) { return c.contact.id == id; });
}

bool RoutingTable::promote_candidate(Bucket& bucket, std::size_t slot,
                                     const std::optional<NodeId>& preferred) {
  const Entry* leaving = &bucket.entries[slot];
  // The awaited newcomer first, then the most recently heard: the likeliest to be alive.
  std::vector<std::size_t> order;
  for (std::size_t i = bucket.candidates.size(); i-- > 0;) {
    if (preferred && bucket.candidates[i].contact.id == *preferred) {
      order.insert(order.begin(), i);
    } else {
      order.push_back(i);
    }
  }
  for (const std::size_t i : order) {
    const Candidate& candidate = bucket.candidates[i];
    if (subnet_neighbours(bucket, candidate.contact.endpoint, leaving) >=
        options_.max_nodes_per_subnet) {
      continue;
    }
    Entry replacement = fresh_entry(candidate.contact, true);
    replacement.last_response = candidate.answered_at;
    replacement.last_seen = candidate.answered_at;
    bucket.entries[slot] = replacement;
    bucket.candidates.erase(bucket.candidates.begin() + static_cast<std::ptrdiff_t>(i));
    return true;
  }
  return false;
}

// ----- Restoring ------------------------------------------------------------------------------

std::size_t RoutingTable::restore(std::span<const NodeContact> contacts) {
  std::size_t restored = 0;
  for (const NodeContact& contact : contacts) {
    if (contact.id == own_id_ || find_entry(contact.id) != nullptr || is_candidate(contact.id)) {
      continue;
    }
    for (;;) {
      const std::size_t index = bucket_index(contact.id);
      Bucket& bucket = buckets_[index];
      if (subnet_neighbours(bucket, contact.endpoint, nullptr) >= options_.max_nodes_per_subnet) {
        break;
      }
      if (bucket.entries.size() < options_.bucket_size) {
        bucket.entries.push_back(fresh_entry(contact, false));
        ++restored;
        break;
      }
      if (!can_split(index)) {
        break;
      }
      split_last_bucket();
    }
  }
  return restored;
}

} // namespace swarmshare::dht
