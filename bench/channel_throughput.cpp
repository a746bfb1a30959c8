// bench_channel_throughput: one direction of a SecureChannel over loopback TCP against a bare
// baseline in the same run.
//
//   channel   SecureChannel::connect/accept, then the sender writes messages of just under the
//             1 MiB record cap and close()s; the receiver read_message()s until channel_closed
//   bare      the same socket set-up and message size with nothing but libsodium's
//             crypto_secretstream_xchacha20poly1305 push/pull: a 24-byte header, then each
//             ciphertext behind a 4-byte length, written and read with reused buffers
// Both run the sender and the receiver on two threads, each with its own io_context, and
// both use Asio coroutines for the I/O, so the difference is what the channel adds (record
// framing, chunked reads, copies, rekeying). The handshake is not timed. Rounds alternate
// bare/channel; the figures are medians.
//
//   bench_channel_throughput [GiB per round, default 1] [rounds, default 5]
//                            [channel read chunk in KiB, default the channel's own, 64]
//
// Targets: channel >= 90 % of bare and >= 0.8 GB/s (docs/BENCHMARKS.md).

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/crypto/secure_channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmshare;
using namespace swarmshare::crypto;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMessageBytes = kDefaultMaxRecordBytes - 64;

struct Round {
  double seconds = 0;
  std::uint64_t bytes = 0;
  bool ok = false;
};

struct SocketPair {
  tcp::socket sender;
  tcp::socket receiver;
};

// A connected loopback pair, each end on its side's io_context.
SocketPair loopback_pair(asio::io_context& sender_io, asio::io_context& receiver_io) {
  tcp::acceptor acceptor(receiver_io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  SocketPair pair{tcp::socket(sender_io), tcp::socket(receiver_io)};
  pair.sender.connect(acceptor.local_endpoint());
  acceptor.accept(pair.receiver);
  // The channel sets this on its sockets; the baseline gets the same.
  pair.sender.set_option(tcp::no_delay(true));
  pair.receiver.set_option(tcp::no_delay(true));
  return pair;
}

// Runs `sender` and `receiver` on two threads; each reports its end time through the
// references it was built with.
template <class SenderTask, class ReceiverTask>
void run_pair(asio::io_context& sender_io, asio::io_context& receiver_io, SenderTask sender,
              ReceiverTask receiver) {
  const auto rethrow = [](const std::exception_ptr& error) {
    if (error) {
      std::rethrow_exception(error);
    }
  };
  asio::co_spawn(sender_io, std::move(sender), rethrow);
  asio::co_spawn(receiver_io, std::move(receiver), rethrow);
  std::thread receiver_thread([&receiver_io] { receiver_io.run(); });
  sender_io.run();
  receiver_thread.join();
}

Round run_bare(std::uint64_t total_bytes) {
  asio::io_context sender_io;
  asio::io_context receiver_io;
  SocketPair sockets = loopback_pair(sender_io, receiver_io);
  tcp::socket& sender_socket = sockets.sender;
  tcp::socket& receiver_socket = sockets.receiver;
  Key32 key{};
  crypto_secretstream_xchacha20poly1305_keygen(key.data());
  const std::uint64_t count = total_bytes / kMessageBytes;
  Clock::time_point started;
  Round round;

  auto sender = [&]() -> awaitable<void> {
    crypto_secretstream_xchacha20poly1305_state state;
    std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
    crypto_secretstream_xchacha20poly1305_init_push(&state, header.data(), key.data());
    const Bytes plaintext(kMessageBytes, 0x5A);
    const std::size_t cipher_size = kMessageBytes + crypto_secretstream_xchacha20poly1305_ABYTES;
    Bytes record(4 + cipher_size);
    record[0] = static_cast<std::uint8_t>(cipher_size >> 24);
    record[1] = static_cast<std::uint8_t>(cipher_size >> 16);
    record[2] = static_cast<std::uint8_t>(cipher_size >> 8);
    record[3] = static_cast<std::uint8_t>(cipher_size);
    started = Clock::now();
    co_await asio::async_write(sender_socket, asio::buffer(header), use_awaitable);
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint8_t tag = i + 1 == count ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                              : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      crypto_secretstream_xchacha20poly1305_push(&state, record.data() + 4, nullptr,
                                                 plaintext.data(), plaintext.size(), record.data(),
                                                 4, tag);
      co_await asio::async_write(sender_socket, asio::buffer(record), use_awaitable);
    }
    sender_socket.shutdown(tcp::socket::shutdown_send);
  };

  auto receiver = [&]() -> awaitable<void> {
    crypto_secretstream_xchacha20poly1305_state state;
    std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
    co_await asio::async_read(receiver_socket, asio::buffer(header), use_awaitable);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header.data(), key.data()) != 0) {
      co_return;
    }
    std::array<std::uint8_t, 4> length{};
    Bytes cipher;
    Bytes plaintext;
    std::uint64_t received = 0;
    for (;;) {
      co_await asio::async_read(receiver_socket, asio::buffer(length), use_awaitable);
      const std::size_t size = std::size_t{length[0]} << 24 | std::size_t{length[1]} << 16 |
                               std::size_t{length[2]} << 8 | length[3];
      if (size < crypto_secretstream_xchacha20poly1305_ABYTES ||
          size > kDefaultMaxRecordBytes + crypto_secretstream_xchacha20poly1305_ABYTES) {
        co_return;
      }
      cipher.resize(size);
      plaintext.resize(size - crypto_secretstream_xchacha20poly1305_ABYTES);
      co_await asio::async_read(receiver_socket, asio::buffer(cipher), use_awaitable);
      unsigned char tag = 0;
      if (crypto_secretstream_xchacha20poly1305_pull(&state, plaintext.data(), nullptr, &tag,
                                                     cipher.data(), cipher.size(), length.data(),
                                                     length.size()) != 0) {
        co_return;
      }
      received += plaintext.size();
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        break;
      }
    }
    const std::chrono::duration<double> elapsed = Clock::now() - started;
    round = {elapsed.count(), received, received == count * kMessageBytes};
  };

  run_pair(sender_io, receiver_io, sender, receiver);
  return round;
}

