// The DHT as a whole, simulated: 1,000 nodes on a virtual clock, round trips of 20 to 80 ms
// and 1 % of datagrams lost. Lookups must find the node closest to their target, and keep
// finding it after a fifth of the nodes die without a word. (The times these lookups take
// are figures for bench/, reported here only as information.)

#include "simulated_dht.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;

double success_rate(const std::vector<sim::LookupOutcome>& outcomes) {
  const auto found = std::count_if(outcomes.begin(), outcomes.end(),
                                   [](const sim::LookupOutcome& o) { return o.found_closest; });
  return static_cast<double>(found) / static_cast<double>(outcomes.size());
}

void describe(const char* label, std::vector<sim::LookupOutcome> outcomes) {
  std::sort(outcomes.begin(), outcomes.end(),
            [](const auto& a, const auto& b) { return a.duration < b.duration; });
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(q * static_cast<double>(outcomes.size() - 1));
    return std::chrono::duration_cast<std::chrono::milliseconds>(outcomes[index].duration).count();
  };
  std::cout << label << ": success " << success_rate(outcomes) * 100 << " %, virtual time p50 "
            << at(0.5) << " ms, p90 " << at(0.9) << " ms, p99 " << at(0.99) << " ms\n";
}

TEST(DhtSimulation, lookupsAmongAThousandNodesFindTheClosestNodeDespiteLossAndDeaths) {
  sim::SimulatedDht dht(1000, 11);
  dht.join_all(20ms, 30s);
  const auto healthy = dht.run_lookups(1000, 20ms);
  ASSERT_EQ(healthy.size(), 1000U);
  describe("1,000 nodes", healthy);
  EXPECT_GE(success_rate(healthy), 0.995);

  dht.kill_fraction(0.2);
  const auto after_deaths = dht.run_lookups(1000, 20ms);
  ASSERT_EQ(after_deaths.size(), 1000U);
  describe("after 20 % died", after_deaths);
  EXPECT_GE(success_rate(after_deaths), 0.97);
}

TEST(DhtSimulation, aJoiningNodeFillsItsRoutingTableThroughOneBootstrapNode) {
  sim::SimulatedDht dht(200, 5);
  dht.join_all(20ms, 10s);
  for (const auto& member : dht.members()) {
    EXPECT_GE(member->node->routing_table().size(), 8U);
  }
}

} // namespace
} // namespace swarmshare::dht
