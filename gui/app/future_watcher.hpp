#pragma once
// Engine commands answer with std::future; the GUI thread must never wait on one. This
// looks at the pending futures on a short timer and calls each callback on the GUI thread
// once its future is ready.
#include <wx/timer.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <vector>

namespace swarmshare::gui {

class FutureWatcher {
public:
  FutureWatcher() {
    timer_.Bind(wxEVT_TIMER, [this](wxTimerEvent&) { poll(); });
  }

  template <class T>
  void when_ready(std::future<T> future, std::function<void(T)> done) {
    auto shared = std::make_shared<std::future<T>>(std::move(future));
    pending_.push_back([shared, done = std::move(done)]() {
      if (shared->wait_for(std::chrono::seconds{0}) != std::future_status::ready) {
        return false;
      }
      done(shared->get());
      return true;
    });
    if (!timer_.IsRunning()) {
      timer_.Start(kPollMilliseconds);
    }
  }

private:
  static constexpr int kPollMilliseconds = 40;

  void poll() {
    // A callback may add futures of its own: take the list first.
    auto checking = std::move(pending_);
    pending_.clear();
    for (auto& ready : checking) {
      if (!ready()) {
        pending_.push_back(std::move(ready));
      }
    }
    if (pending_.empty()) {
      timer_.Stop();
    }
  }

  std::vector<std::function<bool()>> pending_;
  wxTimer timer_;
};

} // namespace swarmshare::gui