Round run_channel(std::uint64_t total_bytes, StaticKeyManager& sender_keys,
                  StaticKeyManager& receiver_keys, std::size_t read_chunk_bytes) {
  asio::io_context sender_io;
  asio::io_context receiver_io;
  SocketPair sockets = loopback_pair(sender_io, receiver_io);
  tcp::socket& sender_socket = sockets.sender;
  tcp::socket& receiver_socket = sockets.receiver;
  const std::uint64_t count = total_bytes / kMessageBytes;
  // Written by the sender thread before its first message, read by the receiver after its
  // last: the channel's FINAL orders the two, but the compiler needs to hear it too.
  std::atomic<Clock::time_point> started{};
  Round round;

  auto sender = [&]() -> awaitable<void> {
    auto opened = co_await SecureChannel::connect(
        std::move(sender_socket), ChannelConfig(sender_keys), receiver_keys.peer_id());
    if (!opened) {
      std::fprintf(stderr, "connect: %s\n", opened.error().message().c_str());
      co_return;
    }
    SecureChannel channel = std::move(opened).value();
    const Bytes message(kMessageBytes, 0x5A);
    started.store(Clock::now());
    for (std::uint64_t i = 0; i < count; ++i) {
      if (auto sent = co_await channel.write_message(message); !sent) {
        std::fprintf(stderr, "write: %s\n", sent.error().message().c_str());
        co_return;
      }
    }
    if (auto closed = co_await channel.close(); !closed) {
      std::fprintf(stderr, "close: %s\n", closed.error().message().c_str());
    }
    // Wait for the receiver's FINAL: destroying a socket with unread bytes (here the
    // receiver's stream header) makes TCP reset the connection, losing what is in flight.
    while (co_await channel.read_message()) {
    }
  };

  auto receiver = [&]() -> awaitable<void> {
    ChannelConfig config(receiver_keys);
    config.read_chunk_bytes = read_chunk_bytes;
    auto opened = co_await SecureChannel::accept(std::move(receiver_socket), config);
    if (!opened) {
      std::fprintf(stderr, "accept: %s\n", opened.error().message().c_str());
      co_return;
    }
    SecureChannel channel = std::move(opened).value();
    std::uint64_t received = 0;
    for (;;) {
      auto message = co_await channel.read_message();
      if (!message) {
        if (message.error() != Errc::channel_closed) {
          std::fprintf(stderr, "read: %s\n", message.error().message().c_str());
          co_return;
        }
        break;
      }
      received += message.value().size();
    }
    const std::chrono::duration<double> elapsed = Clock::now() - started.load();
    round = {elapsed.count(), received, received == count * kMessageBytes};
    if (auto closed = co_await channel.close(); !closed) {
      std::fprintf(stderr, "close: %s\n", closed.error().message().c_str());
    }
  };

  run_pair(sender_io, receiver_io, sender, receiver);
  return round;
}

double gb_per_second(const Round& round) {
  return static_cast<double>(round.bytes) / round.seconds / 1e9;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  const double gib = argc > 1 ? std::atof(argv[1]) : 1.0;
  const long rounds = argc > 2 ? std::atol(argv[2]) : 5;
  const long chunk_kib =
      argc > 3 ? std::atol(argv[3]) : static_cast<long>(kDefaultReadChunkBytes / 1024);
  if (gib <= 0 || rounds <= 0 || chunk_kib <= 0) {
    std::fprintf(stderr, "usage: bench_channel_throughput [GiB per round] [rounds] "
                         "[read chunk KiB]\n");
    return 2;
  }
  init();
  const auto total = static_cast<std::uint64_t>(gib * 1024 * 1024 * 1024);
  const Identity sender_identity = Identity::generate();
  const Identity receiver_identity = Identity::generate();
  StaticKeyManager sender_keys(sender_identity, NetworkId::public_network(), core::real_clock());
  StaticKeyManager receiver_keys(receiver_identity, NetworkId::public_network(),
                                 core::real_clock());

  std::vector<double> bare;
  std::vector<double> channel;
  for (long i = 0; i < rounds; ++i) {
    const Round b = run_bare(total);
    const Round c =
        run_channel(total, sender_keys, receiver_keys, static_cast<std::size_t>(chunk_kib) * 1024);
    if (!b.ok || !c.ok) {
      std::fprintf(stderr, "round %ld: a transfer failed\n", i + 1);
      return 1;
    }
    bare.push_back(gb_per_second(b));
    channel.push_back(gb_per_second(c));
    std::printf("round %ld: bare %.3f GB/s   channel %.3f GB/s   (%.2f GiB, messages of %zu "
                "bytes)\n",
                i + 1, bare.back(), channel.back(),
                static_cast<double>(c.bytes) / (1024.0 * 1024 * 1024), kMessageBytes);
  }
  const double bare_median = median(bare);
  const double channel_median = median(channel);
  std::printf("median: bare %.3f GB/s, channel %.3f GB/s, channel/bare %.1f %%\n", bare_median,
              channel_median, 100.0 * channel_median / bare_median);
  return 0;
}
