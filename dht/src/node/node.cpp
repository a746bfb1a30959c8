#include "swarmshare/dht/node.hpp"

#include <algorithm>
#include <utility>

namespace swarmshare::dht {

Node::Node(const crypto::PeerId& peer, const crypto::NetworkId& network, Transport& transport,
           Scheduler& scheduler, const core::Clock& clock, core::Random& random,
           NodeOptions options, LocalShares* shares)
    : peer_(peer), id_(NodeId::of_peer(peer)), network_(network), transport_(transport),
      scheduler_(scheduler), clock_(clock), random_(random), options_(std::move(options)),
      table_(id_, clock, random, options_.routing), storage_(network, options_.storage),
      tokens_(clock, random),
      handler_(peer, network, clock, table_, storage_, tokens_, shares, options_.handler),
      rpc_(transport, scheduler, table_, random, peer, network, options_.rpc) {}

Node::~Node() {
  *alive_ = false;
  scheduler_.cancel(upkeep_timer_);
}

void Node::on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) {
  if (stopped_) {
    return;
  }
  auto handled = handler_.on_datagram(from, datagram);
  if (handled.reply) {
    (void)rpc_.on_reply(from, *handled.reply, datagram.size());
  }
  if (!handled.answer.empty()) {
    transport_.send(from, handled.answer);
  }
  if (handled.querier) {
    verify_querier(*handled.querier);
  }
}

// Only nodes that answered us enter the routing table, so a node that only asks would
// never be known to those it asks: a newcomer would stay invisible. An unknown querier is
// pinged once (per kVerifyAgainAfter), and its pong lets it in.
void Node::verify_querier(const NodeContact& querier) {
  if (table_.find(querier.id) || table_.is_candidate(querier.id)) {
    return;
  }
  const auto now = scheduler_.now();
  if (const auto pinged = verified_at_.find(querier.id);
      pinged != verified_at_.end() && now - pinged->second < kVerifyAgainAfter) {
    return;
  }
  if (verified_at_.size() >= kMaxVerifying) {
    verified_at_.clear(); // a crude bound: at worst some queriers are pinged twice
  }
  verified_at_[querier.id] = now;
  (void)rpc_.query(querier.endpoint, querier.peer, PingRequest{}, std::nullopt,
                   [](core::Result<Answered>) {});
}

void Node::bootstrap(std::vector<core::Endpoint> endpoints, std::function<void(bool)> done) {
  schedule_upkeep();
  ping_bootstrap(std::make_shared<const std::vector<core::Endpoint>>(std::move(endpoints)),
                 kBootstrapAttempts, std::move(done));
}

// Pinged first: a pong puts its sender in the routing table (only nodes that answered enter
// it), and the lookup of our own ID then starts from them. A lost ping must not leave a node
// alone for good, so the pings are sent again while nobody has answered.
void Node::ping_bootstrap(std::shared_ptr<const std::vector<core::Endpoint>> endpoints,
                          std::size_t attempts_left, std::function<void(bool)> done) {
  struct Round {
    std::size_t waiting = 0;
    std::function<void()> then;
  };
  auto round = std::make_shared<Round>();
  round->waiting = endpoints->size() + 1; // +1: released below, once every ping was sent
  round->then = [this, alive = alive_, endpoints, attempts_left, done = std::move(done)]() mutable {
    if (!*alive || stopped_) {
      return;
    }
    if (table_.empty() && !endpoints->empty() && attempts_left > 1) {
      (void)scheduler_.after(kBootstrapRetryAfter, [this, alive, endpoints, attempts_left,
                                                    done = std::move(done)]() mutable {
        if (*alive && !stopped_) {
          ping_bootstrap(endpoints, attempts_left - 1, std::move(done));
        }
      });
      return;
    }
    lookup(LookupTarget::find_node(id_),
           [this, alive, done = std::move(done)](const LookupResult&) {
             if (!*alive) {
               return;
             }
             refresh_farther_buckets();
             schedule_rejoin_check();
             if (done) {
               done(!table_.empty());
             }
           });
  };
  const auto arrived = [round] {
    if (--round->waiting == 0) {
      round->then();
    }
  };
  for (const auto& endpoint : *endpoints) {
    auto sent = rpc_.query(endpoint, std::nullopt, PingRequest{}, std::nullopt,
                           [arrived](core::Result<Answered>) { arrived(); });
    if (!sent) {
      arrived();
    }
  }
  arrived();
}

