#pragma once
// Permission tests that also mean something when the suite runs as root (as CI does): root
// ignores file modes, so there the body runs in a child process that first drops to the
// unprivileged user nobody (65534). The body's gtest failures in the child make its exit
// status non-zero, which fails the test in the parent.

#include <functional>

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare::test {

inline constexpr uid_t kNobody = 65534;

inline void as_unprivileged(const std::function<void()>& body) {
  if (::geteuid() != 0) {
    body();
    return;
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      ::_exit(3);
    }
    body();
    ::_exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the unprivileged child did not exit normally";
  EXPECT_NE(WEXITSTATUS(status), 3) << "could not drop to uid " << kNobody;
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "the body failed as uid " << kNobody << " (its messages are above)";
}

} // namespace swarmshare::test
