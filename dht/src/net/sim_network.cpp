#include "swarmshare/dht/sim_network.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>
#include <vector>

namespace swarmshare::dht {
namespace {

using TimePoint = Scheduler::TimePoint;
using Duration = Scheduler::Duration;

constexpr std::uint64_t kMillion = 1'000'000;
/// Datagram buffers kept for reuse: enough for the datagrams in flight in a large run, so
/// steady state allocates nothing per datagram.
constexpr std::size_t kMaxSpareBuffers = 1U << 16U;

/// SplitMix64's finalizer: a good 64-bit mix, for the per-pair latencies and the hash.
constexpr std::uint64_t mix(std::uint64_t value) noexcept {
  value = (value ^ (value >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27U)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31U);
}

struct EndpointHash {
  std::size_t operator()(const core::Endpoint& endpoint) const noexcept {
    std::uint64_t hash = endpoint.port();
    for (const auto byte : endpoint.mapped_address()) {
      hash = (hash << 8U) ^ (hash >> 56U) ^ byte;
    }
    return static_cast<std::size_t>(mix(hash));
  }
};

/// Node n's automatic address: 11.0.0.1, 11.0.1.1... one per /24, all public-looking (11/8
/// to 99/8 hold no private, loopback or link-local range).
core::Endpoint auto_address(std::uint64_t n) {
  const auto octet = [](std::uint64_t value) { return static_cast<std::uint8_t>(value & 0xFFU); };
  return core::Endpoint::ipv4({octet(11 + (n >> 16U)), octet(n >> 8U), octet(n), 1}, kSimNodePort);
}

enum class Kind : std::uint8_t { free, delivery, timer };

/// An event's payload, in a slab reused through a free list; the heap holds only indices.
struct Body {
  Kind kind = Kind::free;
  std::uint32_t node = 0;       // delivery: destination; timer: owner
  std::uint32_t aux = 0;        // delivery: sender; timer: owner's epoch when scheduled
  std::uint32_t generation = 0; // bumped on reuse, so a stale TimerId cancels nothing
  std::vector<std::uint8_t> bytes;
  std::function<void()> callback; // empty: a cancelled timer
};

struct Entry {
  TimePoint when;
  std::uint64_t sequence; // ties at one instant run in the order scheduled
  std::uint32_t slot;
};

struct Later {
  bool operator()(const Entry& a, const Entry& b) const noexcept {
    return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
  }
};

} // namespace

struct SimNetwork::Impl {
  struct NodeTransport final : Transport {
    NodeTransport(Impl& net_in, std::uint32_t index_in) : net(net_in), index(index_in) {}
    void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) override {
      net.send(index, to, datagram);
    }
    Impl& net;
    std::uint32_t index;
  };

  struct NodeScheduler final : Scheduler {
    NodeScheduler(Impl& net_in, std::uint32_t index_in) : net(net_in), index(index_in) {}
    [[nodiscard]] TimePoint now() const noexcept override { return net.now; }
    [[nodiscard]] TimerId after(Duration delay, std::function<void()> callback) override {
      return net.schedule(index, delay, std::move(callback));
    }
    void cancel(TimerId id) noexcept override { net.cancel(index, id); }
    Impl& net;
    std::uint32_t index;
  };

  struct Node {
    Node(Impl& net, std::uint32_t index, const core::Endpoint& endpoint_in, DatagramSink& sink_in)
        : endpoint(endpoint_in), sink(&sink_in), transport(net, index), scheduler(net, index) {}
    core::Endpoint endpoint;
    DatagramSink* sink;
    bool alive = true;
    std::uint32_t epoch = 0; // bumped by kill and revive: older timers never fire
    NodeTransport transport;
    NodeScheduler scheduler;
  };

  struct VirtualClock final : core::Clock {
    explicit VirtualClock(const Impl& net_in) : net(net_in) {}
    [[nodiscard]] TimePoint steady_now() const noexcept override { return net.now; }
    [[nodiscard]] std::chrono::system_clock::time_point system_now() const noexcept override {
      return net.options.wall_start +
             std::chrono::duration_cast<std::chrono::system_clock::duration>(net.now - kStart);
    }
    const Impl& net;
  };

  static constexpr TimePoint kStart{std::chrono::hours{1}};

  Impl(core::Random& random_in, SimOptions options_in)
      : random(random_in), options(options_in),
        latency_seed(random_in.below(std::numeric_limits<std::uint64_t>::max())), clock(*this) {
    // Written so that NaN counts as no loss.
    const double loss = options.loss > 0 ? std::min(options.loss, 1.0) : 0.0;
    loss_per_million = static_cast<std::uint64_t>(std::llround(loss * kMillion));
    options.min_round_trip = std::max(options.min_round_trip, Duration::zero());
    options.max_round_trip = std::max(options.max_round_trip, options.min_round_trip);
  }