std::shared_ptr<Lookup> Node::lookup(const LookupTarget& target, LookupCallback done,
                                     std::vector<NodeContact> seeds) {
  ++lookups_started_;
  auto running = Lookup::create(rpc_, clock_, target, options_.lookup, std::move(seeds));
  running->start(std::move(done));
  return running;
}

void Node::announce(const PeerRecord& record, std::function<void(std::size_t)> done) {
  store_on_closest(LookupTarget::get_peers(record.file_id), AnnouncePeerRequest{record},
                   std::move(done));
}

void Node::put(const SignedRecord& record, std::function<void(std::size_t)> done) {
  store_on_closest(LookupTarget::get(record.target), PutRequest{record}, std::move(done));
}

void Node::store_on_closest(const LookupTarget& target, RequestBody request,
                            std::function<void(std::size_t)> done) {
  lookup(target, [this, alive = alive_, request = std::move(request),
                  done = std::move(done)](const LookupResult& found) {
    if (!*alive) {
      return;
    }
    struct Count {
      std::size_t waiting = 0;
      std::size_t stored = 0;
      std::function<void(std::size_t)> done;
    };
    auto count = std::make_shared<Count>();
    count->done = done;
    for (const auto& node : found.closest) {
      if (!node.token) {
        continue;
      }
      ++count->waiting;
      auto sent = rpc_.query(node.contact.endpoint, node.contact.peer, request, node.token,
                             [count](core::Result<Answered> answer) {
                               if (answer &&
                                   std::holds_alternative<StoredReply>(answer.value().reply.body)) {
                                 ++count->stored;
                               }
                               if (--count->waiting == 0 && count->done) {
                                 count->done(count->stored);
                               }
                             });
      if (!sent) {
        --count->waiting;
      }
    }
    if (count->waiting == 0 && count->done) {
      count->done(count->stored);
    }
  });
}

// After the lookup of our own ID has filled the buckets near us, one lookup into each bucket
// farther away fills those too, and makes us known there: a newcomer that only asked its
// neighbours would be found by few.
void Node::refresh_farther_buckets() {
  // Not only the buckets there are now: a table that knows few nodes has not split yet,
  // and these lookups are what fills (and splits) it.
  for (std::size_t bit = 0; bit < kJoinRefreshBuckets; ++bit) {
    NodeId::Bytes bytes = id_.bytes();
    // Flip bit `bit` (into that bucket's half of the space) and randomize the bits below.
    bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] ^ (0x80U >> (bit % 8)));
    for (std::size_t i = bit + 1; i < kNodeIdBits; ++i) {
      if (random_.below(2) != 0) {
        bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] ^ (0x80U >> (i % 8)));
      }
    }
    lookup(LookupTarget::find_node(NodeId{bytes}), [](const LookupResult&) {});
  }
}

// A node that joined while the network was small, or through a node that knew few, may
// know only a handful of nodes: its lookups then end among them. While its table stays
// small it looks again, as the network around it has grown since.
void Node::schedule_rejoin_check() {
  (void)scheduler_.after(kRejoinCheckAfter, [this, alive = alive_] {
    if (!*alive || stopped_ || table_.size() >= kWellConnected) {
      return;
    }
    lookup(LookupTarget::find_node(id_), [this, alive](const LookupResult&) {
      if (*alive && !stopped_) {
        refresh_farther_buckets();
      }
    });
  });
}

void Node::stop() {
  stopped_ = true;
  scheduler_.cancel(upkeep_timer_);
  rpc_.cancel_all();
}

NodeStats Node::stats() const {
  return NodeStats{table_.size(), lookups_started_, rpc_.stats(), handler_.counters(),
                   storage_.stats()};
}

void Node::schedule_upkeep() {
  scheduler_.cancel(upkeep_timer_);
  upkeep_timer_ = scheduler_.after(options_.upkeep_interval, [this, alive = alive_] {
    if (*alive && !stopped_) {
      upkeep();
    }
  });
}

void Node::upkeep() {
  (void)storage_.expire(clock_.system_now());
  if (table_.size() < kWellConnected) {
    schedule_rejoin_check();
  }
  for (const auto& target : table_.refresh_targets()) {
    lookup(LookupTarget::find_node(target), [](const LookupResult&) {});
  }
  schedule_upkeep();
}

} // namespace swarmshare::dht
