#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "search_without_tracker.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/units.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

namespace swarmshare::cli {
namespace {

// "2024-05-01" (UTC), for a unix time in seconds.
std::string utc_date(std::uint64_t unix_seconds) {
  if (unix_seconds == 0) {
    return "unknown";
  }
  const std::chrono::sys_seconds time{std::chrono::seconds{unix_seconds}};
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(time)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

std::string seeders_text(std::uint32_t live_seeders) {
  if (live_seeders == 0) {
    return "no live seeders";
  }
  return std::to_string(live_seeders) + (live_seeders == 1 ? " live seeder" : " live seeders");
}

void print_hit_text(const tracker::protocol::SearchHit& hit) {
  // The File ID alone on its line; everything else is indented so that no other line can be
  // a bare File ID. The name is shown as a download would save it: sanitized, so no control
  // character (a newline, say) or direction override can forge lines of our output.
  std::cout << hit.file_id.to_hex() << '\n'
            << "  " << core::sanitize_file_name(hit.name) << " | " << core::format_bytes(hit.size)
            << " | " << seeders_text(hit.live_seeders) << " | first seen "
            << utc_date(hit.first_seen) << '\n';
}

void print_json(const nlohmann::json& object) {
  // Names are UTF-8 by protocol; a broken one must still not abort the output.
  std::cout << object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_hit_json(const tracker::protocol::SearchHit& hit) {
  print_json({{"type", "hit"},
              {"file_id", hit.file_id.to_hex()},
              {"name", hit.name},
              {"size", hit.size},
              {"live_seeders", hit.live_seeders},
              {"first_seen", hit.first_seen}});
}

// The tracker's total is exact on the last page only (docs/PROTOCOL.md 4.3): before it, it
// says just that more follow, so the summary says that rather than a count.
std::string summary_text(std::size_t shown, std::uint64_t total, std::uint32_t offset) {
  const std::uint64_t through = std::uint64_t{offset} + shown;
  std::string text = std::to_string(shown) + (shown == 1 ? " result" : " results");
  if (offset > 0) {
    text += ", from result " + std::to_string(std::uint64_t{offset} + 1);
  }
  if (total > through) {
    text += "; more follow: --offset " + std::to_string(through);
  } else if (offset > 0) {
    text += " (" + std::to_string(total) + " in total)";
  }
  return text;
}

// What went wrong, for the user, and the exit code.
int report_failure(const std::error_code& error, const tracker::Client& client) {
  const std::string where = client.address().host_port();
  if (error == tracker::Errc::tracker_unreachable ||
      error == tracker::Errc::tracker_identity_mismatch) {
    std::cerr << "swarmshare-cli: tracker " << where
              << " unreachable: " << client.health().last_error_text << '\n';
    return kExitFailure;
  }
  if (error == tracker::Errc::tracker_timed_out) {
    std::cerr << "swarmshare-cli: tracker " << where << " did not answer in time\n";
    return kExitFailure;
  }
  if (error == tracker::protocol::ErrorCode::empty_query) {
    std::cerr << "swarmshare-cli: the search text has no word to look for (or use 8 or more "
                 "hex digits of a File ID)\n";
    return kExitUsage;
  }
  std::cerr << "swarmshare-cli: tracker " << where << ": " << error.message() << '\n';
  return kExitFailure;
}

} // namespace

void SearchCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("search", "Search the tracker by name, or by File ID prefix");
  command
      ->add_option("text", words,
                   "Words of the name (all must match), or 8 or more hex digits of a File ID")
      ->required();
  command->add_option("--limit", limit, "Results per page")
      ->check(CLI::Range(std::uint32_t{1}, tracker::protocol::kMaxSearchResultsPerPage));
  command->add_option("--offset", offset, "Results to skip, for the next pages")
      ->check(CLI::Range(std::uint32_t{0}, tracker::protocol::kMaxSearchOffset));
}

int SearchCommand::run(const GlobalOptions& global) const {
  std::string text;
  for (const auto& word : words) {
    text += (text.empty() ? "" : " ") + word;
  }
  if (text.empty() || text.size() > tracker::protocol::kMaxSearchTextBytes ||
      !core::is_valid_utf8(text)) {
    std::cerr << "swarmshare-cli: search text must be 1 to "
              << tracker::protocol::kMaxSearchTextBytes << " bytes of UTF-8\n";
    return kExitUsage;
  }
  const auto address = global.tracker_address();
  if (!address) {
    return search_without_tracker(global, text, limit, offset); // no tracker: the DHT and the LAN
  }
  const auto data_dir = global.data_dir();
  if (!data_dir) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  // The tracker knows us by our Peer ID, so even a search needs our identity.
  auto identity = crypto::load_or_create_identity(data_dir.value());
  if (!identity) {
    std::cerr << "swarmshare-cli: " << crypto::identity_file_path(data_dir.value()).string() << ": "
              << identity.error().message() << '\n';
    return kExitFailure;
  }
  crypto::StaticKeyManager keys(identity.value(), crypto::NetworkId::public_network(),
                                core::real_clock());

  boost::asio::io_context io;
  tracker::Client client(io.get_executor(), crypto::ChannelConfig(keys), *address);
  std::optional<core::Result<tracker::protocol::SearchReply>> reply;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        reply = co_await client.search(text, limit, offset);
        co_await client.close(); // a clean goodbye; then io.run() returns
      },
      boost::asio::detached);
  io.run();
  if (!reply) {
    std::cerr << "swarmshare-cli: the search did not complete\n";
    return kExitFailure;
  }
  if (!*reply) {
    const int failed = report_failure(reply->error(), client);
    if (failed == kExitFailure && global.dht_wanted()) {
      // The tracker is down or silent: the DHT mirrors its listed files, the LAN has its own.
      std::cerr << "swarmshare-cli: searching the DHT and the LAN instead\n";
      return search_without_tracker(global, text, limit, offset);
    }
    return failed;
  }

  const tracker::protocol::SearchReply& results = reply->value();
  for (const auto& hit : results.hits) {
    if (global.json) {
      print_hit_json(hit);
    } else {
      print_hit_text(hit);
    }
  }
  if (global.json) {
    print_json({{"type", "summary"},
                {"shown", results.hits.size()},
                {"total", results.total},
                {"offset", offset},
                {"more", results.total > std::uint64_t{offset} + results.hits.size()}});
  } else if (!results.hits.empty()) {
    std::cout << summary_text(results.hits.size(), results.total, offset) << '\n';
  }
  if (results.hits.empty()) {
    std::cerr << "swarmshare-cli: no results for \"" << text << "\"";
    if (offset > 0) {
      std::cerr << " from result " << std::uint64_t{offset} + 1;
    }
    std::cerr << '\n';
    return kExitNotFound;
  }
  return kExitOk;
}

} // namespace swarmshare::cli
