// UdpTransport and AsioScheduler on real sockets and the steady clock. Sockets bind
// 127.0.0.1 (or ::1) on port 0 only; the timing bounds are safety nets, not goals.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/dht/asio_scheduler.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/udp_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr auto kGenerous = 10s;

core::Endpoint loopback_any_port() { return core::Endpoint::ipv4({127, 0, 0, 1}, 0); }

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

struct Received {
  core::Endpoint from;
  std::vector<std::uint8_t> bytes;
};

struct Recorder final : DatagramSink {
  void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override {
    got.push_back({from, {datagram.begin(), datagram.end()}});
    if (hook) {
      hook();
    }
  }
  std::vector<Received> got;
  std::function<void()> hook;
};

/// Runs `io` until `done()` or the safety net; true if done.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kGenerous;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(10ms);
  }
  return done();
}

std::unique_ptr<UdpTransport> open_or_fail(asio::io_context& io, DatagramSink& sink,
                                           UdpOptions options = {}) {
  auto opened = UdpTransport::open(io.get_executor(), loopback_any_port(), sink, options);
  EXPECT_TRUE(opened) << opened.error().message();
  return opened ? std::move(opened.value()) : nullptr;
}

TEST(UdpTransport, twoTransportsExchangeDatagrams) {
  asio::io_context io;
  Recorder a_sink;
  Recorder b_sink;
  auto a = open_or_fail(io, a_sink);
  auto b = open_or_fail(io, b_sink);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->local_endpoint().port(), 0);
  EXPECT_EQ(a->local_endpoint().to_string().rfind("127.0.0.1:", 0), 0U);
  EXPECT_FALSE(a->fell_back());

  b_sink.hook = [&] { b->send(b_sink.got.back().from, bytes_of("pong")); };
  const auto ping = bytes_of("ping");
  a->send(b->local_endpoint(), ping);
  ASSERT_TRUE(run_until(io, [&] { return !a_sink.got.empty(); }));

  ASSERT_EQ(b_sink.got.size(), 1U);
  EXPECT_EQ(b_sink.got[0].bytes, ping);
  EXPECT_EQ(b_sink.got[0].from, a->local_endpoint()); // IPv4 stays IPv4
  EXPECT_EQ(a_sink.got[0].bytes, bytes_of("pong"));
  EXPECT_EQ(a_sink.got[0].from, b->local_endpoint());
  EXPECT_EQ(a->stats().datagrams_sent, 1U);
  EXPECT_EQ(a->stats().bytes_sent, 4U);
  EXPECT_EQ(b->stats().datagrams_received, 1U);
}

TEST(UdpTransport, oversizedDatagramIsDroppedBeforeTheSink) {
  asio::io_context io;
  Recorder sink;
  auto transport = open_or_fail(io, sink);
  ASSERT_TRUE(transport);
  asio::ip::udp::socket raw(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const asio::ip::udp::endpoint to(asio::ip::address_v4::loopback(),
                                   transport->local_endpoint().port());

  const std::vector<std::uint8_t> too_large(kMaxReceivedDatagramBytes + 1, 0xAB);
  const std::vector<std::uint8_t> largest(kMaxReceivedDatagramBytes, 0xCD);
  const std::vector<std::uint8_t> much_too_large(9000, 0xEF);
  raw.send_to(asio::buffer(too_large), to);
  raw.send_to(asio::buffer(much_too_large), to);
  raw.send_to(asio::buffer(largest), to);
  ASSERT_TRUE(run_until(io, [&] { return !sink.got.empty(); }));

  ASSERT_EQ(sink.got.size(), 1U); // UDP on loopback keeps order
  EXPECT_EQ(sink.got[0].bytes, largest);
  EXPECT_EQ(transport->stats().oversized_dropped, 2U);
  EXPECT_EQ(transport->stats().datagrams_received, 1U);
}

TEST(UdpTransport, takenPortFallsBackWhenAllowed) {
  asio::io_context io;
  Recorder sink;
  auto first = open_or_fail(io, sink);
  ASSERT_TRUE(first);
  const auto taken = first->local_endpoint();

  Recorder second_sink;
  auto second = UdpTransport::open(io.get_executor(), taken, second_sink, UdpOptions{});
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(second.value()->fell_back());
  EXPECT_NE(second.value()->local_endpoint().port(), taken.port());
  EXPECT_NE(second.value()->local_endpoint().port(), 0);

  // Both run: the fallback socket receives.
  first->send(second.value()->local_endpoint(), bytes_of("hello"));
  EXPECT_TRUE(run_until(io, [&] { return !second_sink.got.empty(); }));
}

TEST(UdpTransport, takenPortFailsClearlyWhenFallbackIsOff) {
  asio::io_context io;
  Recorder sink;
  auto first = open_or_fail(io, sink);
  ASSERT_TRUE(first);
  UdpOptions strict;
  strict.fall_back_when_taken = false;
  auto second = UdpTransport::open(io.get_executor(), first->local_endpoint(), sink, strict);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), std::errc::address_in_use);
  EXPECT_FALSE(second.error().message().empty());
}

