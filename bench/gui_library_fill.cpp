// gui_library_fill: puts COUNT shares into a home's state database, for the desktop client's
// benchmark of a Share Files list with 100,000 entries (bench/gui_responsiveness.sh). The
// entries are paused, so the engine does not serve them at start: what is measured is the
// list, not 100,000 files to check on disk. Each has its own manifest (a made-up file of
// 1 MiB), hence its own File ID.
//
// Usage: bench_gui_library_fill HOME COUNT
// Put HOME on a tmpfs: the store makes each share durable on its own.
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/manifest.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace swarmshare;
  if (argc != 3) {
    std::cerr << "usage: bench_gui_library_fill HOME COUNT\n";
    return 2;
  }
  const std::filesystem::path home = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  std::filesystem::create_directories(home);
  auto store = client::StateStore::open(home / "state.db");
  if (!store) {
    std::cerr << "cannot open " << (home / "state.db") << ": " << store.error().message() << "\n";
    return 1;
  }
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  constexpr std::uint64_t kSize = 1024 * 1024;
  for (long i = 0; i < count; ++i) {
    const std::string name = "holiday-photo-" + std::to_string(i) + ".jpg";
    std::vector<core::Hash256> hashes(core::chunk_count_for(kSize, core::ChunkSize{}));
    for (std::size_t chunk = 0; chunk < hashes.size(); ++chunk) {
      hashes[chunk].fill(0);
      const auto stamp = static_cast<std::uint64_t>(i) * 131 + chunk;
      for (std::size_t byte = 0; byte < 8; ++byte) {
        hashes[chunk][byte] = static_cast<std::uint8_t>(stamp >> (8 * byte));
      }
    }
    auto manifest = core::Manifest::create(name, kSize, core::ChunkSize{}, std::move(hashes));
    if (!manifest) {
      std::cerr << "manifest: " << manifest.error().message() << "\n";
      return 1;
    }
    client::LibraryEntry entry{std::move(manifest).value()};
    entry.path = "/srv/photos/" + name;
    entry.file_size = kSize;
    entry.status = client::LibraryStatus::paused;
    if (auto recorded = store.value().record_shared(entry, now); !recorded) {
      std::cerr << "share " << i << ": " << recorded.error().message() << "\n";
      return 1;
    }
  }
  std::cout << "library of " << count << " shares in " << home << "\n";
  return 0;
}
