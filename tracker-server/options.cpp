#include "options.hpp"

#include "swarmshare/core/platform/paths.hpp"

#include <chrono>

namespace swarmshare::tracker_server {

void Options::add_to(CLI::App& app) {
  app.add_option("--listen", listen, "Address and port to accept connections on (port 0: any)")
      ->type_name("ADDR:PORT")
      ->capture_default_str();
  app.add_option("--db", database,
                 "Registry database; the tracker's identity.key is kept beside it "
                 "(default: tracker/tracker.db in $SWARMSHARE_HOME or the per-user data "
                 "directory)")
      ->type_name("FILE");
  app.add_option("--log-level", log_level, "Log detail on stderr")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "off"}))
      ->capture_default_str();
  app.add_option("--admin", admins,
                 "Peer ID allowed to delete File IDs and ban Peer IDs over the network "
                 "(repeatable)")
      ->type_name("PEER_ID");
  app.add_option("--threads", threads, "Connection threads (0: one per CPU but one, at least one)")
      ->capture_default_str();

  auto* limits_group = app.add_option_group("Limits");
  limits_group->add_option("--max-connections", limits.max_connections, "Open connections in total")
      ->capture_default_str();
  limits_group
      ->add_option("--max-connections-per-address", limits.max_connections_per_address,
                   "Open connections from one IP address")
      ->capture_default_str();
  limits_group
      ->add_option("--requests-per-second", limits.requests_per_second,
                   "Sustained requests per second on one connection (bursts of twice that)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  limits_group
      ->add_option("--max-in-flight", limits.max_in_flight,
                   "Requests of one connection awaiting replies before it is read no further")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  limits_group->add_option("--max-frame-bytes", limits.max_frame_bytes, "Largest request frame")
      ->check(
          CLI::Range(std::uint32_t{1024}, tracker::protocol::server_frame_limits().max_frame_bytes))
      ->capture_default_str();
  limits_group
      ->add_option("--max-manifest-bytes", limits.max_manifest_bytes,
                   "Largest manifest an announce may carry")
      ->check(CLI::Range(std::size_t{64}, tracker::protocol::kMaxManifestBytes))
      ->capture_default_str();
  limits_group
      ->add_option("--max-peers-per-reply", limits.max_peers_per_reply,
                   "Peers in one get_peers reply")
      ->check(CLI::Range(std::uint32_t{1}, tracker::protocol::kMaxPeersPerReply))
      ->capture_default_str();
  limits_group
      ->add_option("--max-search-results", limits.max_search_results, "Hits in one search page")
      ->check(CLI::Range(std::uint32_t{1}, tracker::protocol::kMaxSearchResultsPerPage))
      ->capture_default_str();
  limits_group
      ->add_option("--handshake-timeout", handshake_timeout_seconds,
                   "Seconds a client has to complete the secure handshake")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  limits_group
      ->add_option("--idle-timeout", idle_timeout_seconds,
                   "Seconds of silence after which a connection is closed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* registry_group = app.add_option_group("Registry");
  registry_group->add_option("--ttl", ttl_seconds, "Seconds a peer entry lives without a refresh")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{7} * 24 * 3600))
      ->capture_default_str();
  registry_group
      ->add_option("--page-cache-kib", store.page_cache_kib,
                   "SQLite page cache of each database connection (writer, reader), in KiB")
      ->check(CLI::Range(std::size_t{64}, std::size_t{16} * 1024 * 1024))
      ->capture_default_str();

  // Before the subcommands exist, so they inherit it: `ban-peer ID --db FILE` works too.
  app.fallthrough();
  delete_file = app.add_subcommand(
      "delete-file", "Forget a File ID and refuse it from now on (works while the tracker runs)");
  delete_file->add_option("FILE_ID", delete_file_id, "The full File ID (64 hex digits)")
      ->required();
  ban_peer = app.add_subcommand(
      "ban-peer",
      "Refuse a Peer ID from now on and drop its entries (works while the tracker runs)");
  ban_peer->add_option("PEER_ID", ban_peer_id, "The full Peer ID (52 characters)")->required();
  app.require_subcommand(0, 1);
}

core::Result<std::filesystem::path> Options::database_path() const {
  if (database) {
    return *database;
  }
  auto data_dir = core::platform::default_data_dir();
  if (!data_dir) {
    return data_dir.error();
  }
  return data_dir.value() / "tracker" / std::string{kDefaultDatabaseName};
}

core::Result<core::Endpoint> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.substr(colon + 1) == "0") {
    // Parse with a placeholder port, then put the 0 back.
    auto parsed = core::Endpoint::parse(std::string{text.substr(0, colon)} + ":1");
    if (!parsed) {
      return parsed.error();
    }
    return parsed.value().with_port(0);
  }
  return core::Endpoint::parse(text);
}

} // namespace swarmshare::tracker_server
