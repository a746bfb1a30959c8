#pragma once
// A simulated network for tests and benchmarks: thousands of DHT nodes in one thread, on
// one virtual clock, with latency and loss, run deterministically from a seed.
//
// Every node gets a fake endpoint, a Transport and a Scheduler owned by the network. A
// datagram is delivered to the destination's sink one-way-latency later: half a round trip
// drawn once per pair of nodes (uniform in [min_round_trip, max_round_trip], the same both
// ways and for the whole run), unless it is lost (each with probability `loss`). Events
// (deliveries and timers) run in (time, order of scheduling) order, and all randomness
// comes from the Random given, so the same seed gives the same run.
//
// Nothing here is thread-safe; sinks and timer callbacks run inside run_*() and may send,
// schedule, cancel, add nodes and kill or revive nodes, but not call run_*() themselves.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/dht/transport.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace swarmshare::dht {

/// The port every automatically addressed simulated node uses (kDefaultDhtPort's value).
inline constexpr std::uint16_t kSimNodePort = 7071;

struct SimOptions {
  Scheduler::Duration min_round_trip = std::chrono::milliseconds{20};
  Scheduler::Duration max_round_trip = std::chrono::milliseconds{80};
  /// The share of datagrams lost, from 0 to 1 (kept to a millionth).
  double loss = 0.01;
  /// What the clock view's system_now() says at the start (2026-01-01T00:00:00Z by
  /// default), so records signed "now" in the simulation have plausible times.
  std::chrono::system_clock::time_point wall_start{std::chrono::seconds{1'767'225'600}};
};

/// Counters since construction.
struct SimStats {
  std::uint64_t datagrams_sent = 0; ///< by live nodes, whatever became of them
  std::uint64_t bytes_sent = 0;
  std::uint64_t datagrams_delivered = 0; ///< reached a live node's sink
  std::uint64_t bytes_delivered = 0;
  std::uint64_t datagrams_lost = 0; ///< dropped at random on the way
  std::uint64_t bytes_lost = 0;
  std::uint64_t datagrams_undeliverable = 0; ///< to an unknown or killed endpoint
  std::uint64_t timers_fired = 0;
  std::uint64_t events = 0; ///< deliveries and timers taken off the queue
};

class SimNetwork;

/// One node's place in the network: its endpoint and the Transport and Scheduler it uses.
/// A small handle; the objects it names live as long as the network.
class SimEndpoint {
public:
  [[nodiscard]] const core::Endpoint& endpoint() const noexcept { return endpoint_; }
  [[nodiscard]] Transport& transport() const noexcept { return *transport_; }
  [[nodiscard]] Scheduler& scheduler() const noexcept { return *scheduler_; }
  /// 0, 1, 2... in the order nodes were added.
  [[nodiscard]] std::uint32_t index() const noexcept { return index_; }

private:
  friend class SimNetwork;
  SimEndpoint(core::Endpoint endpoint, Transport& transport, Scheduler& scheduler,
              std::uint32_t index) noexcept
      : endpoint_(endpoint), transport_(&transport), scheduler_(&scheduler), index_(index) {}

  core::Endpoint endpoint_;
  Transport* transport_;
  Scheduler* scheduler_;
  std::uint32_t index_;
};

class SimNetwork {
public:
  using TimePoint = Scheduler::TimePoint;
  using Duration = Scheduler::Duration;

  /// `random` must outlive the network; it decides loss and the per-pair latencies.
  explicit SimNetwork(core::Random& random, SimOptions options = {});
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;
  SimNetwork(SimNetwork&&) = delete;
  SimNetwork& operator=(SimNetwork&&) = delete;
  ~SimNetwork();

  /// A new node with a fresh public IPv4 address (11.0.0.1, 11.0.1.1, 11.0.2.1...: one
  /// node per /24, so the routing table's per-subnet limit never decides a test) and port
  /// kSimNodePort. `sink` must outlive the network, or be killed before it goes.
  [[nodiscard]] SimEndpoint add_node(DatagramSink& sink);
  /// The same at a chosen endpoint (to put nodes in one subnet, or on IPv6).
  /// std::errc::address_in_use if taken, core::Errc::invalid_endpoint for port 0.
  [[nodiscard]] core::Result<SimEndpoint> add_node(DatagramSink& sink,
                                                   const core::Endpoint& endpoint);

  /// The node receives nothing more (datagrams on the way to it vanish), its timers never
  /// fire and what it sends goes nowhere. False for an unknown endpoint.
  bool kill(const core::Endpoint& endpoint) noexcept;
  /// The node is back, as if restarted: it receives again; timers set before are gone.
  bool revive(const core::Endpoint& endpoint) noexcept;
  [[nodiscard]] bool is_alive(const core::Endpoint& endpoint) const noexcept;
  [[nodiscard]] std::size_t node_count() const noexcept;

  /// The fixed one-way latency between two nodes (half their round trip); zero if either
  /// is unknown.
  [[nodiscard]] Duration one_way_latency(const core::Endpoint& a,
                                         const core::Endpoint& b) const noexcept;

  /// The virtual clock: starts one hour after the steady clock's epoch (so code that uses
  /// TimePoint{} as "never" works), moves only inside run_*().
  [[nodiscard]] TimePoint now() const noexcept;
  /// The virtual time as a core::Clock, for the routing table and record expiry:
  /// steady_now() is now(), system_now() is wall_start plus the virtual time elapsed.
  [[nodiscard]] const core::Clock& clock() const noexcept;

  /// Runs every event due at or before `until`, then sets the clock to `until` (if later).
  void run_until(TimePoint until);
  void run_for(Duration duration);
  /// Runs events until none are left or `max_events` have run; true when none are left.
  /// The clock stops at the last event's time.
  bool run_until_idle(std::uint64_t max_events);
  /// Events waiting (cancelled timers included until their time).
  [[nodiscard]] std::size_t pending_events() const noexcept;

  [[nodiscard]] SimStats stats() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace swarmshare::dht
