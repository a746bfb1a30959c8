#include "swarmshare/dht/keyword_index.hpp"

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/dht/lookup.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace swarmshare::dht {
namespace {

// Our callers are promised their callback never runs inside the call, even when there is
// nothing to wait for.
void call_soon(Node& node, std::function<void()> callback) {
  (void)node.scheduler().after(Scheduler::Duration::zero(), std::move(callback));
}

[[nodiscard]] bool holds_every_word(const std::string& name,
                                    const std::vector<std::string>& words) {
  const auto name_words = split_words(name);
  return std::all_of(words.begin(), words.end(), [&name_words](const std::string& word) {
    return std::find(name_words.begin(), name_words.end(), word) != name_words.end();
  });
}

// One file as the records found describe it. Publishers may disagree on its name or size
// (a File ID pins the content, not what it is called), so each description keeps its own
// signers, and the one most of them published stands for the file.
struct FoundFile {
  struct Description {
    KeywordEntry entry;
    std::uint32_t signers = 0;
  };
  std::vector<Description> descriptions; ///< in order of first appearance
  std::vector<crypto::PeerId> signers;

  void add(const crypto::PeerId& signer, KeywordEntry entry) {
    if (std::find(signers.begin(), signers.end(), signer) != signers.end()) {
      return;
    }
    signers.push_back(signer);
    const auto same = std::find_if(descriptions.begin(), descriptions.end(),
                                   [&entry](const Description& d) { return d.entry == entry; });
    if (same != descriptions.end()) {
      ++same->signers;
    } else {
      descriptions.push_back(Description{std::move(entry), 1});
    }
  }

  [[nodiscard]] KeywordHit hit() const {
    // max_element keeps the first of equals: ties go to the description seen first.
    const auto best = std::max_element(
        descriptions.begin(), descriptions.end(),
        [](const Description& a, const Description& b) { return a.signers < b.signers; });
    return KeywordHit{best->entry, static_cast<std::uint32_t>(signers.size())};
  }
};

[[nodiscard]] std::vector<KeywordHit> hits_of(const std::vector<SignedRecord>& records,
                                              const std::string& looked_up,
                                              const std::vector<std::string>& words,
                                              std::size_t limit) {
  const NodeId target = NodeId::of_word(looked_up);
  std::map<core::FileId, FoundFile> files;
  for (const auto& record : records) {
    if (record.target != target) {
      continue;
    }
    auto entry = read_keyword_record(record);
    if (!entry || !holds_every_word(entry.value().name, words)) {
      continue;
    }
    const core::FileId file_id = entry.value().file_id;
    files[file_id].add(record.signer, std::move(entry).value());
  }
  std::vector<KeywordHit> hits;
  hits.reserve(files.size());
  for (const auto& [file_id, file] : files) {
    hits.push_back(file.hit());
  }
  std::sort(hits.begin(), hits.end(), [](const KeywordHit& a, const KeywordHit& b) {
    if (a.publishers != b.publishers) {
      return a.publishers > b.publishers;
    }
    if (a.entry.name != b.entry.name) {
      return a.entry.name < b.entry.name;
    }
    return a.entry.file_id < b.entry.file_id;
  });
  if (hits.size() > limit) {
    hits.resize(limit);
  }
  return hits;
}

} // namespace

void publish_keywords(Node& node, const crypto::Identity& identity, const KeywordEntry& entry,
                      std::uint64_t seq, std::function<void(std::size_t)> done) {
  // The words come from the name as the records carry it (cut to kMaxKeywordNameBytes), so
  // a search that finds a record by one of them can also match it by the others. An entry
  // that does not encode (a name not valid UTF-8) has no words to publish.
  std::vector<std::string> words;
  if (auto value = encode_keyword_value(entry)) {
    if (auto carried = decode_keyword_value(value.value())) {
      words = split_words(carried.value().name);
    }
  }
  if (words.size() > kMaxPublishedWords) {
    words.resize(kMaxPublishedWords);
  }
  std::vector<SignedRecord> records;
  for (const auto& word : words) {
    if (auto record = make_keyword_record(identity, node.network(), word, entry, seq)) {
      records.push_back(std::move(record).value());
    }
  }
  if (records.empty()) {
    call_soon(node, [done = std::move(done)] {
      if (done) {
        done(0);
      }
    });
    return;
  }

  struct Progress {
    std::size_t waiting = 0;
    std::size_t words_stored = 0;
    std::function<void(std::size_t)> done;
  };
  auto progress = std::make_shared<Progress>();
  progress->waiting = records.size();
  progress->done = std::move(done);
  for (const auto& record : records) {
    node.put(record, [progress](std::size_t stored) {
      if (stored > 0) {
        ++progress->words_stored;
      }
      if (--progress->waiting == 0 && progress->done) {
        progress->done(progress->words_stored);
      }
    });
  }
}

void search_keywords(Node& node, std::string_view text, std::size_t limit,
                     std::function<void(core::Result<std::vector<KeywordHit>>)> done) {
  auto words = split_words(text);
  if (words.empty()) {
    call_soon(node, [done = std::move(done)] {
      if (done) {
        done(Errc::empty_query);
      }
    });
    return;
  }
  // The longest word is likely the rarest: the fewest records to fetch, most of them hits.
  // max_element keeps the first of equals, so ties go to the first word.
  std::string looked_up =
      *std::max_element(words.begin(), words.end(), [](const std::string& a, const std::string& b) {
        return a.size() < b.size();
      });
  const auto target = LookupTarget::get(NodeId::of_word(looked_up));
  node.lookup(target, [looked_up = std::move(looked_up), words = std::move(words), limit,
                       done = std::move(done)](const LookupResult& found) {
    if (!done) {
      return;
    }
    if (found.cancelled) {
      done(core::Errc::cancelled);
    } else if (found.closest.empty()) {
      done(Errc::timed_out);
    } else {
      done(hits_of(found.records, looked_up, words, limit));
    }
  });
}

} // namespace swarmshare::dht