  // ---- Nodes ----

  SimEndpoint add(DatagramSink& sink, const core::Endpoint& endpoint) {
    const auto index = static_cast<std::uint32_t>(nodes.size());
    nodes.push_back(std::make_unique<Node>(*this, index, endpoint, sink));
    by_endpoint.emplace(endpoint, index);
    return {endpoint, nodes.back()->transport, nodes.back()->scheduler, index};
  }

  [[nodiscard]] Node* find(const core::Endpoint& endpoint) const noexcept {
    const auto found = by_endpoint.find(endpoint);
    return found == by_endpoint.end() ? nullptr : nodes[found->second].get();
  }

  [[nodiscard]] Duration latency(std::uint32_t a, std::uint32_t b) const noexcept {
    const std::uint64_t low = std::min(a, b);
    const std::uint64_t high = std::max(a, b);
    const auto spread =
        static_cast<std::uint64_t>((options.max_round_trip - options.min_round_trip).count());
    const auto draw = mix(latency_seed ^ mix((low << 32U) | high)) % (spread + 1);
    return (options.min_round_trip + Duration{static_cast<Duration::rep>(draw)}) / 2;
  }

  // ---- Events ----

  std::uint32_t acquire(Kind kind, std::uint32_t node, std::uint32_t aux) {
    std::uint32_t slot = 0;
    if (free_slots.empty()) {
      slot = static_cast<std::uint32_t>(bodies.size());
      bodies.emplace_back();
    } else {
      slot = free_slots.back();
      free_slots.pop_back();
    }
    auto& body = bodies[slot];
    body.kind = kind;
    body.node = node;
    body.aux = aux;
    ++body.generation;
    return slot;
  }

  void release(std::uint32_t slot) {
    auto& body = bodies[slot];
    body.kind = Kind::free;
    body.callback = nullptr;
    free_slots.push_back(slot);
  }

  void push(TimePoint when, std::uint32_t slot) {
    heap.push_back(Entry{when, next_sequence++, slot});
    std::push_heap(heap.begin(), heap.end(), Later{});
  }

  void send(std::uint32_t from, const core::Endpoint& to, std::span<const std::uint8_t> datagram) {
    if (!nodes[from]->alive) {
      return; // a dead node's code should not run; if a test calls it, nothing leaves
    }
    ++stats.datagrams_sent;
    stats.bytes_sent += datagram.size();
    const auto found = by_endpoint.find(to);
    if (found == by_endpoint.end() || !nodes[found->second]->alive) {
      ++stats.datagrams_undeliverable;
      return;
    }
    if (loss_per_million != 0 && random.below(kMillion) < loss_per_million) {
      ++stats.datagrams_lost;
      stats.bytes_lost += datagram.size();
      return;
    }
    const auto slot = acquire(Kind::delivery, found->second, from);
    auto& bytes = bodies[slot].bytes;
    if (bytes.capacity() == 0 && !spare_buffers.empty()) {
      bytes = std::move(spare_buffers.back());
      spare_buffers.pop_back();
    }
    bytes.assign(datagram.begin(), datagram.end());
    push(now + latency(from, found->second), slot);
  }

  Scheduler::TimerId schedule(std::uint32_t node, Duration delay, std::function<void()> callback) {
    const auto slot = acquire(Kind::timer, node, nodes[node]->epoch);
    bodies[slot].callback = std::move(callback);
    push(now + std::max(delay, Duration::zero()), slot);
    return Scheduler::TimerId{(std::uint64_t{bodies[slot].generation} << 32U) | (slot + 1ULL)};
  }

  void cancel(std::uint32_t node, Scheduler::TimerId id) noexcept {
    const auto raw = static_cast<std::uint64_t>(id);
    const auto low = raw & 0xFFFF'FFFFULL;
    if (low == 0 || low > bodies.size()) {
      return;
    }
    auto& body = bodies[low - 1];
    // Only the owner's live timer: a stale id names a reused slot of another generation.
    if (body.kind == Kind::timer && body.node == node && body.generation == (raw >> 32U)) {
      body.callback = nullptr; // the entry stays in the heap and is skipped when due
    }
  }

