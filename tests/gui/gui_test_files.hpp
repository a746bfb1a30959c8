#pragma once
// Manifests and library entries for the presenter tests.
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/manifest.hpp"

#include <string>
#include <vector>

namespace swarmshare::gui::testing {

/// A valid manifest; different names give different File IDs.
inline core::Manifest make_manifest(const std::string& name, std::uint64_t size = 600U * 1024U) {
  std::vector<core::Hash256> hashes(core::chunk_count_for(size, core::ChunkSize{}));
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    hashes[i].fill(static_cast<std::uint8_t>(i + name.size()));
  }
  return core::Manifest::create(name, size, core::ChunkSize{}, std::move(hashes)).value();
}

inline client::LibraryEntry make_entry(const std::string& name, client::FileSource source,
                                       client::LibraryStatus status) {
  client::LibraryEntry entry{make_manifest(name)};
  entry.path = "/home/user/files/" + name;
  entry.file_size = entry.manifest.file_size();
  entry.source = source;
  entry.status = status;
  return entry;
}

} // namespace swarmshare::gui::testing