TEST(UdpTransport, fullSendQueueDropsAndCounts) {
  asio::io_context io;
  Recorder a_sink;
  Recorder b_sink;
  UdpOptions small;
  small.max_queued_sends = 2;
  auto a = open_or_fail(io, a_sink, small);
  auto b = open_or_fail(io, b_sink);
  ASSERT_TRUE(a && b);
  // Nothing completes before io runs: the queue holds the first two.
  for (int i = 0; i < 5; ++i) {
    a->send(b->local_endpoint(), bytes_of("x" + std::to_string(i)));
  }
  EXPECT_EQ(a->stats().queue_full_dropped, 3U);
  ASSERT_TRUE(run_until(io, [&] { return b_sink.got.size() == 2; }));
  EXPECT_EQ(b_sink.got[0].bytes, bytes_of("x0"));
  EXPECT_EQ(b_sink.got[1].bytes, bytes_of("x1"));
}

TEST(UdpTransport, ipv4OnlySocketDropsIpv6Destinations) {
  asio::io_context io;
  Recorder sink;
  auto transport = open_or_fail(io, sink);
  ASSERT_TRUE(transport);
  transport->send(core::Endpoint::parse("[::1]:7071").value(), bytes_of("x"));
  EXPECT_EQ(transport->stats().unsendable_dropped, 1U);
}

TEST(UdpTransport, dualStackSocketTalksToIpv4) {
  asio::io_context io;
  Recorder v6_sink;
  auto v6 = UdpTransport::open(io.get_executor(), core::Endpoint::ipv6({}, 0), v6_sink, {});
  if (!v6) {
    GTEST_SKIP() << "no IPv6 here: " << v6.error().message();
  }
  Recorder v4_sink;
  auto v4 = open_or_fail(io, v4_sink);
  ASSERT_TRUE(v4);
  v6_sink.hook = [&] { v6.value()->send(v6_sink.got.back().from, bytes_of("pong")); };
  v4->send(core::Endpoint::ipv4({127, 0, 0, 1}, v6.value()->local_endpoint().port()),
           bytes_of("ping"));
  ASSERT_TRUE(run_until(io, [&] { return !v4_sink.got.empty(); }));
  EXPECT_EQ(v6_sink.got[0].from, v4->local_endpoint()); // ::ffff:127.0.0.1 back to IPv4
  EXPECT_EQ(v4_sink.got[0].bytes, bytes_of("pong"));
}

TEST(UdpTransport, closeAndDestroyWhileReceivingAreClean) {
  asio::io_context io;
  Recorder sink;
  auto closed = open_or_fail(io, sink);
  auto destroyed = open_or_fail(io, sink);
  ASSERT_TRUE(closed && destroyed);
  const auto closed_at = closed->local_endpoint();
  const auto destroyed_at = destroyed->local_endpoint();
  io.poll(); // both receive loops are now waiting in async_receive_from

  closed->close();
  closed->close();
  EXPECT_FALSE(closed->is_open());
  destroyed.reset();
  io.restart();
  io.run_for(2s); // returns at once: the loops ended, no work is left
  EXPECT_TRUE(io.stopped());

  // Nothing reaches the sink through either port now.
  Recorder other_sink;
  auto sender = open_or_fail(io, other_sink);
  ASSERT_TRUE(sender);
  sender->send(closed_at, bytes_of("late"));
  sender->send(destroyed_at, bytes_of("late"));
  closed->send(sender->local_endpoint(), bytes_of("from closed"));
  EXPECT_EQ(closed->stats().unsendable_dropped, 1U);
  io.restart();
  io.run_for(100ms);
  EXPECT_TRUE(sink.got.empty());
  EXPECT_TRUE(other_sink.got.empty());
}

