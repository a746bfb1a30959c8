// bench_tracker_load: a load generator for a running swarmshare-tracker.
//
// C connections (default 1,000), each over its own SecureChannel with its own identity, so
// each is a distinct Peer ID, all driven by one io_context on one thread: the generator
// shares the machine with the tracker, so it must cost as little CPU as it can, and it
// reports what it used (getrusage) next to what the tracker used (/proc/<pid>/stat).
//
//   bench_tracker_load fill   --tracker [PEERID@]HOST:PORT [--entries N] [--files F] ...
//   bench_tracker_load closed --tracker ... [--op announce|refresh|get_peers] [--inflight 1,2,4]
//   bench_tracker_load open   --tracker ... --rate R[,R2...] [--op ...]
//
// fill    makes the registry hold N entries: connection i announces N/C of the F files,
//         starting at file i*F/C, so every file gets about N/F peers. Reports the tracker's
//         resident memory before and after, and its growth per entry.
// closed  each connection keeps K requests in flight for D seconds (one run per K given):
//         requests/s and latency from the moment a request was queued.
// open    R requests/s in total, request k at t0 + k/R on connection k mod C, whatever the
//         replies do. Latency counts from the scheduled time, so a tracker that falls behind
//         shows its queueing instead of slowing the generator down (coordinated omission).
//
// Identities come from --seed and the connection number, so `closed`/`open` with the same
// seed, connections and entries as `fill` announce as the same Peer IDs on the same files:
// each announce then updates an existing entry. `--identities fresh` uses random Peer IDs, so
// announces add entries. entries_before/entries_after (the tracker's stats) say which it was.
//
// Human lines go to stderr; each run prints one `key=value ...` line on stdout.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/framing.hpp"
#include "swarmshare/core/hash.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/noise.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace proto = swarmshare::tracker::protocol;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmshare;

using Nanos = std::int64_t;

Nanos now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::chrono::steady_clock::time_point to_time_point(Nanos at) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::nanoseconds(at)));
}

constexpr Nanos kNanosPerSecond = 1'000'000'000;

Nanos seconds_to_ns(double seconds) {
  return static_cast<Nanos>(seconds * static_cast<double>(kNanosPerSecond));
}

double ns_to_seconds(Nanos ns) {
  return static_cast<double>(ns) / static_cast<double>(kNanosPerSecond);
}

awaitable<void> sleep_until(Nanos at) {
  asio::steady_timer timer(co_await asio::this_coro::executor, to_time_point(at));
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
}

awaitable<void> sleep_for(Nanos duration) { co_await sleep_until(now_ns() + duration); }

// ---- Latency histogram ------------------------------------------------------------------

// Log-linear buckets: exact below 256 ns, then 128 buckets per power of two, so a reported
// percentile is at most 0.8 % above the true value. Fixed size, no allocation per sample.
class LatencyHistogram {
public:
  void record(Nanos value) {
    const auto v = static_cast<std::uint64_t>(std::max<Nanos>(value, 0));
    ++counts_[index_of(v)];
    ++count_;
    max_ = std::max(max_, v);
    sum_ += static_cast<double>(v);
  }

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept {
    return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
  }

  /// The smallest bucket bound that at least q of the samples do not exceed.
  [[nodiscard]] std::uint64_t percentile(double q) const {
    if (count_ == 0) {
      return 0;
    }
    const auto wanted = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= wanted) {
        return std::min(upper_bound_of(i), max_);
      }
    }
    return max_;
  }

private:
  static constexpr unsigned kSubBits = 7;
  static constexpr std::uint64_t kLinear = std::uint64_t{2} << kSubBits; // 256
  static constexpr std::size_t kBuckets = kLinear + 56 * (std::size_t{1} << kSubBits);

  static std::size_t index_of(std::uint64_t v) {
    if (v < kLinear) {
      return static_cast<std::size_t>(v);
    }
    const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - (kSubBits + 1);
    const std::uint64_t mantissa = v >> shift; // in [128, 256)
    return static_cast<std::size_t>(kLinear + (shift - 1) * (std::uint64_t{1} << kSubBits) +
                                    (mantissa - (std::uint64_t{1} << kSubBits)));
  }

  static std::uint64_t upper_bound_of(std::size_t index) {
    if (index < kLinear) {
      return index;
    }
    const std::size_t offset = index - kLinear;
    const unsigned shift = static_cast<unsigned>(offset >> kSubBits) + 1;
    const std::uint64_t mantissa = (offset & ((std::size_t{1} << kSubBits) - 1)) + (1U << kSubBits);
    return ((mantissa + 1) << shift) - 1;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

// ---- Process probes ---------------------------------------------------------------------

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long self_max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct ServerMemory {
  long rss_kib = -1;
  long hwm_kib = -1;
};

// The tracker's CPU time and memory, read from /proc (Linux only).
class ServerProbe {
public:
  explicit ServerProbe(long pid) : pid_(pid) {}

  [[nodiscard]] bool available() const noexcept { return pid_ > 0; }

  /// utime + stime in seconds; negative when unknown.
  [[nodiscard]] double cpu_seconds() const {
    if (!available()) {
      return -1;
    }
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
      return -1;
    }
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
      return -1;
    }
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int n = 3; n <= 15 && fields >> field; ++n) { // field 3 is the state
      if (n == 14) {
        utime = std::stoull(field);
      } else if (n == 15) {
        stime = std::stoull(field);
      }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  [[nodiscard]] ServerMemory memory() const {
    ServerMemory memory;
    if (!available()) {
      return memory;
    }
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      const auto value = [&line](std::size_t prefix) { return std::atol(line.c_str() + prefix); };
      if (line.rfind("VmRSS:", 0) == 0) {
        memory.rss_kib = value(6);
      } else if (line.rfind("VmHWM:", 0) == 0) {
        memory.hwm_kib = value(6);
      }
    }
    return memory;
  }

private:
  long pid_;
};

// ---- Options ----------------------------------------------------------------------------

enum class Mode { fill, closed, open };
enum class Op : std::uint8_t { announce, refresh, get_peers, stats };

const char* op_name(Op op) {
  switch (op) {
  case Op::announce: return "announce";
  case Op::refresh: return "refresh";
  case Op::get_peers: return "get_peers";
  case Op::stats: return "stats";
  }
  return "?";
}

