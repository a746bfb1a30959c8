#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "share_link_text.hpp"

#include "swarmshare/core/asio_endpoint.hpp"
#include "swarmshare/core/share_link.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace swarmshare::cli {

namespace asio = boost::asio;

std::optional<core::Endpoint> routable_endpoint(const core::Endpoint& listening) {
  const auto asio_endpoint = core::to_asio(listening);
  if (!asio_endpoint.address().is_unspecified()) {
    return listening;
  }
  // Connecting a UDP socket sends nothing; it only picks the route.
  asio::io_context io;
  asio::ip::udp::socket socket(io);
  boost::system::error_code error;
  // A documentation address (RFC 5737 / RFC 3849): routed like any other, never answered.
  const bool v4 = asio_endpoint.address().is_v4();
  const auto probe = asio::ip::make_address(v4 ? "192.0.2.1" : "2001:db8::1", error);
  socket.connect(asio::ip::udp::endpoint(probe, 9), error);
  if (error) {
    return std::nullopt;
  }
  const auto local = socket.local_endpoint(error);
  if (error || local.address().is_loopback() || local.address().is_unspecified()) {
    return std::nullopt;
  }
  return core::from_asio(asio::ip::tcp::endpoint(local.address(), listening.port()));
}

std::string share_link_text(const core::FileId& file_id, const std::string& name,
                            std::uint64_t size, const std::optional<std::string>& tracker,
                            const client::Session* serving) {
  core::ShareLink link;
  link.file_id = file_id;
  link.name = name;
  link.size = size;
  link.tracker = tracker;
  if (serving != nullptr) {
    if (const auto endpoint = routable_endpoint(serving->peer_endpoint())) {
      link.peers.push_back(
          core::ShareLinkPeer{core::PeerKey{serving->peer_id().bytes()}, *endpoint});
    }
  }
  return link.to_string();
}

} // namespace swarmshare::cli
