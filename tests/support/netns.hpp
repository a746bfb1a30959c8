#pragma once
// Tests that need a network of their own: the body runs in a forked child inside a new
// network namespace (unshare(CLONE_NEWNET), which needs root or CAP_SYS_ADMIN), where the
// only interface is a fresh loopback. Nothing the body sends can leave the machine, or even
// reach the host's real interfaces, so tests may multicast there.
//
// In the child: `lo` is brought up with IFF_UP|IFF_MULTICAST; IPv4 multicast then works by
// naming 127.0.0.1 as the interface (IP_MULTICAST_IF and the group join), with no route.
// IPv6 needs a route for ff00::/8: Linux turns an ordinary route via lo into a reject route,
// so it is added as type "local" in the local table (like `ip -6 route add local ff00::/8
// dev lo table local`); if that fails, NetnsInfo says so and the body may skip its IPv6 part.
//
// The child reports through its exit status: 0 passed, 1 the body failed (its gtest messages
// are in the output), kNetnsUnavailable the namespace could not be made (the test is then
// skipped with the reason), kNetnsSetupFailed the namespace is not as expected.

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare::test {

struct NetnsInfo {
  bool ipv6_multicast = false; ///< the ff00::/8 route on lo is in place
  std::string ipv6_problem;    ///< why not, if not
};

inline constexpr int kNetnsUnavailable = 77;
inline constexpr int kNetnsSetupFailed = 78;

namespace netns_detail {

inline std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Returns an empty string on success, else what went wrong.
inline std::string bring_up_loopback() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return errno_text("socket");
  }
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  std::string problem;
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
    problem = errno_text("SIOCGIFFLAGS lo");
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_MULTICAST);
    if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) {
      problem = errno_text("SIOCSIFFLAGS lo");
    }
  }
  ::close(fd);
  return problem;
}

// The namespace must hold lo and nothing else: proof that no real interface is reachable.
inline std::string check_only_loopback() {
  struct if_nameindex* list = ::if_nameindex(); // the struct shares the function's name
  if (list == nullptr) {
    return errno_text("if_nameindex");
  }
  std::string problem;
  for (const struct if_nameindex* item = list; item->if_index != 0; ++item) {
    if (std::strcmp(item->if_name, "lo") != 0) {
      problem += std::string(problem.empty() ? "" : ", ") + "unexpected interface " + item->if_name;
    }
  }
  ::if_freenameindex(list);
  return problem;
}

// rtnetlink RTM_NEWROUTE: local ff00::/8 dev lo table local.
inline std::string add_ipv6_multicast_route() {
  const unsigned lo_index = ::if_nametoindex("lo");
  if (lo_index == 0) {
    return errno_text("if_nametoindex lo");
  }
  struct Request {
    nlmsghdr header;
    rtmsg route;
    std::array<char, 64> attributes;
  } request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  request.header.nlmsg_type = RTM_NEWROUTE;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  request.header.nlmsg_seq = 1;
  request.route.rtm_family = AF_INET6;
  request.route.rtm_dst_len = 8;
  request.route.rtm_table = RT_TABLE_LOCAL;
  request.route.rtm_protocol = RTPROT_BOOT;
  request.route.rtm_scope = RT_SCOPE_HOST;
  request.route.rtm_type = RTN_LOCAL;
  const auto add_attribute = [&request](unsigned short type, const void* data, std::size_t size) {
    auto* attribute = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&request) +
                                                NLMSG_ALIGN(request.header.nlmsg_len));
    attribute->rta_type = type;
    attribute->rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
    std::memcpy(RTA_DATA(attribute), data, size);
    request.header.nlmsg_len =
        NLMSG_ALIGN(request.header.nlmsg_len) + RTA_ALIGN(attribute->rta_len);
  };
  std::array<unsigned char, 16> prefix{0xff};
  add_attribute(RTA_DST, prefix.data(), prefix.size());
  const auto oif = static_cast<std::uint32_t>(lo_index);
  add_attribute(RTA_OIF, &oif, sizeof(oif));

  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    return errno_text("netlink socket");
  }
  std::string problem;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0) {
    problem = errno_text("netlink send");
  } else {
    std::array<char, 4096> answer{};
    const auto size = ::recv(fd, answer.data(), answer.size(), 0);
    const auto* reply = reinterpret_cast<const nlmsghdr*>(answer.data());
    if (size < 0) {
      problem = errno_text("netlink recv");
    } else if (!NLMSG_OK(reply, static_cast<unsigned>(size)) || reply->nlmsg_type != NLMSG_ERROR) {
      problem = "unexpected netlink answer";
    } else if (const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(reply));
               error->error != 0) {
      errno = -error->error;
      problem = errno_text("RTM_NEWROUTE local ff00::/8 dev lo");
    }
  }
  ::close(fd);
  return problem;
}

} // namespace netns_detail

/// Runs `body` in a child process inside a new network namespace (see above) and asserts
/// that it passed. `limit` is a safety net: a child still running then is killed.
inline void run_in_new_netns(const std::function<void(const NetnsInfo&)>& body,
                             std::chrono::seconds limit = std::chrono::seconds{60}) {
  std::cout.flush();
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << netns_detail::errno_text("fork");
  if (child == 0) {
    ::alarm(static_cast<unsigned>(limit.count()));
    if (::unshare(CLONE_NEWNET) != 0) {
      std::cerr << netns_detail::errno_text("unshare(CLONE_NEWNET)") << '\n';
      ::_exit(kNetnsUnavailable);
    }
    std::string problem = netns_detail::bring_up_loopback();
    if (problem.empty()) {
      problem = netns_detail::check_only_loopback();
    }
    if (!problem.empty()) {
      std::cerr << "network namespace setup: " << problem << '\n';
      ::_exit(kNetnsSetupFailed);
    }
    NetnsInfo info;
    info.ipv6_problem = netns_detail::add_ipv6_multicast_route();
    info.ipv6_multicast = info.ipv6_problem.empty();
    body(info);
    const bool failed = ::testing::Test::HasFailure();
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(failed ? 1 : 0);
  }
  int status = 0;
  pid_t waited = -1;
  do {
    waited = ::waitpid(child, &status, 0);
  } while (waited < 0 && errno == EINTR);
  ASSERT_EQ(waited, child) << netns_detail::errno_text("waitpid");
  ASSERT_TRUE(WIFEXITED(status)) << "the namespace child was killed by signal "
                                 << (WIFSIGNALED(status) ? WTERMSIG(status) : 0)
                                 << " (SIGALRM: it ran over " << limit.count() << " s)";
  const int code = WEXITSTATUS(status);
  if (code == kNetnsUnavailable) {
    GTEST_SKIP() << "cannot create a network namespace (needs root); see the message above";
  }
  ASSERT_NE(code, kNetnsSetupFailed) << "the network namespace is not as expected (see above)";
  EXPECT_EQ(code, 0) << "the body failed inside the network namespace (its messages are above)";
}

} // namespace swarmshare::test
