#pragma once
// Runs one test coroutine on an io_context until it finishes; the time limit is a safety
// net only (a body that never finishes fails the test instead of hanging it).

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>

namespace swarmshare::test {

inline void run_coroutine(boost::asio::io_context& io,
                          const std::function<boost::asio::awaitable<void>()>& body,
                          std::chrono::seconds limit) {
  bool done = false;
  boost::asio::co_spawn(io, body(), [&](const std::exception_ptr& error) {
    done = true;
    io.stop();
    if (error) {
      std::rethrow_exception(error);
    }
  });
  io.restart();
  io.run_for(limit);
  EXPECT_TRUE(done) << "the test body did not finish";
}

} // namespace swarmshare::test
