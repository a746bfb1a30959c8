#pragma once
// Name search without a tracker: the keyword records of records.hpp, published and searched
// over a Node (docs/PROTOCOL.md 7.3, keyword records).
//
// A publisher puts one record per word of a file's name; a search looks up one word only,
// the query's longest (likely the rarest, so its records are the fewest and most relevant),
// and keeps the files whose names also hold the other words. One lookup instead of one per
// word keeps a search as cheap as an announce, and a name's words all travel in its value.
//
// Threads: the node's. Callbacks run on the node's scheduler, never inside the call.

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/node.hpp"
#include "swarmshare/dht/records.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace swarmshare::dht {

/// A file found by name in the DHT: its keyword entry and how many distinct signers
/// published it (about how many peers share it now: records are dropped unless republished).
struct KeywordHit {
  KeywordEntry entry;
  std::uint32_t publishers = 0;
  friend bool operator==(const KeywordHit&, const KeywordHit&) = default;
};

/// Words of a name published at most (the first ones, in split_words order): each costs a
/// lookup and up to k puts, and a search needs only one word of the name to find it.
inline constexpr std::size_t kMaxPublishedWords = 16;

/// Puts one keyword record per word of `entry.name` (up to kMaxPublishedWords), all with
/// `seq` (callers pass the issue time in unix seconds, so a republish replaces the records
/// stored before). `done(words_stored)`: the words at least one node stored; 0 too when the
/// name has no word or the entry cannot be encoded (a name not valid UTF-8).
void publish_keywords(Node& node, const crypto::Identity& identity, const KeywordEntry& entry,
                      std::uint64_t seq, std::function<void(std::size_t words_stored)> done);

/// Files whose names hold every word of `text` (split_words rules), at most `limit`, best
/// first: more publishers, then name, then File ID. One get lookup, for the query's longest
/// word (ties: the first); a record counts only if it is a keyword record of that word and
/// its name holds every query word. A file published under several matching names counts
/// all their publishers and shows the name most of them gave. Errors: empty_query for a
/// text without words; timed_out when the lookup reached no node; core::Errc::cancelled
/// when the node stopped first.
void search_keywords(Node& node, std::string_view text, std::size_t limit,
                     std::function<void(core::Result<std::vector<KeywordHit>>)> done);

} // namespace swarmshare::dht
