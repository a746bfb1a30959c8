// bench_handshakes: complete authenticated handshakes per second, both sides in one process on
// one thread, sans-IO (no sockets). Each handshake is what a connection costs in production:
// fresh ephemeral keys, both certificates checked, transport keys split.
//
//   bench_handshakes [iterations per run, default 5000] [runs, default 5]
//
// Prints each run and the median. Target: >= 2,500 handshakes/s (docs/BENCHMARKS.md).

#include "swarmshare/crypto/secure_handshake.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace swarmshare;
using namespace swarmshare::crypto;

bool handshake_once(StaticKeyManager& alice, StaticKeyManager& bob, const core::Clock& clock) {
  SecureHandshake initiator = SecureHandshake::initiator(alice.current(), clock, bob.peer_id());
  SecureHandshake responder = SecureHandshake::responder(bob.current(), clock);
  auto message_1 = initiator.start();
  if (!message_1) {
    return false;
  }
  auto step_2 = responder.on_message(message_1.value());
  if (!step_2) {
    return false;
  }
  auto step_3 = initiator.on_message(step_2.value().send);
  if (!step_3) {
    return false;
  }
  auto last = responder.on_message(step_3.value().send);
  if (!last || !last.value().done) {
    return false;
  }
  return initiator.split_keys() && responder.split_keys() && initiator.handshake_hash() &&
         responder.handshake_hash();
}

} // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 5000;
  const long runs = argc > 2 ? std::atol(argv[2]) : 5;
  if (iterations <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: bench_handshakes [iterations] [runs]\n");
    return 2;
  }
  const core::Clock& clock = core::real_clock();
  const Identity alice_identity = Identity::generate();
  const Identity bob_identity = Identity::generate();
  StaticKeyManager alice(alice_identity, NetworkId::public_network(), clock);
  StaticKeyManager bob(bob_identity, NetworkId::public_network(), clock);

  std::vector<double> rates;
  for (long run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) {
      if (!handshake_once(alice, bob, clock)) {
        std::fprintf(stderr, "handshake failed\n");
        return 1;
      }
    }
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    rates.push_back(static_cast<double>(iterations) / seconds.count());
    std::printf("run %ld: %ld handshakes in %.3f s = %.0f handshakes/s\n", run + 1, iterations,
                seconds.count(), rates.back());
  }
  std::sort(rates.begin(), rates.end());
  std::printf("median: %.0f handshakes/s (%.1f us each, both sides)\n", rates[rates.size() / 2],
              1e6 / rates[rates.size() / 2]);
  return 0;
}
