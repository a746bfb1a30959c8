#include "swarmshare/dht/udp_node.hpp"

#include "swarmshare/core/platform/paths.hpp"
#include "swarmshare/dht/asio_scheduler.hpp"
#include "swarmshare/dht/routing_table.hpp"

#include <algorithm>

namespace swarmshare::dht {

namespace {

/// Contacts waiting for a join in progress to end, at most (LAN peers and the tracker's
/// list arrive in bursts; a few dozen are plenty to join through).
constexpr std::size_t kMaxPendingContacts = 64;

/// Saved nodes pinged at start, at most.
constexpr std::size_t kSavedContactsPinged = 32;

/// A node with at least this many in its table needs no more contacts to join through.
constexpr std::size_t kEnoughContacts = 24;

} // namespace

// The transport needs its sink, and the node its LocalShares, before the node and the
// registry behind them exist: this stands in for both.
struct UdpNode::Sink final : DatagramSink, LocalShares {
  Node* node = nullptr;
  DhtRegistry* registry = nullptr;

  void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override {
    if (node != nullptr) {
      node->on_datagram(from, datagram);
    }
  }
  [[nodiscard]] std::optional<PeerRecord> own_record(const core::FileId& file_id) override {
    return registry != nullptr ? registry->own_record(file_id) : std::nullopt;
  }
};

UdpNode::UdpNode(boost::asio::any_io_executor executor, const crypto::Identity& identity,
                 const crypto::NetworkId& network, const core::Clock& clock, UdpNodeOptions options)
    : executor_(std::move(executor)), identity_(identity), network_(network), clock_(clock),
      options_(std::move(options)), random_(core::SeededRandom::from_entropy()),
      sink_(std::make_unique<Sink>()), scheduler_(std::make_unique<AsioScheduler>(executor_)) {}

core::Result<std::unique_ptr<UdpNode>>
UdpNode::open(boost::asio::any_io_executor executor, const crypto::Identity& identity,
              const crypto::NetworkId& network, const core::Clock& clock, UdpNodeOptions options) {
  std::unique_ptr<UdpNode> made{
      new UdpNode(std::move(executor), identity, network, clock, std::move(options))};
  auto transport =
      UdpTransport::open(made->executor_, made->options_.bind, *made->sink_, made->options_.udp);
  if (!transport) {
    return transport.error();
  }
  made->transport_ = std::move(transport).value();
  made->node_ =
      std::make_unique<Node>(identity.peer_id(), network, *made->transport_, *made->scheduler_,
                             clock, made->random_, made->options_.node, made->sink_.get());
  made->registry_ =
      std::make_unique<DhtRegistry>(*made->node_, *made->scheduler_, identity, network, clock,
                                    made->executor_, made->options_.registry);
  made->sink_->node = made->node_.get();
  made->sink_->registry = made->registry_.get();
  return made;
}

UdpNode::~UdpNode() { stop(); }

void UdpNode::start(std::function<void(bool)> joined, UdpNodeLog log) {
  log_ = std::move(log);
  std::vector<core::Endpoint> endpoints;
  if (options_.saved_table) {
    const SavedTableLimits limits;
    auto bytes = core::platform::read_small_file(*options_.saved_table, limits.max_bytes);
    if (bytes) {
      auto contacts = decode_routing_table(bytes.value(), limits);
      if (contacts) {
        const auto restored = node_->routing_table().restore(contacts.value());
        // The table holds them all; pinging a few (the saved file lists the good ones
        // first) is enough to join, and a thousand pings at once would only be dropped.
        for (const auto& contact : contacts.value()) {
          if (endpoints.size() >= kSavedContactsPinged) {
            break;
          }
          endpoints.push_back(contact.endpoint);
        }
        if (log_) {
          log_("DHT: " + std::to_string(restored) + " nodes restored from the saved table");
        }
      } else if (log_) {
        log_("DHT: the saved routing table is unreadable (" + contacts.error().message() +
             "); joining without it");
      }
    }
  }
  endpoints.insert(endpoints.end(), options_.bootstrap.begin(), options_.bootstrap.end());
  joining_ = true;
  node_->bootstrap(std::move(endpoints), [this, joined = std::move(joined)](bool usable) {
    joining_ = false;
    note_join(usable);
    if (joined) {
      joined(usable);
    }
    join_pending();
  });
  schedule_save();
}

void UdpNode::add_contacts(std::vector<core::Endpoint> endpoints) {
  if (stopped_ || node_->routing_table().size() >= kEnoughContacts) {
    return;
  }
  for (auto& endpoint : endpoints) {
    if (pending_.size() >= kMaxPendingContacts) {
      break;
    }
    if (std::find(pending_.begin(), pending_.end(), endpoint) == pending_.end()) {
      pending_.push_back(endpoint);
    }
  }
  join_pending();
}

// One join at a time: contacts that come while one runs wait for its end, and are used then
// only if the table is still short of nodes.
void UdpNode::join_pending() {
  if (joining_ || pending_.empty() || stopped_) {
    return;
  }
  if (node_->routing_table().size() >= kEnoughContacts) {
    pending_.clear();
    return;
  }
  joining_ = true;
  node_->bootstrap(std::exchange(pending_, {}), [this](bool usable) {
    joining_ = false;
    note_join(usable);
    join_pending();
  });
}

void UdpNode::note_join(bool usable) {
  if (usable && !join_logged_ && log_) {
    join_logged_ = true;
    log_("DHT joined: " + std::to_string(node_->routing_table().size()) + " nodes known");
  }
}

core::Status UdpNode::save_table() {
  if (!options_.saved_table) {
    return boost::outcome_v2::success();
  }
  const auto bytes = encode_routing_table(node_->routing_table());
  return core::platform::write_private_file_atomically(*options_.saved_table, bytes);
}

void UdpNode::schedule_save() {
  if (!options_.saved_table) {
    return;
  }
  save_timer_ = scheduler_->after(options_.save_interval, [this] {
    if (auto saved = save_table(); !saved && log_) {
      log_("DHT: could not save the routing table: " + saved.error().message());
    }
    schedule_save();
  });
}

void UdpNode::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  scheduler_->cancel(save_timer_);
  // An empty table (never joined) would overwrite a useful saved one with nothing.
  if (!node_->routing_table().empty()) {
    if (auto saved = save_table(); !saved && log_) {
      log_("DHT: could not save the routing table: " + saved.error().message());
    }
  }
  node_->stop();
  transport_->close();
}

const core::Endpoint& UdpNode::local_endpoint() const noexcept {
  return transport_->local_endpoint();
}

bool UdpNode::fell_back() const noexcept { return transport_->fell_back(); }

UdpStats UdpNode::transport_stats() const noexcept { return transport_->stats(); }

} // namespace swarmshare::dht