  void run_one() {
    const Entry entry = heap.front();
    std::pop_heap(heap.begin(), heap.end(), Later{});
    heap.pop_back();
    now = std::max(now, entry.when);
    ++stats.events;
    auto& body = bodies[entry.slot];
    Node& node = *nodes[body.node];
    if (body.kind == Kind::delivery) {
      if (!node.alive) {
        ++stats.datagrams_undeliverable;
        release(entry.slot);
        return;
      }
      // Out of the slab before the call: the sink may send, which may grow the slab.
      auto bytes = std::move(body.bytes);
      const auto from = nodes[body.aux]->endpoint;
      release(entry.slot);
      ++stats.datagrams_delivered;
      stats.bytes_delivered += bytes.size();
      node.sink->on_datagram(from, bytes);
      if (spare_buffers.size() < kMaxSpareBuffers) {
        spare_buffers.push_back(std::move(bytes));
      }
      return;
    }
    if (!body.callback || !node.alive || body.aux != node.epoch) {
      release(entry.slot);
      return;
    }
    auto callback = std::move(body.callback);
    release(entry.slot);
    ++stats.timers_fired;
    callback();
  }

  core::Random& random;
  SimOptions options;
  std::uint64_t latency_seed;
  std::uint64_t loss_per_million = 0;
  VirtualClock clock;
  TimePoint now = kStart;
  std::vector<std::unique_ptr<Node>> nodes;
  std::unordered_map<core::Endpoint, std::uint32_t, EndpointHash> by_endpoint;
  std::uint64_t next_auto_address = 0;
  std::vector<Entry> heap;
  std::vector<Body> bodies;
  std::vector<std::uint32_t> free_slots;
  std::vector<std::vector<std::uint8_t>> spare_buffers;
  std::uint64_t next_sequence = 0;
  SimStats stats;
};

SimNetwork::SimNetwork(core::Random& random, SimOptions options)
    : impl_(std::make_unique<Impl>(random, options)) {}

SimNetwork::~SimNetwork() = default;

SimEndpoint SimNetwork::add_node(DatagramSink& sink) {
  auto endpoint = auto_address(impl_->next_auto_address++);
  while (impl_->find(endpoint) != nullptr) { // taken by an explicit add_node
    endpoint = auto_address(impl_->next_auto_address++);
  }
  return impl_->add(sink, endpoint);
}

core::Result<SimEndpoint> SimNetwork::add_node(DatagramSink& sink, const core::Endpoint& endpoint) {
  if (endpoint.port() == 0) {
    return core::make_error_code(core::Errc::invalid_endpoint);
  }
  if (impl_->find(endpoint) != nullptr) {
    return std::make_error_code(std::errc::address_in_use);
  }
  return impl_->add(sink, endpoint);
}

bool SimNetwork::kill(const core::Endpoint& endpoint) noexcept {
  auto* node = impl_->find(endpoint);
  if (node == nullptr) {
    return false;
  }
  node->alive = false;
  ++node->epoch;
  return true;
}

bool SimNetwork::revive(const core::Endpoint& endpoint) noexcept {
  auto* node = impl_->find(endpoint);
  if (node == nullptr) {
    return false;
  }
  node->alive = true;
  ++node->epoch; // timers set while dead (by a test) do not fire either
  return true;
}

bool SimNetwork::is_alive(const core::Endpoint& endpoint) const noexcept {
  const auto* node = impl_->find(endpoint);
  return node != nullptr && node->alive;
}

std::size_t SimNetwork::node_count() const noexcept { return impl_->nodes.size(); }

SimNetwork::Duration SimNetwork::one_way_latency(const core::Endpoint& a,
                                                 const core::Endpoint& b) const noexcept {
  const auto found_a = impl_->by_endpoint.find(a);
  const auto found_b = impl_->by_endpoint.find(b);
  if (found_a == impl_->by_endpoint.end() || found_b == impl_->by_endpoint.end()) {
    return Duration::zero();
  }
  return impl_->latency(found_a->second, found_b->second);
}

SimNetwork::TimePoint SimNetwork::now() const noexcept { return impl_->now; }

const core::Clock& SimNetwork::clock() const noexcept { return impl_->clock; }

void SimNetwork::run_until(TimePoint until) {
  while (!impl_->heap.empty() && impl_->heap.front().when <= until) {
    impl_->run_one();
  }
  impl_->now = std::max(impl_->now, until);
}

void SimNetwork::run_for(Duration duration) { run_until(impl_->now + duration); }

bool SimNetwork::run_until_idle(std::uint64_t max_events) {
  for (std::uint64_t count = 0; !impl_->heap.empty(); ++count) {
    if (count == max_events) {
      return false;
    }
    impl_->run_one();
  }
  return true;
}

std::size_t SimNetwork::pending_events() const noexcept { return impl_->heap.size(); }

SimStats SimNetwork::stats() const noexcept { return impl_->stats; }

} // namespace swarmshare::dht