struct Options {
  Mode mode = Mode::fill;
  std::string tracker;
  long server_pid = 0;
  std::string db_path;
  std::uint32_t connections = 1000;
  std::uint32_t files = 1000;
  std::uint64_t entries = 0; // 0: files x connections
  Op op = Op::announce;
  bool fresh_identities = false;
  std::uint64_t seed = 1;
  std::vector<std::uint32_t> inflight;
  std::vector<double> rates;
  double duration_s = 10;
  double warmup_s = 2;
  double drain_s = 5;
  double tick_us = 100;
  std::uint32_t limit = 50;
  std::uint16_t port = 6881;
  std::uint32_t connect_concurrency = 16;
  double connect_rate = 200;
  std::uint32_t connect_attempts = 5;
  std::uint32_t bind_spread = 0;
  std::string network = std::string(crypto::kDefaultNetworkName);
  // Replies are small (200 peers take about 11 KiB): the channel's 64 KiB default would
  // cost the generator 64 MiB over 1,000 connections for nothing.
  std::size_t read_chunk_bytes = std::size_t{16} * 1024;
  std::uint32_t max_attempts = 8;
};

// ---- Files ------------------------------------------------------------------------------

struct BenchFile {
  core::FileId id;
  proto::Bytes manifest;
};

// Tiny, valid manifests: one chunk whose hash is made up. The tracker checks only that a
// manifest decodes and hashes to its File ID; it never sees the content.
core::Result<std::vector<BenchFile>> make_files(std::uint32_t count) {
  std::vector<BenchFile> files;
  files.reserve(count);
  for (std::uint32_t j = 0; j < count; ++j) {
    char name[64];
    std::snprintf(name, sizeof name, "swarmshare-bench-%07u.bin", j);
    const std::string text(name);
    const core::Hash256 chunk_hash = core::blake2b_256(
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    auto manifest = core::Manifest::create(text, 1 + j % 4096, core::ChunkSize{}, {chunk_hash});
    if (!manifest) {
      return manifest.error();
    }
    files.push_back({manifest.value().file_id(), manifest.value().encoded()});
  }
  return files;
}

// ---- Connections ------------------------------------------------------------------------

// One request waiting for its reply. `generation` tells a late reply from an earlier run
// apart from one of the current run.
struct Pending {
  proto::RequestId id = 0;
  Op op = Op::announce;
  std::uint8_t attempt = 0;
  std::uint16_t generation = 0;
  std::uint32_t file = 0;
  Nanos start = 0; ///< queued (closed, fill) or scheduled (open)
};

// Request ids grow by one per request, so the waiting ones live in a ring indexed by id.
constexpr std::size_t kRingSize = 256;
constexpr std::size_t kRingMask = kRingSize - 1;

struct Connection {
  std::uint32_t index = 0;
  std::optional<crypto::SecureChannel> channel;
  core::FrameDecoder decoder{proto::client_frame_limits()};
  std::deque<proto::Bytes> outbox;
  std::array<Pending, kRingSize> ring{};
  proto::RequestId next_id = 1;
  std::uint32_t in_flight = 0;
  bool alive = false;
  bool writing = false;
  // The entries this connection holds after fill: files first_file .. first_file+entries-1
  // (mod F).
  std::uint32_t first_file = 0;
  std::uint32_t entries = 0;
  std::uint32_t cursor = 0;
  // fill
  std::uint32_t fill_next = 0;
  std::uint32_t fill_left = 0;
  std::deque<std::pair<std::uint32_t, std::uint8_t>> fill_retry; // file, attempts so far
};

// What one run counts.
struct RunCounters {
  std::uint64_t issued = 0;
  std::uint64_t completed = 0; ///< successful replies inside the window
  std::uint64_t error_replies = 0;
  std::map<unsigned, std::uint64_t> error_codes;
  std::uint64_t bad_replies = 0; ///< a reply of the wrong type or that did not decode
  std::uint64_t unexpected = 0;  ///< a reply to no request we are waiting for
  std::uint64_t late = 0;        ///< a reply to a request of an earlier run
  std::uint64_t lost = 0;        ///< requests of the window whose connection died
  std::uint64_t timeouts = 0;    ///< requests of the window unanswered after the drain
  std::uint64_t skipped = 0;     ///< due on a dead connection: never sent
  std::uint64_t overflow = 0;    ///< not sent: kRingSize requests already waiting
  std::uint64_t encode_errors = 0;
  std::uint64_t peers_returned = 0;
  std::uint64_t short_replies = 0; ///< get_peers answered fewer than the limit
  std::uint64_t manifests_sent = 0;
  LatencyHistogram latency;
};

struct Sample {
  Nanos wall = 0;
  double self_cpu = 0;
  double server_cpu = -1;
};

std::string join_error_codes(const std::map<unsigned, std::uint64_t>& codes) {
  if (codes.empty()) {
    return "none";
  }
  std::string text;
  for (const auto& [code, count] : codes) {
    if (!text.empty()) {
      text += ',';
    }
    text += std::to_string(code) + ':' + std::to_string(count);
  }
  return text;
}

double micros(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

// ---- The generator ----------------------------------------------------------------------

class Generator {
public:
  Generator(asio::io_context& io, Options options, tcp::endpoint server,
            std::optional<crypto::PeerId> tracker_id, std::vector<BenchFile> files)
      : io_(io), options_(std::move(options)), server_(std::move(server)), tracker_id_(tracker_id),
        files_(std::move(files)), file_known_(files_.size(), false), probe_(options_.server_pid),
        network_(crypto::NetworkId::from_name(options_.network)) {
    std::random_device random;
    fresh_seed_ = (std::uint64_t{random()} << 32) ^ random();
    const std::uint64_t entries = options_.entries;
    const std::uint32_t count = options_.connections;
    connections_.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      auto connection = std::make_unique<Connection>();
      connection->index = i;
      connection->first_file = static_cast<std::uint32_t>(std::uint64_t{i} * files_.size() / count);
      connection->entries = static_cast<std::uint32_t>(entries / count + (i < entries % count));
      connections_.push_back(std::move(connection));
    }
    // After fill every file is known; a manifest_required reply corrects this per file.
    std::fill(file_known_.begin(), file_known_.end(), options_.mode != Mode::fill);
  }

  awaitable<int> run() {
    const Nanos setup_start = now_ns();
    co_await connect_all();
    const double setup_s = ns_to_seconds(now_ns() - setup_start);
    std::fprintf(stderr,
                 "connected %u of %u in %.2f s (tcp errors %llu, handshake failures %llu, "
                 "retries %llu)\n",
                 alive_, options_.connections, setup_s,
                 static_cast<unsigned long long>(tcp_errors_),
                 static_cast<unsigned long long>(handshake_failures_),
                 static_cast<unsigned long long>(connect_retries_));
    if (alive_ == 0) {
      std::fprintf(stderr, "no connection to the tracker%s%s\n",
                   last_connect_error_.empty() ? "" : ": ", last_connect_error_.c_str());
      co_await close_all();
      co_return 1;
    }
    int status = 0;
    switch (options_.mode) {
    case Mode::fill: status = co_await run_fill(setup_s); break;
    case Mode::closed:
      for (const std::uint32_t inflight : options_.inflight) {
        status |= co_await run_closed(inflight, setup_s);
      }
      break;
    case Mode::open:
      for (const double rate : options_.rates) {
        status |= co_await run_open(rate, setup_s);
      }
      break;
    }
    co_await close_all();
    co_return status;
  }

private:
  enum class Phase { idle, fill, closed, open, draining };

  // ---- connection set-up ----

  crypto::CertifiedStaticKey certified_key(std::uint32_t index) const {
    // A Peer ID per connection, reproducible from (seed, index) so that later runs can
    // announce as the same peers as the fill.
    core::Blake2b256 hash;
    const std::string label = "swarmshare bench tracker_load identity";
    hash.update(std::span(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
    std::array<std::uint8_t, 12> material{};
    const std::uint64_t seed = options_.fresh_identities ? fresh_seed_ : options_.seed;
    for (int b = 0; b < 8; ++b) {
      material[b] = static_cast<std::uint8_t>(seed >> (56 - 8 * b));
    }
    for (int b = 0; b < 4; ++b) {
      material[8 + b] = static_cast<std::uint8_t>(index >> (24 - 8 * b));
    }
    hash.update(material);
    const crypto::Identity identity = crypto::Identity::from_seed(hash.finish());
    crypto::KeyPair key_pair = crypto::KeyPair::generate();
    const std::uint64_t expiry = crypto::to_unix_seconds(std::chrono::system_clock::now()) +
                                 static_cast<std::uint64_t>(crypto::kCertificateValidity.count());
    const crypto::StaticKeyCertificate certificate =
        crypto::certify_static_key(identity, network_, key_pair.public_key(), expiry);
    return crypto::CertifiedStaticKey{std::move(key_pair), certificate, network_};
  }

  awaitable<void> connect_one(Connection& connection) {
    for (std::uint32_t attempt = 0; attempt < options_.connect_attempts; ++attempt) {
      if (attempt > 0) {
        ++connect_retries_;
        // The tracker may refuse handshakes over its rate: back off, then try again.
        co_await sleep_for(std::min<Nanos>(Nanos{100'000'000} << attempt, 5 * kNanosPerSecond));
      }
      tcp::socket socket(io_);
      boost::system::error_code ec;
      if (options_.bind_spread > 0) {
        // Spread the connections over 127.0.0.x source addresses, so a per-address limit on
        // the tracker sees fewer connections per address.
        socket.open(tcp::v4(), ec);
        if (!ec) {
          socket.bind(
              tcp::endpoint(
                  asio::ip::address_v4(0x7F000001U + connection.index % options_.bind_spread), 0),
              ec);
        }
        if (ec) {
          ++tcp_errors_;
          last_connect_error_ = "bind: " + ec.message();
          continue;
        }
      }
      co_await socket.async_connect(server_, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        ++tcp_errors_;
        last_connect_error_ = "connect: " + ec.message();
        continue;
      }
      crypto::ChannelConfig config(certified_key(connection.index), core::real_clock());
      config.read_chunk_bytes = options_.read_chunk_bytes;
      // The run's own deadlines end a stalled tracker's requests; an idle timer per channel
      // would only cost timer operations.
      config.idle_timeout = std::chrono::milliseconds::zero();
      auto opened = co_await crypto::SecureChannel::connect(std::move(socket), std::move(config),
                                                            tracker_id_);
      if (!opened) {
        ++handshake_failures_;
        last_connect_error_ = "handshake: " + opened.error().message();
        continue;
      }
      connection.channel.emplace(std::move(opened).value());
      connection.alive = true;
      ++alive_;
      ++readers_;
      asio::co_spawn(io_, read_loop(connection), asio::detached);
      break;
    }
    --connecting_;
  }

  awaitable<void> connect_all() {
    const Nanos start = now_ns();
    for (std::uint32_t i = 0; i < options_.connections; ++i) {
      while (connecting_ >= options_.connect_concurrency) {
        co_await sleep_for(Nanos{1'000'000});
      }
      if (options_.connect_rate > 0) {
        const Nanos due =
            start + static_cast<Nanos>(static_cast<double>(i) * 1e9 / options_.connect_rate);
        if (due > now_ns()) {
          co_await sleep_until(due);
        }
      }
      ++connecting_;
      asio::co_spawn(io_, connect_one(*connections_[i]), asio::detached);
      if ((i + 1) % 250 == 0) {
        std::fprintf(stderr, "  connecting: %u started, %u up\n", i + 1, alive_);
      }
    }
    while (connecting_ > 0) {
      co_await sleep_for(Nanos{5'000'000});
    }
  }

  awaitable<void> close_all() {
    phase_ = Phase::idle;
    closing_ = true;
    for (auto& connection : connections_) {
      if (connection->alive) {
        asio::co_spawn(io_, close_one(*connection), asio::detached);
      }
    }
    // The tracker answers our FINAL with its own; do not wait for a stuck one forever.
    const Nanos deadline = now_ns() + 5 * kNanosPerSecond;
    while (readers_ > 0 && now_ns() < deadline) {
      co_await sleep_for(Nanos{10'000'000});
    }
    if (readers_ > 0) {
      std::fprintf(stderr, "%u connections did not close cleanly\n", readers_);
    }
  }

  awaitable<void> close_one(Connection& connection) {
    const Nanos deadline = now_ns() + kNanosPerSecond;
    while (connection.writing && now_ns() < deadline) {
      co_await sleep_for(Nanos{1'000'000});
    }
    if (connection.alive && !connection.writing) {
      (void)co_await connection.channel->close();
    }
  }

  // ---- I/O ----

  awaitable<void> read_loop(Connection& connection) {
    for (;;) {
      auto message = co_await connection.channel->read_message();
      if (!message) {
        on_disconnect(connection, message.error());
        break;
      }
      auto fed =
          connection.decoder.feed(message.value(), [this, &connection](core::Message&& frame) {
            on_frame(connection, frame);
          });
      if (!fed) {
        on_disconnect(connection, fed.error());
        break;
      }
    }
    --readers_;
  }

  void send(Connection& connection, proto::Bytes frame) {
    connection.outbox.push_back(std::move(frame));
    if (!connection.writing) {
      connection.writing = true;
      asio::co_spawn(io_, write_loop(connection), asio::detached);
    }
  }

  awaitable<void> write_loop(Connection& connection) {
    while (!connection.outbox.empty() && connection.alive) {
      auto sent = co_await connection.channel->write_message(connection.outbox.front());
      if (!sent) {
        // The channel is closed now; the pending read reports the failure.
        connection.outbox.clear();
        break;
      }
      connection.outbox.pop_front();
    }
    connection.writing = false;
  }

  void on_disconnect(Connection& connection, std::error_code error) {
    const bool expected = closing_ && (error == crypto::Errc::channel_closed);
    if (!expected) {
      // A dying tracker drops every connection at once: name the first few only.
      if (++disconnects_ <= 5) {
        std::fprintf(stderr, "connection %u lost: %s\n", connection.index, error.message().c_str());
      }
    }
    if (connection.alive) {
      connection.alive = false;
      --alive_;
    }
    for (Pending& pending : connection.ring) {
      if (pending.id != 0) {
        if (pending.generation == generation_) {
          --outstanding_;
          if (counts_if_unanswered(pending)) {
            ++counters_->lost;
          }
        }
        pending = Pending{};
      }
    }
    connection.in_flight = 0;
    if (phase_ == Phase::fill && connection.fill_left > 0) {
      fill_failed_ += connection.fill_left;
      fill_remaining_ -= connection.fill_left;
      connection.fill_left = 0;
    }
  }

  // ---- requests ----

  std::uint32_t next_file(Connection& connection, Op op) {
    const auto count = static_cast<std::uint32_t>(files_.size());
    if (op == Op::get_peers || connection.entries == 0) {
      // Any file: after the fill every one has about entries/F peers.
      return (connection.first_file + connection.cursor++) % count;
    }
    // The files this connection holds entries for (its share of the fill).
    const std::uint32_t k = connection.cursor++ % connection.entries;
    return (connection.first_file + k) % count;
  }

  core::Result<proto::Bytes> encode(Op op, proto::RequestId id, std::uint32_t file) {
    switch (op) {
    case Op::announce: {
      proto::Announce announce;
      announce.request_id = id;
      announce.file_id = files_[file].id;
      if (!file_known_[file]) {
        announce.manifest = files_[file].manifest;
        ++counters_->manifests_sent;
      }
      announce.port = options_.port;
      return proto::encode_request(proto::Request{std::move(announce)});
    }
    case Op::refresh: {
      proto::Refresh refresh;
      refresh.request_id = id;
      refresh.file_id = files_[file].id;
      return proto::encode_request(proto::Request{refresh});
    }
    case Op::get_peers: {
      proto::GetPeers get_peers;
      get_peers.request_id = id;
      get_peers.file_id = files_[file].id;
      get_peers.limit = options_.limit;
      return proto::encode_request(proto::Request{get_peers});
    }
    case Op::stats: break;
    }
    proto::GetStats stats;
    stats.request_id = id;
    return proto::encode_request(proto::Request{stats});
  }

  bool issue(Connection& connection, Op op, std::uint32_t file, Nanos start,
             std::uint8_t attempt = 0) {
    if (!connection.alive) {
      ++counters_->skipped;
      return false;
    }
    const proto::RequestId id = connection.next_id;
    connection.next_id = id == UINT32_MAX ? 1 : id + 1;
    Pending& slot = connection.ring[id & kRingMask];
    if (slot.id != 0) {
      ++counters_->overflow;
      return false;
    }
    auto frame = encode(op, id, file);
    if (!frame) {
      ++counters_->encode_errors;
      return false;
    }
    slot = Pending{id, op, attempt, generation_, file, start};
    ++connection.in_flight;
    ++outstanding_;
    ++counters_->issued;
    send(connection, std::move(frame).value());
    return true;
  }

  // Whether a finished request belongs to the measured window: closed loops count what
  // completes inside it, the open loop what was scheduled inside it.
  [[nodiscard]] bool counts_in_window(const Pending& pending, Nanos completed) const {
    if (pending.op == Op::stats) {
      return false;
    }
    if (phase_ == Phase::fill) {
      return true;
    }
    if (open_loop_) {
      return pending.start >= window_start_ && pending.start < window_end_;
    }
    return completed >= window_start_ && completed < window_end_;
  }

  // Whether a request that will never be answered belongs to the window: in closed loops
  // whatever was sent before its end, in the open loop what was scheduled inside it.
  [[nodiscard]] bool counts_if_unanswered(const Pending& pending) const {
    if (pending.op == Op::stats) {
      return false;
    }
    if (phase_ == Phase::fill || open_loop_) {
      return counts_in_window(pending, pending.start);
    }
    return pending.start < window_end_;
  }

  void on_frame(Connection& connection, const core::Message& frame) {
    auto decoded = proto::decode_reply(frame);
    if (!decoded) {
      ++counters_->bad_replies;
      return;
    }
    if (!decoded.value()) {
      return; // a reply type this build does not know: ignored, as the protocol says
    }
    const proto::Reply& reply = *decoded.value();
    const proto::RequestId id = proto::request_id(reply);
    Pending& slot = connection.ring[id & kRingMask];
    if (id == 0 || slot.id != id) {
      ++counters_->unexpected;
      if (const auto* error = std::get_if<proto::ErrorReply>(&reply)) {
        ++counters_->error_codes[static_cast<unsigned>(error->code)];
      }
      return;
    }
    const Pending pending = slot;
    slot = Pending{};
    --connection.in_flight;
    if (pending.generation != generation_) {
      ++counters_->late;
      return;
    }
    --outstanding_;
    const Nanos now = now_ns();

    if (pending.op == Op::stats) {
      if (const auto* stats = std::get_if<proto::StatsReply>(&reply)) {
        last_stats_ = *stats;
      } else {
        stats_failed_ = true;
      }
      return;
    }

    bool ok = false;
    std::optional<proto::ErrorCode> error_code;
    if (const auto* error = std::get_if<proto::ErrorReply>(&reply)) {
      error_code = error->code;
    } else if (pending.op == Op::get_peers) {
      if (const auto* peers = std::get_if<proto::PeersReply>(&reply)) {
        ok = true;
        if (counts_in_window(pending, now)) {
          counters_->peers_returned += peers->peers.size();
          counters_->short_replies += peers->peers.size() < options_.limit;
        }
      }
    } else if (std::holds_alternative<proto::AnnounceOkReply>(reply)) {
      ok = true;
      if (pending.op == Op::announce) {
        file_known_[pending.file] = true;
      }
    }
    if (error_code == proto::ErrorCode::manifest_required) {
      file_known_[pending.file] = false;
    }

    if (counts_in_window(pending, now)) {
      if (ok) {
        ++counters_->completed;
        counters_->latency.record(now - pending.start);
      } else if (error_code) {
        ++counters_->error_replies;
        ++counters_->error_codes[static_cast<unsigned>(*error_code)];
      } else {
        ++counters_->bad_replies;
      }
    }

    switch (phase_) {
    case Phase::fill: on_fill_done(connection, pending, ok, error_code); break;
    case Phase::closed:
      if (now < window_end_) {
        issue(connection, pending.op, next_file(connection, pending.op), now);
      }
      break;
    default: break;
    }
  }

  // ---- runs ----

  void begin_run(Phase phase, bool open_loop, Nanos start, double warmup_s, double duration_s) {
    counters_ = std::make_unique<RunCounters>();
    ++generation_;
    outstanding_ = 0;
    disconnects_before_run_ = disconnects_;
    open_loop_ = open_loop;
    window_start_ = start + seconds_to_ns(warmup_s);
    window_end_ = window_start_ + seconds_to_ns(duration_s);
    phase_ = phase;
  }

  Sample sample() const { return {now_ns(), self_cpu_seconds(), probe_.cpu_seconds()}; }

  // Records the samples at the window's edges while the run goes on.
  awaitable<void> watch_window() {
    co_await sleep_until(window_start_);
    window_first_ = sample();
    co_await sleep_until(window_end_);
    window_last_ = sample();
  }

  // Waits for the requests still out, then counts the ones of the window that never came
  // back: at the latency they have at least reached, so that a stall is not hidden.
  awaitable<void> drain() {
    phase_ = Phase::draining;
    const Nanos deadline = now_ns() + seconds_to_ns(options_.drain_s);
    while (outstanding_ > 0 && now_ns() < deadline) {
      co_await sleep_for(Nanos{2'000'000});
    }
    const Nanos now = now_ns();
    for (auto& connection : connections_) {
      for (const Pending& pending : connection->ring) {
        const bool measured = counts_if_unanswered(pending);
        if (pending.id != 0 && pending.generation == generation_ && measured) {
          ++counters_->timeouts;
          counters_->latency.record(now - pending.start);
        }
      }
    }
  }

  awaitable<std::optional<proto::StatsReply>> query_stats() {
    last_stats_.reset();
    stats_failed_ = false;
    for (auto& connection : connections_) {
      if (connection->alive) {
        if (!issue(*connection, Op::stats, 0, now_ns())) {
          co_return std::nullopt;
        }
        const Nanos deadline = now_ns() + 5 * kNanosPerSecond;
        while (!last_stats_ && !stats_failed_ && connection->alive && now_ns() < deadline) {
          co_await sleep_for(Nanos{1'000'000});
        }
        break;
      }
    }
    co_return last_stats_;
  }

  // The key=value fields every run prints.
  std::string common_fields(const Sample& first, const Sample& last) const {
    const double wall = ns_to_seconds(last.wall - first.wall);
    const double gen_cpu = last.self_cpu - first.self_cpu;
    const double server_cpu =
        last.server_cpu >= 0 && first.server_cpu >= 0 ? last.server_cpu - first.server_cpu : -1;
    const ServerMemory memory = probe_.memory();
    const RunCounters& c = *counters_;
    char text[1024];
    std::snprintf(
        text, sizeof text,
        "p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f mean_us=%.1f "
        "issued=%llu encode_errors=%llu error_replies=%llu error_codes=%s bad_replies=%llu "
        "unexpected=%llu late=%llu lost=%llu "
        "timeouts=%llu skipped=%llu overflow=%llu disconnects=%llu alive=%u "
        "gen_cpu_s=%.2f gen_cpu_pct=%.1f server_cpu_s=%.2f server_cpu_pct=%.1f "
        "server_rss_kib=%ld server_hwm_kib=%ld gen_maxrss_kib=%ld",
        micros(c.latency.percentile(0.50)), micros(c.latency.percentile(0.90)),
        micros(c.latency.percentile(0.99)), micros(c.latency.percentile(0.999)),
        micros(c.latency.max()), c.latency.mean() / 1000.0,
        static_cast<unsigned long long>(c.issued), static_cast<unsigned long long>(c.encode_errors),
        static_cast<unsigned long long>(c.error_replies), join_error_codes(c.error_codes).c_str(),
        static_cast<unsigned long long>(c.bad_replies),
        static_cast<unsigned long long>(c.unexpected), static_cast<unsigned long long>(c.late),
        static_cast<unsigned long long>(c.lost), static_cast<unsigned long long>(c.timeouts),
        static_cast<unsigned long long>(c.skipped), static_cast<unsigned long long>(c.overflow),
        static_cast<unsigned long long>(disconnects_), alive_, gen_cpu,
        wall > 0 ? 100.0 * gen_cpu / wall : 0.0, server_cpu,
        wall > 0 && server_cpu >= 0 ? 100.0 * server_cpu / wall : -1.0, memory.rss_kib,
        memory.hwm_kib, self_max_rss_kib());
    return text;
  }

  static long long entries_of(const std::optional<proto::StatsReply>& stats) {
    return stats ? static_cast<long long>(stats->peer_entries) : -1;
  }

  void print_human(const char* what, const Sample& first, const Sample& last, double rate) const {
    const RunCounters& c = *counters_;
    const double wall = ns_to_seconds(last.wall - first.wall);
    std::fprintf(
        stderr,
        "%s: %.0f req/s ok; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
        "%llu error replies (%s), %llu timeouts, %llu lost, %llu disconnects; "
        "generator CPU %.0f %% of a core, tracker CPU %.0f %%\n",
        what, rate, micros(c.latency.percentile(0.50)) / 1000,
        micros(c.latency.percentile(0.99)) / 1000, micros(c.latency.max()) / 1000,
        static_cast<unsigned long long>(c.error_replies), join_error_codes(c.error_codes).c_str(),
        static_cast<unsigned long long>(c.timeouts), static_cast<unsigned long long>(c.lost),
        static_cast<unsigned long long>(disconnects_),
        wall > 0 ? 100.0 * (last.self_cpu - first.self_cpu) / wall : 0.0,
        wall > 0 && last.server_cpu >= 0 ? 100.0 * (last.server_cpu - first.server_cpu) / wall
                                         : -1.0);
  }

  // fill: every connection announces its share of the files, K at a time.
  void fill_pump(Connection& connection) {
    const std::uint32_t inflight = options_.inflight.empty() ? 4 : options_.inflight.back();
    while (connection.alive && connection.in_flight < inflight) {
      std::uint32_t file = 0;
      std::uint8_t attempt = 0;
      if (!connection.fill_retry.empty()) {
        std::tie(file, attempt) = connection.fill_retry.front();
        connection.fill_retry.pop_front();
      } else if (connection.fill_next < connection.entries) {
        file = (connection.first_file + connection.fill_next++) %
               static_cast<std::uint32_t>(files_.size());
      } else {
        break;
      }
      if (!issue(connection, Op::announce, file, now_ns(), attempt)) {
        connection.fill_retry.emplace_front(file, attempt);
        break;
      }
    }
  }

  void on_fill_done(Connection& connection, const Pending& pending, bool ok,
                    std::optional<proto::ErrorCode> error) {
    const bool retry_now = error == proto::ErrorCode::manifest_required;
    const bool retry_later = error == proto::ErrorCode::rate_limited ||
                             error == proto::ErrorCode::busy ||
                             error == proto::ErrorCode::internal_error;
    if (!ok && (retry_now || retry_later) && pending.attempt + 1U < options_.max_attempts) {
      ++fill_retries_;
      connection.fill_retry.emplace_back(pending.file,
                                         static_cast<std::uint8_t>(pending.attempt + 1));
      if (retry_later) {
        return; // the ticker pumps again shortly; retrying at once would only spin
      }
    } else {
      if (!ok) {
        ++fill_failed_;
      }
      --connection.fill_left;
      --fill_remaining_;
    }
    fill_pump(connection);
  }

  // A run measured something trustworthy when it completed requests and lost none; error
  // replies (rate_limited, busy, ...) are part of the figures, not a failure of the run.
  [[nodiscard]] int run_status() const {
    const RunCounters& c = *counters_;
    return c.completed > 0 && c.lost == 0 && c.timeouts == 0 &&
                   disconnects_ == disconnects_before_run_
               ? 0
               : 1;
  }

  static std::uint64_t file_bytes(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
  }

  awaitable<int> run_fill(double setup_s) {
    const auto before_stats = co_await query_stats();
    const ServerMemory before = probe_.memory();
    std::uint64_t total = 0;
    for (auto& connection : connections_) {
      total += connection->entries;
    }
    std::fprintf(stderr,
                 "fill: %llu entries (%zu files, %u connections, %u in flight each); tracker "
                 "entries before: %lld, RSS %ld KiB\n",
                 static_cast<unsigned long long>(total), files_.size(), options_.connections,
                 options_.inflight.empty() ? 4U : options_.inflight.back(),
                 entries_of(before_stats), before.rss_kib);
    const Nanos start = now_ns();
    begin_run(Phase::fill, false, start, 0, 0);
    const Sample first = sample();
    fill_remaining_ = 0;
    for (auto& connection : connections_) {
      connection->fill_next = 0;
      connection->fill_retry.clear();
      connection->fill_left = connection->alive ? connection->entries : 0;
      fill_failed_ += connection->alive ? 0 : connection->entries;
      fill_remaining_ += connection->fill_left;
    }
    for (auto& connection : connections_) {
      fill_pump(*connection);
    }
    Nanos next_report = start + 5 * kNanosPerSecond;
    while (fill_remaining_ > 0) {
      co_await sleep_for(Nanos{20'000'000});
      for (auto& connection : connections_) {
        fill_pump(*connection); // picks up retries after rate_limited/busy
      }
      if (now_ns() >= next_report) {
        next_report += 5 * kNanosPerSecond;
        const double elapsed = ns_to_seconds(now_ns() - start);
        const std::uint64_t done = total - fill_remaining_;
        std::fprintf(stderr, "  fill: %llu / %llu after %.0f s (%.0f/s), tracker RSS %ld KiB\n",
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                     elapsed, static_cast<double>(done) / elapsed, probe_.memory().rss_kib);
      }
    }
    const Sample last = sample();
    phase_ = Phase::idle;
    const auto after_stats = co_await query_stats();
    const ServerMemory after = probe_.memory();
    const double elapsed = ns_to_seconds(last.wall - first.wall);
    const auto ok = counters_->completed;
    const long long added = after_stats && before_stats
                                ? static_cast<long long>(after_stats->peer_entries) -
                                      static_cast<long long>(before_stats->peer_entries)
                                : static_cast<long long>(ok);
    const double growth_per_entry = added > 0 && before.rss_kib >= 0
                                        ? 1024.0 *
                                              static_cast<double>(after.rss_kib - before.rss_kib) /
                                              static_cast<double>(added)
                                        : -1;
    std::uint64_t db = 0;
    if (!options_.db_path.empty()) {
      db = file_bytes(options_.db_path) + file_bytes(options_.db_path + "-wal");
    }
    const long long entries_now = entries_of(after_stats);
    print_human("fill", first, last, static_cast<double>(ok) / elapsed);
    std::fprintf(
        stderr,
        "fill: %llu announced in %.1f s, %llu failed, %llu retries; tracker entries %lld "
        "(+%lld); RSS %ld -> %ld KiB = %.1f bytes per added entry%s\n",
        static_cast<unsigned long long>(ok), elapsed, static_cast<unsigned long long>(fill_failed_),
        static_cast<unsigned long long>(fill_retries_), entries_now, added, before.rss_kib,
        after.rss_kib, growth_per_entry,
        options_.db_path.empty() ? "" : (", database " + std::to_string(db) + " bytes").c_str());
    std::printf(
        "mode=fill connections=%u files=%zu entries_target=%llu announced=%llu failed=%llu "
        "retries=%llu manifests_sent=%llu elapsed_s=%.2f setup_s=%.2f rate=%.1f "
        "entries_before=%lld entries_after=%lld rss_before_kib=%ld rss_after_kib=%ld "
        "rss_growth_bytes_per_entry=%.1f db_bytes=%llu db_bytes_per_entry=%.1f %s\n",
        options_.connections, files_.size(), static_cast<unsigned long long>(total),
        static_cast<unsigned long long>(ok), static_cast<unsigned long long>(fill_failed_),
        static_cast<unsigned long long>(fill_retries_),
        static_cast<unsigned long long>(counters_->manifests_sent), elapsed, setup_s,
        static_cast<double>(ok) / elapsed, entries_of(before_stats), entries_now, before.rss_kib,
        after.rss_kib, growth_per_entry, static_cast<unsigned long long>(db),
        db > 0 && entries_now > 0 ? static_cast<double>(db) / static_cast<double>(entries_now)
                                  : -1.0,
        common_fields(first, last).c_str());
    std::fflush(stdout);
    co_return fill_failed_ == 0 && ok > 0 ? 0 : 1;
  }

  awaitable<int> run_closed(std::uint32_t inflight, double setup_s) {
    const auto before_stats = co_await query_stats();
    const Nanos start = now_ns();
    begin_run(Phase::closed, false, start, options_.warmup_s, options_.duration_s);
    asio::co_spawn(io_, watch_window(), asio::detached);
    for (auto& connection : connections_) {
      for (std::uint32_t k = 0; k < inflight; ++k) {
        issue(*connection, options_.op, next_file(*connection, options_.op), now_ns());
      }
    }
    co_await sleep_until(window_end_);
    co_await sleep_for(Nanos{1'000'000}); // let watch_window take its last sample
    co_await drain();
    const auto after_stats = co_await query_stats();
    const double rate = static_cast<double>(counters_->completed) / options_.duration_s;
    char what[64];
    std::snprintf(what, sizeof what, "closed %s K=%u", op_name(options_.op), inflight);
    print_human(what, window_first_, window_last_, rate);
    std::printf("mode=closed op=%s identities=%s connections=%u inflight=%u duration_s=%.1f "
                "warmup_s=%.1f setup_s=%.2f completed=%llu rate=%.1f entries_before=%lld "
                "entries_after=%lld peers_per_reply=%.1f short_replies=%llu %s\n",
                op_name(options_.op), options_.fresh_identities ? "fresh" : "fill",
                options_.connections, inflight, options_.duration_s, options_.warmup_s, setup_s,
                static_cast<unsigned long long>(counters_->completed), rate,
                entries_of(before_stats), entries_of(after_stats),
                counters_->completed > 0 && options_.op == Op::get_peers
                    ? static_cast<double>(counters_->peers_returned) /
                          static_cast<double>(counters_->completed)
                    : 0.0,
                static_cast<unsigned long long>(counters_->short_replies),
                common_fields(window_first_, window_last_).c_str());
    std::fflush(stdout);
    co_return run_status();
  }

  awaitable<int> run_open(double rate, double setup_s) {
    const auto before_stats = co_await query_stats();
    const Nanos start = now_ns() + Nanos{10'000'000};
    begin_run(Phase::open, true, start, options_.warmup_s, options_.duration_s);
    asio::co_spawn(io_, watch_window(), asio::detached);
    const double period = 1e9 / rate;
    const auto count = static_cast<std::uint32_t>(connections_.size());
    asio::steady_timer timer(io_);
    const auto tick = static_cast<Nanos>(options_.tick_us * 1000.0);
    Nanos last_wake = 0;
    std::uint64_t sent_total = 0;
    for (std::uint64_t k = 0;; ++k) {
      const Nanos due = start + static_cast<Nanos>(static_cast<double>(k) * period);
      if (due >= window_end_) {
        break;
      }
      if (due > now_ns()) {
        // One timer for the whole schedule, woken at most once a tick: a wake-up per
        // request would cost the generator more CPU than the requests. Whatever fell due
        // meanwhile goes out at once, still stamped with its scheduled time, so the tick
        // can only add to the latency we report, never hide any.
        timer.expires_at(to_time_point(std::max(due, last_wake + tick)));
        boost::system::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
        last_wake = now_ns();
      }
      Connection& connection = *connections_[k % count];
      if (issue(connection, options_.op, next_file(connection, options_.op), due)) {
        ++sent_total;
      }
    }
    co_await sleep_until(window_end_ + Nanos{1'000'000});
    co_await drain();
    const auto after_stats = co_await query_stats();
    const double achieved = static_cast<double>(counters_->completed) / options_.duration_s;
    char what[64];
    std::snprintf(what, sizeof what, "open %s at %.0f/s", op_name(options_.op), rate);
    print_human(what, window_first_, window_last_, achieved);
    std::printf("mode=open op=%s identities=%s connections=%u offered_rate=%.1f tick_us=%.0f "
                "duration_s=%.1f "
                "warmup_s=%.1f setup_s=%.2f sent=%llu completed=%llu rate=%.1f entries_before=%lld "
                "entries_after=%lld peers_per_reply=%.1f short_replies=%llu %s\n",
                op_name(options_.op), options_.fresh_identities ? "fresh" : "fill",
                options_.connections, rate, options_.tick_us, options_.duration_s,
                options_.warmup_s, setup_s, static_cast<unsigned long long>(sent_total),
                static_cast<unsigned long long>(counters_->completed), achieved,
                entries_of(before_stats), entries_of(after_stats),
                counters_->completed > 0 && options_.op == Op::get_peers
                    ? static_cast<double>(counters_->peers_returned) /
                          static_cast<double>(counters_->completed)
                    : 0.0,
                static_cast<unsigned long long>(counters_->short_replies),
                common_fields(window_first_, window_last_).c_str());
    std::fflush(stdout);
    co_return run_status();
  }

  asio::io_context& io_;
  Options options_;
  tcp::endpoint server_;
  std::optional<crypto::PeerId> tracker_id_;
  std::vector<BenchFile> files_;
  std::vector<bool> file_known_;
  ServerProbe probe_;
  crypto::NetworkId network_;
  std::uint64_t fresh_seed_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;

  // set-up
  std::uint32_t connecting_ = 0;
  std::uint32_t alive_ = 0;
  std::uint32_t readers_ = 0;
  std::uint64_t tcp_errors_ = 0;
  std::uint64_t handshake_failures_ = 0;
  std::uint64_t connect_retries_ = 0;
  std::string last_connect_error_;
  bool closing_ = false;
  std::uint64_t disconnects_ = 0;
  std::uint64_t disconnects_before_run_ = 0;

  // the current run
  Phase phase_ = Phase::idle;
  bool open_loop_ = false;
  std::uint16_t generation_ = 0;
  std::int64_t outstanding_ = 0;
  Nanos window_start_ = 0;
  Nanos window_end_ = 0;
  Sample window_first_;
  Sample window_last_;
  std::unique_ptr<RunCounters> counters_ = std::make_unique<RunCounters>();
  std::optional<proto::StatsReply> last_stats_;
  bool stats_failed_ = false;

  // fill
  std::uint64_t fill_remaining_ = 0;
  std::uint64_t fill_failed_ = 0;
  std::uint64_t fill_retries_ = 0;
};

// ---- Command line -----------------------------------------------------------------------

struct TrackerAddress {
  std::string host;
  std::string port;
  std::optional<crypto::PeerId> peer_id;
};

core::Result<TrackerAddress> parse_tracker(const std::string& text, std::string& why) {
  TrackerAddress address;
  std::string rest = text;
  if (const auto at = rest.find('@'); at != std::string::npos) {
    auto peer = crypto::PeerId::parse(rest.substr(0, at));
    if (!peer) {
      why = "not a Peer ID: " + rest.substr(0, at);
      return peer.error();
    }
    address.peer_id = peer.value();
    rest = rest.substr(at + 1);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 == rest.size()) {
    why = "expected HOST:PORT, got " + rest;
    return core::Errc::invalid_endpoint;
  }
  address.host = rest.substr(0, colon);
  address.port = rest.substr(colon + 1);
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  return address;
}

// Each connection needs a descriptor; the default soft limit (1,024) is too low for 1,000
// connections plus the process's own.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

} // namespace

int main(int argc, char** argv) {
  Options options;
  std::string mode = "fill";
  std::string op = "announce";
  std::string identities = "fill";
  std::string inflight_text;
  std::string rate_text;

  CLI::App app{"Load generator for a running swarmshare-tracker (bench/README.md)"};
  app.add_option("mode", mode, "fill | closed | open")
      ->required()
      ->check(CLI::IsMember({"fill", "closed", "open"}));
  app.add_option("--tracker", options.tracker, "[PEERID@]HOST:PORT of the tracker")->required();
  app.add_option("--server-pid", options.server_pid,
                 "the tracker's pid: its CPU time and memory are read from /proc");
  app.add_option("--db", options.db_path, "the tracker's database file (fill: its size)");
  app.add_option("--connections,-c", options.connections, "secure connections")
      ->check(CLI::Range(1U, 100000U))
      ->capture_default_str();
  app.add_option("--files", options.files, "distinct File IDs")
      ->check(CLI::Range(1U, 10000000U))
      ->capture_default_str();
  app.add_option("--entries", options.entries,
                 "fill: peer entries to make (default files x connections); other modes: the "
                 "fill's count, to announce on the same entries");
  app.add_option("--op", op, "closed/open: announce | refresh | get_peers")
      ->check(CLI::IsMember({"announce", "refresh", "get_peers"}))
      ->capture_default_str();
  app.add_option("--identities", identities,
                 "fill: the Peer IDs of --seed (announces update the fill's entries); fresh: "
                 "random Peer IDs (announces add entries)")
      ->check(CLI::IsMember({"fill", "fresh"}))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "seed of the connections' identities")
      ->capture_default_str();
  app.add_option("--inflight,-k", inflight_text,
                 "requests in flight per connection; closed: a list, one run each (default "
                 "1,2,4); fill: the last value (default 4)");
  app.add_option("--rate,-r", rate_text, "open: offered requests/s in total, a list, one run each");
  app.add_option("--duration,-d", options.duration_s, "measured seconds per run")
      ->capture_default_str();
  app.add_option("--warmup", options.warmup_s, "seconds before the measured window")
      ->capture_default_str();
  app.add_option("--drain", options.drain_s,
                 "seconds to wait for replies after the window; later ones are timeouts")
      ->capture_default_str();
  app.add_option("--tick-us", options.tick_us,
                 "open: the send timer wakes at most this often; requests due in between go "
                 "out together (their latency still counts from their scheduled time)")
      ->check(CLI::Range(0.0, 100000.0))
      ->capture_default_str();
  app.add_option("--limit", options.limit, "get_peers limit")
      ->check(CLI::Range(1U, proto::kMaxPeersPerReply))
      ->capture_default_str();
  app.add_option("--port", options.port, "port announced")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--connect-concurrency", options.connect_concurrency,
                 "handshakes in progress at once")
      ->check(CLI::Range(1U, 10000U))
      ->capture_default_str();
  app.add_option("--connect-rate", options.connect_rate,
                 "connections started per second (0: as fast as the concurrency allows)")
      ->capture_default_str();
  app.add_option("--connect-attempts", options.connect_attempts, "tries per connection")
      ->check(CLI::Range(1U, 100U))
      ->capture_default_str();
  app.add_option("--bind-spread", options.bind_spread,
                 "bind connection i to 127.0.0.(1 + i mod N): spreads connections over N "
                 "loopback source addresses (0: do not bind)")
      ->capture_default_str();
  app.add_option("--network", options.network, "network name")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.mode = mode == "fill" ? Mode::fill : mode == "closed" ? Mode::closed : Mode::open;
  options.op = op == "announce" ? Op::announce : op == "refresh" ? Op::refresh : Op::get_peers;
  options.fresh_identities = identities == "fresh";
  if (options.entries == 0) {
    options.entries = std::uint64_t{options.files} * options.connections;
  }
  if (options.entries > std::uint64_t{options.files} * options.connections) {
    std::fprintf(stderr, "--entries %llu needs at least entries/connections files (--files)\n",
                 static_cast<unsigned long long>(options.entries));
    return 2;
  }
  const auto parse_list = [](const std::string& text, auto& out) {
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
      double value = 0;
      try {
        value = std::stod(item);
      } catch (const std::exception&) {
        return false;
      }
      if (!(value > 0)) {
        return false;
      }
      out.push_back(static_cast<typename std::decay_t<decltype(out)>::value_type>(value));
    }
    return true;
  };
  if (!parse_list(inflight_text.empty() ? (options.mode == Mode::fill ? "4" : "1,2,4")
                                        : inflight_text,
                  options.inflight) ||
      options.inflight.empty() ||
      *std::max_element(options.inflight.begin(), options.inflight.end()) >= kRingSize) {
    std::fprintf(stderr, "--inflight: a list of numbers from 1 to %zu\n", kRingSize - 1);
    return 2;
  }
  if (options.mode == Mode::open &&
      (!parse_list(rate_text, options.rates) || options.rates.empty())) {
    std::fprintf(stderr, "open needs --rate R[,R...] (requests per second, > 0)\n");
    return 2;
  }
  if (options.duration_s <= 0 || options.warmup_s < 0 || options.drain_s < 0) {
    std::fprintf(stderr, "--duration must be > 0, --warmup and --drain >= 0\n");
    return 2;
  }

  std::string why;
  auto address = parse_tracker(options.tracker, why);
  if (!address) {
    std::fprintf(stderr, "--tracker: %s\n", why.c_str());
    return 2;
  }

  crypto::init();
  raise_file_limit();
  auto files = make_files(options.files);
  if (!files) {
    std::fprintf(stderr, "manifests: %s\n", files.error().message().c_str());
    return 1;
  }

  asio::io_context io{1};
  tcp::endpoint server;
  {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(address.value().host, address.value().port, ec);
    if (ec || results.empty()) {
      std::fprintf(stderr, "--tracker: cannot resolve %s: %s\n", options.tracker.c_str(),
                   ec.message().c_str());
      return 2;
    }
    server = results.begin()->endpoint();
  }

  int status = 1;
  {
    auto generator = std::make_unique<Generator>(io, options, server, address.value().peer_id,
                                                 std::move(files).value());
    asio::co_spawn(io, generator->run(), [&](const std::exception_ptr& error, int result) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "failed: %s\n", e.what());
        }
        status = 1;
      } else {
        status = result;
      }
      io.stop();
    });
    io.run();
  }
  return status;
}
