#pragma once
// Options that come before the command (`swarmshare-cli --tracker HOST:PORT search ...`) and
// apply to every command that needs them: where our files are, which tracker to use, how
// to print. Network options of later commands are accepted and stored already, so scripts
// written against the full option set do not break on this build.

#include "swarmshare/client/session.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/tracker/tracker_address.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::cli {

/// The --tracker value that means "no tracker".
inline constexpr std::string_view kNoTracker = "none";

struct GlobalOptions {
  /// Data directory: identity, databases. Default: $SWARMSHARE_HOME, else the platform's.
  std::optional<std::filesystem::path> home;
  /// HOST:PORT, PEERID@HOST:PORT or "none" (checked when parsed).
  std::optional<std::string> tracker;
  /// One JSON object per output line instead of text.
  bool json = false;

  // The peer side (share, get, serve).
  std::optional<std::uint16_t> listen_port;
  /// The address the peer server binds (default 0.0.0.0); tests bind 127.0.0.1.
  std::optional<std::string> listen_address;
  std::optional<std::string> up_limit;   ///< as given; checked when parsed (parse_rate)
  std::optional<std::string> down_limit; ///< as given; checked when parsed (parse_rate)
  /// Each peer's own upload limit; as given, checked when parsed (parse_rate).
  std::optional<std::string> peer_up_limit;
  bool no_dht = false;
  bool no_lan = false;
  /// Interfaces LAN discovery uses (hidden; tests name "lo" inside their own network
  /// namespace). Empty: every multicast-capable interface.
  std::vector<std::string> lan_interfaces;
  std::optional<std::uint16_t> dht_port;
  std::vector<std::string> bootstrap; ///< HOST:PORT, repeatable

  void add_to(CLI::App& app);

  /// --home, else the default data directory. Errors: no home directory to derive it from.
  [[nodiscard]] core::Result<std::filesystem::path> data_dir() const;
  /// The tracker to use; empty for `--tracker none` or no --tracker at all (there is no
  /// configured default yet).
  [[nodiscard]] std::optional<tracker::TrackerAddress> tracker_address() const;
  /// Whether --tracker was given at all (`none` included): a share link's tracker is used
  /// only when it was not.
  [[nodiscard]] bool tracker_given() const noexcept { return tracker.has_value(); }
  /// Neither --no-dht nor SWARMSHARE_NO_DHT: commands run a DHT node.
  [[nodiscard]] bool dht_wanted() const;
  /// The engine's options from these: home, tracker, listen address and port, and the limits
  /// given (they win over the saved settings for this run only).
  /// Errors: no home directory to derive the data directory from.
  [[nodiscard]] core::Result<client::SessionOptions> session_options() const;
};

/// A rate in bytes per second: a whole number with an optional K, M or G (powers of 1024,
/// either case, optionally followed by "B", "iB" and "/s"). "0" means no limit. Empty on
/// anything else or on overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_rate(std::string_view text);

struct HostPort {
  std::string host; ///< a name or an address (IPv6 without its brackets)
  std::uint16_t port = 0;
};

/// "HOST:PORT" or "[IPv6]:PORT", port 1-65535; empty otherwise.
[[nodiscard]] std::optional<HostPort> split_host_port(std::string_view text);

/// The addresses of "HOST:PORT" (a name is looked up; an address is taken as it is).
/// Errors: core::Errc::invalid_endpoint for text that is not HOST:PORT, the resolver's.
[[nodiscard]] core::Result<std::vector<core::Endpoint>> resolve_host_port(std::string_view text);

/// The peer server's bind address: an IPv4 or IPv6 address without a port.
[[nodiscard]] core::Result<core::Endpoint> parse_listen_address(std::string_view text);

} // namespace swarmshare::cli
