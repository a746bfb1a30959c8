#pragma once
// The node speaks in callbacks (its lookups run on the Scheduler); the registry interface
// speaks in coroutines. This turns one into the other.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace swarmshare::dht::detail {

/// Calls `start(callback)` and resumes the coroutine with the value the callback gets.
/// The resumption is posted to `executor`, never made inside the callback: the node that
/// calls back is in the middle of its own work. A second call of the callback is ignored;
/// a callback never called (the node destroyed) destroys the waiting coroutine with it.
/// `start` must capture only what has no destructor (pointers, IDs): g++ 12 destroys a
/// temporary with one twice when it sits in a co_await expression.
template <class T, class Start>
boost::asio::awaitable<T> await_callback(boost::asio::any_io_executor executor, Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(T)>(
      [executor = std::move(executor), start = std::move(start)](auto handler) mutable {
        using Handler = decltype(handler);
        auto waiting = std::make_shared<std::optional<Handler>>(std::move(handler));
        start(std::function<void(T)>{[executor, waiting](T value) {
          boost::asio::post(executor, [waiting, value = std::move(value)]() mutable {
            if (!waiting->has_value()) {
              return;
            }
            Handler resume = std::move(**waiting);
            waiting->reset();
            std::move(resume)(std::move(value));
          });
        }});
      },
      boost::asio::use_awaitable);
}

} // namespace swarmshare::dht::detail
