#pragma once
// The real-time Scheduler: calls on a Boost.Asio executor, on the steady clock.
//
// One steady_timer waits for the earliest call; the calls themselves are kept in a heap
// ordered by (due time, order of scheduling), so two calls due at the same instant run in
// the order they were scheduled, as in the simulated network (sim_network.hpp).
//
// Threads: call everything, including the destructor, on the executor's thread (or while
// it is not running); callbacks run there.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/dht/transport.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <memory>

namespace swarmshare::dht {

class AsioScheduler final : public Scheduler {
public:
  explicit AsioScheduler(const boost::asio::any_io_executor& executor);
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;
  AsioScheduler(AsioScheduler&&) = delete;
  AsioScheduler& operator=(AsioScheduler&&) = delete;
  /// Cancels every pending call without making it; safe from inside a callback.
  ~AsioScheduler() override;

  /// std::chrono::steady_clock::now().
  [[nodiscard]] TimePoint now() const noexcept override;
  [[nodiscard]] TimerId after(Duration delay, std::function<void()> callback) override;
  void cancel(TimerId id) noexcept override;

  /// Calls scheduled and neither made nor cancelled yet.
  [[nodiscard]] std::size_t pending() const noexcept;

private:
  struct State;
  std::shared_ptr<State> state_; // the timer's handler holds it weakly
};

} // namespace swarmshare::dht
