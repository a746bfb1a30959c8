#include "search_dht.hpp"

#include "exit_codes.hpp"
#include "session_runner.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/units.hpp"

#include <chrono>
#include <iostream>

namespace swarmshare::cli {
namespace {

/// How long a fresh node may take to hear from a first node before the search gives up:
/// bootstrap pings are sent again every 2 seconds (dht::Node), so a few rounds.
constexpr std::chrono::seconds kJoinWait{10};

std::string publishers_text(std::uint32_t publishers) {
  return std::to_string(publishers) + (publishers == 1 ? " publisher" : " publishers") +
         " in the DHT";
}

// Waits until the routing table holds anyone (the statistics tick says so every second).
bool wait_for_join(SessionRunner& runner) {
  const auto deadline = std::chrono::steady_clock::now() + kJoinWait;
  while (std::chrono::steady_clock::now() < deadline && !runner.interrupted()) {
    for (const auto& event : runner.wait_events(std::chrono::milliseconds{200})) {
      if (const auto* tick = std::get_if<client::StatisticsTick>(&event);
          tick != nullptr && tick->dht_nodes > 0) {
        return true;
      }
    }
  }
  return false;
}

} // namespace

int search_in_dht(const GlobalOptions& global, const std::string& text, std::uint32_t limit,
                  std::uint32_t offset) {
  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  if (!options.value().dht) {
    std::cerr << "swarmshare-cli: no tracker configured and the DHT is off: pass --tracker "
                 "HOST:PORT, or let the DHT run (no --no-dht, no SWARMSHARE_NO_DHT=1)\n";
    return kExitFailure;
  }
  options.value().tracker.reset();
  options.value().serve_library = false; // a search serves nothing
  // A one-shot search must not take the well-known port from a client running beside it.
  options.value().dht->bind = options.value().dht->bind.with_port(0);

  SessionRunner runner(global);
  runner.set_quiet(true);
  if (const auto failed = runner.open(std::move(options).value())) {
    return *failed;
  }
  if (!wait_for_join(runner)) {
    std::cerr << "swarmshare-cli: no DHT node answered within " << kJoinWait.count()
              << " seconds (pass --bootstrap HOST:PORT of a node that runs)\n";
    runner.shutdown();
    return kExitFailure;
  }
  const auto found = runner.await(runner.session().search(text, limit + offset));
  runner.shutdown();
  if (!found) {
    return kExitInterrupted;
  }
  if (!*found) {
    std::cerr << "swarmshare-cli: DHT search: " << found->error().message() << '\n';
    return kExitFailure;
  }
  const auto& hits = found->value();
  std::size_t shown = 0;
  for (std::size_t i = offset; i < hits.size(); ++i, ++shown) {
    const auto& hit = hits[i];
    if (global.json) {
      print_json({{"type", "hit"},
                  {"file_id", hit.file_id.to_hex()},
                  {"name", hit.name},
                  {"size", hit.size},
                  {"live_seeders", hit.seeders},
                  {"origin", std::string{core::to_string(hit.origin)}}});
    } else {
      // As the tracker search prints: the File ID alone, the rest indented.
      std::cout << hit.file_id.to_hex() << '\n'
                << "  " << core::sanitize_file_name(hit.name) << " | "
                << core::format_bytes(hit.size) << " | " << publishers_text(hit.seeders) << '\n';
    }
  }
  if (global.json) {
    print_json({{"type", "summary"}, {"shown", shown}, {"offset", offset}, {"origin", "DHT"}});
  } else if (shown > 0) {
    std::cout << shown << (shown == 1 ? " result" : " results") << " from the DHT\n";
  }
  if (shown == 0) {
    std::cerr << "swarmshare-cli: no results for \"" << text << "\" in the DHT\n";
    return kExitNotFound;
  }
  return kExitOk;
}

} // namespace swarmshare::cli
