#pragma once
// What a DHT node needs from the world, injected: a way to send datagrams and a way to be
// called back later. The node's logic never touches a socket or a real clock, so the same
// code runs on UDP (udp_transport.hpp) and inside a simulated network of thousands of
// nodes on a virtual clock (tests and bench/), as libtorrent and OpenDHT test theirs.
//
// Threads: a node and its transport and scheduler live on one thread (the network
// thread, or the simulation's loop); nothing here is thread-safe.

#include "swarmshare/core/endpoint.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>

namespace swarmshare::dht {

/// Sends datagrams. Delivery is never promised (UDP): a lost datagram is a timeout.
class Transport {
public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  Transport(Transport&&) = delete;
  Transport& operator=(Transport&&) = delete;
  virtual ~Transport() = default;

  /// Queues one datagram for `to`. A datagram that cannot be sent is dropped silently
  /// (the requester's timeout handles it), like one lost on the way.
  virtual void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) = 0;
};

/// Receives the datagrams a transport delivers: the node implements it.
class DatagramSink {
public:
  DatagramSink() = default;
  DatagramSink(const DatagramSink&) = delete;
  DatagramSink& operator=(const DatagramSink&) = delete;
  DatagramSink(DatagramSink&&) = delete;
  DatagramSink& operator=(DatagramSink&&) = delete;
  virtual ~DatagramSink() = default;

  /// One datagram as it arrived, from `from` (its source address and port). Any bytes:
  /// the sink checks size and shape before it trusts anything.
  virtual void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) = 0;
};

/// Timers on the node's thread, on whatever clock drives it (steady time or virtual time).
class Scheduler {
public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;
  /// Identifies a scheduled call; 0 is never used.
  enum class TimerId : std::uint64_t {};

  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  Scheduler(Scheduler&&) = delete;
  Scheduler& operator=(Scheduler&&) = delete;
  virtual ~Scheduler() = default;

  [[nodiscard]] virtual TimePoint now() const noexcept = 0;
  /// Calls `callback` once, `delay` from now (on the node's thread, never from inside this
  /// call).
  [[nodiscard]] virtual TimerId after(Duration delay, std::function<void()> callback) = 0;
  /// The call will not happen; an id already called or cancelled is ignored.
  virtual void cancel(TimerId id) noexcept = 0;
};

} // namespace swarmshare::dht
