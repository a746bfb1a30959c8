#pragma once
// The network part of Settings: which tracker, whether this computer runs one for its LAN
// group, the DHT and its bootstrap nodes, LAN discovery and the ports. The engine takes
// these when it starts, so the client saves them (in its own settings file in the home
// directory) and a change takes effect at the next start. The command line wins over them
// for one run and changes nothing saved.
#include "global_options.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/dht/udp_transport.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::gui {

/// The port the embedded tracker listens on by default: the tracker's own default.
inline constexpr std::uint16_t kDefaultTrackerPort = 7070;

struct NetworkSettings {
  /// HOST:PORT or PEERID@HOST:PORT; empty: none configured.
  std::string tracker;
  /// Run a tracker on this computer, for a LAN group, and use it when no tracker is
  /// configured. On for a fresh home with no tracker configured.
  bool run_tracker = true;
  /// Where the embedded tracker listens: every interface, this port.
  std::uint16_t tracker_port = kDefaultTrackerPort;
  bool dht = true;
  /// HOST:PORT entries, separated by commas, spaces or new lines.
  std::string bootstrap;
  bool lan = true;
  /// The peer server's port; 0: any free port.
  std::uint16_t peer_port = 0;
  std::uint16_t dht_port = dht::kDefaultDhtPort;

  [[nodiscard]] bool operator==(const NetworkSettings&) const = default;
};

/// The bootstrap entries of `text`, in order, without empties.
[[nodiscard]] std::vector<std::string> split_bootstrap(std::string_view text);

/// Why `settings` cannot be saved, in words for the Settings tab ("Tracker: ..."); empty when
/// it can.
[[nodiscard]] std::string validation_error(const NetworkSettings& settings);

/// What this run does about the embedded tracker.
struct EmbeddedTrackerPlan {
  bool run = false;
  std::uint16_t port = kDefaultTrackerPort;
};

/// Fills what the command line left unsaid from the saved settings (the command line wins:
/// `--tracker`, `--no-dht`, `--no-lan`, `--dht-port`, `--bootstrap`, `--listen`), and says
/// whether to run the embedded tracker: only with no `--tracker` and no tracker configured,
/// when the setting is on. The session then uses it (use_local_tracker).
[[nodiscard]] EmbeddedTrackerPlan apply_network_settings(const NetworkSettings& saved,
                                                         cli::GlobalOptions& options);

/// Points `options` at the tracker that listens on `port` of this computer: ours, pinned to
/// its Peer ID (text form), or, when another program on this computer holds the port
/// (a second copy of the client), that one, unpinned (empty `tracker_peer_id`).
void use_local_tracker(cli::GlobalOptions& options, std::uint16_t port,
                       std::string_view tracker_peer_id);

} // namespace swarmshare::gui
