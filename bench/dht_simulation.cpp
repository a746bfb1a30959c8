// bench_dht_simulation: the DHT in simulation (bench/README.md): N nodes on a virtual clock
// with round trips of 20 to 80 ms and 1 % of datagrams lost, joined one after another
// through earlier nodes; then find_node lookups for the IDs of live nodes, before and after
// a fraction of the nodes is killed. Prints one line per phase: the share of lookups that
// found the node closest to their target, the lookup time (virtual: from start until the k
// closest have answered or the lookup gave up) at p50/p90/p99, requests and bytes per
// lookup, and the wall time the simulation took.
//
//   bench_dht_simulation [--nodes N] [--lookups N] [--kill FRACTION] [--seed S]

#include "simulated_dht.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

using namespace swarmshare::dht;
using namespace std::chrono_literals;

double ms(Scheduler::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void report(const char* phase, std::size_t nodes, std::vector<sim::LookupOutcome> outcomes,
            double wall_s) {
  std::sort(outcomes.begin(), outcomes.end(),
            [](const auto& a, const auto& b) { return a.duration < b.duration; });
  const auto at = [&](double q) {
    return ms(
        outcomes[static_cast<std::size_t>(q * static_cast<double>(outcomes.size() - 1))].duration);
  };
  double found = 0;
  double requests = 0;
  double bytes = 0;
  for (const auto& o : outcomes) {
    found += o.found_closest ? 1 : 0;
    requests += static_cast<double>(o.requests);
    bytes += static_cast<double>(o.bytes);
  }
  const auto n = static_cast<double>(outcomes.size());
  std::printf("phase=%s nodes=%zu lookups=%zu success_pct=%.2f p50_ms=%.0f p90_ms=%.0f "
              "p99_ms=%.0f requests_per_lookup=%.1f bytes_per_lookup=%.0f wall_s=%.1f\n",
              phase, nodes, outcomes.size(), 100 * found / n, at(0.5), at(0.9), at(0.99),
              requests / n, bytes / n, wall_s);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"The DHT in simulation: lookup success and time"};
  std::size_t nodes = 1000;
  std::size_t lookups = 1000;
  double kill = 0.2;
  std::uint64_t seed = 11;
  app.add_option("--nodes", nodes, "nodes in the simulated network");
  app.add_option("--lookups", lookups, "lookups per phase");
  app.add_option("--kill", kill, "fraction of nodes killed before the second phase");
  app.add_option("--seed", seed, "randomness of the whole run");
  CLI11_PARSE(app, argc, argv);

  const auto wall = [] { return std::chrono::steady_clock::now(); };
  auto started = wall();
  sim::SimulatedDht dht(nodes, seed);
  dht.join_all(20ms, 30s);
  std::vector<std::size_t> sizes;
  for (const auto& member : dht.members()) {
    sizes.push_back(member->node->routing_table().size());
  }
  std::sort(sizes.begin(), sizes.end());
  std::printf("joined nodes=%zu routing_min=%zu routing_p01=%zu routing_p50=%zu wall_s=%.1f\n",
              nodes, sizes.front(), sizes[sizes.size() / 100], sizes[sizes.size() / 2],
              std::chrono::duration<double>(wall() - started).count());
  started = wall();
  report("healthy", nodes, dht.run_lookups(lookups, 20ms),
         std::chrono::duration<double>(wall() - started).count());
  dht.kill_fraction(kill);
  started = wall();
  report("after_kill", nodes, dht.run_lookups(lookups, 20ms),
         std::chrono::duration<double>(wall() - started).count());
  return 0;
}