TEST(UdpTransport, sinkMayDestroyTheTransport) {
  asio::io_context io;
  Recorder sink;
  Recorder sender_sink;
  auto transport = open_or_fail(io, sink);
  auto sender = open_or_fail(io, sender_sink);
  ASSERT_TRUE(transport && sender);
  sink.hook = [&] { transport.reset(); };
  sender->send(transport->local_endpoint(), bytes_of("one"));
  sender->send(transport->local_endpoint(), bytes_of("two"));
  ASSERT_TRUE(run_until(io, [&] { return transport == nullptr; }));
  sender.reset();
  io.restart();
  io.run_for(100ms);
  EXPECT_EQ(sink.got.size(), 1U);
}

// ---- AsioScheduler ----

TEST(AsioScheduler, callsInOrderOfTimeThenOfScheduling) {
  asio::io_context io;
  AsioScheduler scheduler(io.get_executor());
  std::vector<int> calls;
  const auto start = scheduler.now();
  std::vector<std::chrono::steady_clock::time_point> at;
  (void)scheduler.after(30ms, [&] { calls.push_back(3); });
  (void)scheduler.after(10ms, [&] {
    calls.push_back(1);
    at.push_back(scheduler.now());
  });
  (void)scheduler.after(20ms, [&] { calls.push_back(2); });
  (void)scheduler.after(20ms, [&] { calls.push_back(22); });
  (void)scheduler.after(0ms, [&] { calls.push_back(0); });
  EXPECT_TRUE(calls.empty()); // never from inside after()
  EXPECT_EQ(scheduler.pending(), 5U);
  ASSERT_TRUE(run_until(io, [&] { return calls.size() == 5; }));
  EXPECT_EQ(calls, (std::vector<int>{0, 1, 2, 22, 3}));
  EXPECT_GE(at.at(0) - start, 10ms);
  EXPECT_EQ(scheduler.pending(), 0U);
}

TEST(AsioScheduler, cancelPreventsTheCall) {
  asio::io_context io;
  AsioScheduler scheduler(io.get_executor());
  std::vector<int> calls;
  const auto first = scheduler.after(5ms, [&] { calls.push_back(1); });
  (void)scheduler.after(15ms, [&] { calls.push_back(2); });
  const auto third = scheduler.after(10ms, [&] { calls.push_back(3); });
  scheduler.cancel(first);
  scheduler.cancel(Scheduler::TimerId{0});
  scheduler.cancel(Scheduler::TimerId{999});
  EXPECT_EQ(scheduler.pending(), 2U);
  // A callback cancels a later call.
  (void)scheduler.after(2ms, [&] { scheduler.cancel(third); });
  ASSERT_TRUE(run_until(io, [&] { return scheduler.pending() == 0; }));
  io.restart();
  io.run_for(30ms);
  EXPECT_EQ(calls, (std::vector<int>{2}));
  scheduler.cancel(third); // already cancelled: ignored
}

TEST(AsioScheduler, manyCancelledCallsDoNotPileUp) {
  asio::io_context io;
  AsioScheduler scheduler(io.get_executor());
  int called = 0;
  for (int i = 0; i < 10'000; ++i) {
    scheduler.cancel(scheduler.after(1h, [&] { ++called; }));
  }
  (void)scheduler.after(1ms, [&] { ++called; });
  EXPECT_EQ(scheduler.pending(), 1U);
  ASSERT_TRUE(run_until(io, [&] { return called == 1; }));
}

TEST(AsioScheduler, destroyingCancelsWithoutCalling) {
  asio::io_context io;
  int called = 0;
  {
    AsioScheduler scheduler(io.get_executor());
    (void)scheduler.after(1ms, [&] { ++called; });
    (void)scheduler.after(1h, [&] { ++called; });
  }
  io.run_for(50ms);
  EXPECT_EQ(called, 0);
  EXPECT_TRUE(io.stopped()); // no timer left waiting

  // From inside its own callback, with another call due at the same time.
  auto scheduler = std::make_unique<AsioScheduler>(io.get_executor());
  (void)scheduler->after(1ms, [&] {
    ++called;
    scheduler.reset();
  });
  (void)scheduler->after(1ms, [&] { ++called; });
  io.restart();
  io.run_for(200ms);
  EXPECT_EQ(called, 1);
  EXPECT_EQ(scheduler, nullptr);
}

} // namespace
} // namespace swarmshare::dht
