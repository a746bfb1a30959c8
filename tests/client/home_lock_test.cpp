#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"

#include "temp_dir.hpp"

#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace swarmshare::client {
namespace {

TEST(HomeLock, acquiresAMissingHomeByCreatingIt) {
  test::TempDir dir;
  const auto home = dir.path() / "a" / "home";
  auto lock = HomeLock::acquire(home, "swarmshare-cli");
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_TRUE(std::filesystem::is_directory(home));
  EXPECT_EQ(lock.value().home(), home);
}

TEST(HomeLock, refusesASecondHolderAndNamesTheFirst) {
  test::TempDir dir;
  auto first = HomeLock::acquire(dir.path(), "swarmshare-cli");
  ASSERT_TRUE(first);
  auto second = HomeLock::acquire(dir.path(), "swarmshare");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), make_error_code(Errc::home_in_use));
  const auto holder = HomeLock::holder(dir.path());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->process_id, static_cast<long>(::getpid()));
  EXPECT_EQ(holder->program, "swarmshare-cli");
  EXPECT_EQ(describe_home_in_use(dir.path()), "home directory " + dir.path().string() +
                                                  " is in use by process " +
                                                  std::to_string(::getpid()) + " (swarmshare-cli)");
}

TEST(HomeLock, isFreeAgainOnceReleased) {
  test::TempDir dir;
  {
    auto first = HomeLock::acquire(dir.path(), "one");
    ASSERT_TRUE(first);
  }
  auto again = HomeLock::acquire(dir.path(), "two");
  ASSERT_TRUE(again);
  EXPECT_EQ(HomeLock::holder(dir.path())->program, "two");
}

TEST(HomeLock, movedLockStillHoldsAndReleasesOnce) {
  test::TempDir dir;
  auto first = HomeLock::acquire(dir.path(), "one");
  ASSERT_TRUE(first);
  {
    HomeLock moved = std::move(first).value();
    EXPECT_FALSE(HomeLock::acquire(dir.path(), "two"));
  }
  EXPECT_TRUE(HomeLock::acquire(dir.path(), "two"));
}

TEST(HomeLock, killedHolderLeavesNoStaleLock) {
  test::TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    auto lock = HomeLock::acquire(dir.path(), "child");
    const char status = lock ? 'y' : 'n';
    (void)!::write(ready[1], &status, 1);
    for (;;) {
      ::pause(); // holds the lock until killed
    }
  }
  ::close(ready[1]);
  char status = 0;
  ASSERT_EQ(::read(ready[0], &status, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(status, 'y');

  auto refused = HomeLock::acquire(dir.path(), "parent");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(Errc::home_in_use));
  EXPECT_EQ(HomeLock::holder(dir.path())->process_id, static_cast<long>(child));

  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status));

  auto taken = HomeLock::acquire(dir.path(), "parent");
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_EQ(HomeLock::holder(dir.path())->process_id, static_cast<long>(::getpid()));
}

TEST(HomeLock, holderIgnoresAForeignOrTornFile) {
  test::TempDir dir;
  const auto write_lock_file = [&](const std::string& content) {
    std::ofstream(dir.path() / HomeLock::kFileName, std::ios::binary | std::ios::trunc) << content;
  };
  EXPECT_FALSE(HomeLock::holder(dir.path()).has_value()); // no file at all
  write_lock_file("not a holder\n");
  EXPECT_FALSE(HomeLock::holder(dir.path()).has_value());
  write_lock_file("1234 swarmshare"); // torn: no end of line yet
  EXPECT_FALSE(HomeLock::holder(dir.path()).has_value());
  write_lock_file("-5 x\n");
  EXPECT_FALSE(HomeLock::holder(dir.path()).has_value());
  write_lock_file("1234x\n");
  EXPECT_FALSE(HomeLock::holder(dir.path()).has_value());
  write_lock_file("1234\n");
  ASSERT_TRUE(HomeLock::holder(dir.path()).has_value());
  EXPECT_EQ(HomeLock::holder(dir.path())->process_id, 1234);
  EXPECT_EQ(describe_home_in_use(dir.path()),
            "home directory " + dir.path().string() + " is in use by process 1234");
}

TEST(HomeLock, programNameWithANewlineStaysOneLine) {
  test::TempDir dir;
  auto lock = HomeLock::acquire(dir.path(), "evil\n999 other");
  ASSERT_TRUE(lock);
  const auto holder = HomeLock::holder(dir.path());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->process_id, static_cast<long>(::getpid()));
  EXPECT_EQ(holder->program, "evil_999 other");
}

TEST(HomeLock, homeUnderARegularFileIsUnusable) {
  test::TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto lock = HomeLock::acquire(dir.path() / "file" / "home", "cli");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error(), make_error_code(Errc::home_unusable));
}

} // namespace
} // namespace swarmshare::client
