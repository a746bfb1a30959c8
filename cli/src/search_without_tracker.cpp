#include "search_without_tracker.hpp"

#include "exit_codes.hpp"
#include "session_runner.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/units.hpp"

#include <chrono>
#include <iostream>
#include <optional>

namespace swarmshare::cli {
namespace {

/// How long a fresh node may take to hear from a first node before the search gives up:
/// bootstrap pings are sent again every 2 seconds (dht::Node), so a few rounds.
constexpr std::chrono::seconds kJoinWait{10};

/// Once the first registry is ready, LAN peers still being heard get this long: a
/// newcomer's announcement is answered at once, so a second is plenty.
constexpr std::chrono::milliseconds kLanSettle{1'000};

std::string where_text(const core::SearchHit& hit) {
  const std::string count = std::to_string(hit.seeders);
  if (hit.origin == core::SourceOrigin::lan) {
    return count + (hit.seeders == 1 ? " LAN peer" : " LAN peers");
  }
  return count + (hit.seeders == 1 ? " publisher" : " publishers") + " in the DHT";
}

// Waits until a registry can answer: the DHT's routing table holds a node, or a LAN peer
// was heard (the statistics tick says so every second); then, with the LAN on, a moment
// for the other LAN peers. False when neither happened in time.
bool wait_until_ready(SessionRunner& runner, bool lan_on) {
  const auto deadline = std::chrono::steady_clock::now() + kJoinWait;
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline && !runner.interrupted()) {
    for (const auto& event : runner.wait_events(std::chrono::milliseconds{200})) {
      if (const auto* tick = std::get_if<client::StatisticsTick>(&event);
          tick != nullptr && (tick->dht_nodes > 0 || tick->lan_peers > 0)) {
        ready = true;
      }
    }
  }
  if (ready && lan_on) {
    const auto settled = std::chrono::steady_clock::now() + kLanSettle;
    while (std::chrono::steady_clock::now() < settled && !runner.interrupted()) {
      (void)runner.wait_events(std::chrono::milliseconds{100});
    }
  }
  return ready;
}

// The session for a one-shot search or listing: no tracker, nothing served, the DHT on a
// free port (not the well-known one a client beside it may hold).
std::optional<client::SessionOptions> one_shot_options(const GlobalOptions& global) {
  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return std::nullopt;
  }
  options.value().tracker.reset();
  options.value().serve_library = false;
  if (options.value().dht) {
    options.value().dht->bind = options.value().dht->bind.with_port(0);
  }
  return std::move(options).value();
}

} // namespace

int search_without_tracker(const GlobalOptions& global, const std::string& text,
                           std::uint32_t limit, std::uint32_t offset) {
  auto options = one_shot_options(global);
  if (!options) {
    return kExitFailure;
  }
  if (!options->dht && !options->lan) {
    std::cerr << "swarmshare-cli: no tracker configured, and neither the DHT nor LAN discovery "
                 "is on: pass --tracker HOST:PORT, or leave out --no-dht / --no-lan\n";
    return kExitFailure;
  }
  const bool lan_on = options->lan.has_value();
  SessionRunner runner(global);
  runner.set_quiet(true);
  if (const auto failed = runner.open(std::move(*options))) {
    return *failed;
  }
  if (!wait_until_ready(runner, lan_on)) {
    std::cerr << "swarmshare-cli: no DHT node and no LAN peer answered within " << kJoinWait.count()
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
    std::cerr << "swarmshare-cli: search: " << found->error().message() << '\n';
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
                << core::format_bytes(hit.size) << " | " << where_text(hit) << '\n';
    }
  }
  if (global.json) {
    print_json({{"type", "summary"}, {"shown", shown}, {"offset", offset}});
  } else if (shown > 0) {
    std::cout << shown << (shown == 1 ? " result" : " results") << " without a tracker\n";
  }
  if (shown == 0) {
    std::cerr << "swarmshare-cli: no results for \"" << text << "\" in the DHT or on the LAN\n";
    return kExitNotFound;
  }
  return kExitOk;
}

int list_lan(const GlobalOptions& global) {
  auto options = one_shot_options(global);
  if (!options) {
    return kExitFailure;
  }
  if (!options->lan) {
    std::cerr << "swarmshare-cli: LAN discovery is off (--no-lan or SWARMSHARE_NO_LAN=1)\n";
    return kExitFailure;
  }
  options->dht.reset(); // the LAN alone
  SessionRunner runner(global);
  runner.set_quiet(true);
  if (const auto failed = runner.open(std::move(*options))) {
    return *failed;
  }
  (void)wait_until_ready(runner, true);
  const auto listings = runner.await(runner.session().lan_catalogues());
  runner.shutdown();
  if (!listings) {
    return kExitInterrupted;
  }
  for (const auto& listing : *listings) {
    const auto peer = listing.peer.to_short_string();
    const auto where = listing.endpoint.to_string();
    if (global.json) {
      print_json({{"type", "peer"},
                  {"peer", peer},
                  {"endpoint", where},
                  {"error", listing.error ? listing.error.message() : std::string{}},
                  {"files", listing.files.size()}});
    } else if (listing.error) {
      std::cout << "peer " << peer << " at " << where << ": " << listing.error.message() << '\n';
    } else {
      std::cout << "peer " << peer << " at " << where << ": " << listing.files.size()
                << (listing.files.size() == 1 ? " file" : " files") << '\n';
    }
    for (const auto& file : listing.files) {
      if (global.json) {
        print_json({{"type", "file"},
                    {"peer", peer},
                    {"file_id", file.file_id.to_hex()},
                    {"name", file.name},
                    {"size", file.size}});
      } else {
        std::cout << file.file_id.to_hex() << '\n'
                  << "  " << core::sanitize_file_name(file.name) << " | "
                  << core::format_bytes(file.size) << '\n';
      }
    }
  }
  if (listings->empty()) {
    std::cerr << "swarmshare-cli: no LAN peer heard\n";
    return kExitNotFound;
  }
  return kExitOk;
}

} // namespace swarmshare::cli
