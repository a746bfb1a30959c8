#include "swarmshare/dht/asio_scheduler.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

namespace swarmshare::dht {
namespace {

namespace asio = boost::asio;

struct Due {
  Scheduler::TimePoint when;
  std::uint64_t id; // ids grow, so they also order calls due at the same instant
};

/// For std::push_heap and friends: the earliest (then first scheduled) on top.
struct Later {
  bool operator()(const Due& a, const Due& b) const noexcept {
    return a.when != b.when ? a.when > b.when : a.id > b.id;
  }
};

/// Cancelled calls stay in the heap until they come up; rebuild it when they outnumber
/// the live ones, so a node that cancels every request timeout keeps a small heap.
constexpr std::size_t kCompactAbove = 64;

} // namespace

struct AsioScheduler::State : std::enable_shared_from_this<State> {
  explicit State(const asio::any_io_executor& executor) : timer(executor) {}

  void arm() {
    while (!heap.empty() && !callbacks.contains(heap.front().id)) {
      std::pop_heap(heap.begin(), heap.end(), Later{});
      heap.pop_back();
    }
    if (heap.empty()) {
      if (armed) {
        timer.cancel();
        armed.reset();
      }
      return;
    }
    const auto earliest = heap.front().when;
    if (armed == earliest) {
      return;
    }
    armed = earliest;
    timer.expires_at(earliest); // cancels the wait for a later time, if any
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      const auto self = weak.lock();
      if (!self || error == asio::error::operation_aborted) {
        return; // destroyed, or re-armed (whoever re-armed waits now)
      }
      self->armed.reset();
      self->run_due();
    });
  }

  void run_due() {
    // Calls scheduled by these callbacks wait for the next round, even with no delay:
    // after() never calls from inside itself, and a zero-delay loop cannot starve Asio.
    const auto now = std::chrono::steady_clock::now();
    while (!destroyed && !heap.empty() && heap.front().when <= now) {
      const auto id = heap.front().id;
      std::pop_heap(heap.begin(), heap.end(), Later{});
      heap.pop_back();
      const auto found = callbacks.find(id);
      if (found == callbacks.end()) {
        continue; // cancelled
      }
      auto callback = std::move(found->second);
      callbacks.erase(found);
      if (callback) {
        callback(); // may schedule, cancel, or destroy the scheduler (we hold `this`)
      }
    }
    if (!destroyed) {
      arm();
    }
  }

  void compact() {
    if (heap.size() <= kCompactAbove || heap.size() <= 2 * callbacks.size()) {
      return;
    }
    std::erase_if(heap, [this](const Due& due) { return !callbacks.contains(due.id); });
    std::make_heap(heap.begin(), heap.end(), Later{});
  }

  asio::steady_timer timer;
  std::optional<TimePoint> armed; // what the timer waits for, if it waits
  std::vector<Due> heap;
  std::unordered_map<std::uint64_t, std::function<void()>> callbacks;
  std::uint64_t next_id = 1; // 0 is never a TimerId
  bool destroyed = false;
};

AsioScheduler::AsioScheduler(const asio::any_io_executor& executor)
    : state_(std::make_shared<State>(executor)) {}

AsioScheduler::~AsioScheduler() {
  state_->destroyed = true;
  state_->timer.cancel();
  state_->callbacks.clear(); // none is called: the handler finds the state gone or empty
  state_->heap.clear();
}

Scheduler::TimePoint AsioScheduler::now() const noexcept {
  return std::chrono::steady_clock::now();
}

Scheduler::TimerId AsioScheduler::after(Duration delay, std::function<void()> callback) {
  const auto id = state_->next_id++;
  const auto when = now() + std::max(delay, Duration::zero());
  state_->callbacks.emplace(id, std::move(callback));
  state_->heap.push_back(Due{when, id});
  std::push_heap(state_->heap.begin(), state_->heap.end(), Later{});
  state_->arm();
  return TimerId{id};
}

void AsioScheduler::cancel(TimerId id) noexcept {
  if (state_->callbacks.erase(static_cast<std::uint64_t>(id)) != 0) {
    state_->compact();
    // The timer may now wait for a call that will not happen: harmless, it re-arms then.
  }
}

std::size_t AsioScheduler::pending() const noexcept { return state_->callbacks.size(); }

} // namespace swarmshare::dht
