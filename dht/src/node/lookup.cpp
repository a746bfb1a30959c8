#include "swarmshare/dht/lookup.hpp"

#include <algorithm>
#include <utility>

namespace swarmshare::dht {

LookupTarget LookupTarget::find_node(const NodeId& target) noexcept {
  return LookupTarget{LookupKind::find_node, target, core::FileId{}};
}

LookupTarget LookupTarget::get_peers(const core::FileId& file) noexcept {
  return LookupTarget{LookupKind::get_peers, NodeId::of_file(file), file};
}

LookupTarget LookupTarget::get(const NodeId& target) noexcept {
  return LookupTarget{LookupKind::get, target, core::FileId{}};
}

std::shared_ptr<Lookup> Lookup::create(RpcClient& rpc, const core::Clock& clock,
                                       const LookupTarget& target, LookupOptions options,
                                       std::vector<NodeContact> seeds) {
  // Not make_shared: the constructor is private, so only create() makes lookups and every
  // lookup is owned by a shared_ptr before shared_from_this() is called.
  std::shared_ptr<Lookup> lookup{new Lookup(rpc, clock, target, options)};
  lookup->seeds_ = std::move(seeds);
  return lookup;
}

Lookup::Lookup(RpcClient& rpc, const core::Clock& clock, const LookupTarget& target,
               LookupOptions options)
    : rpc_(&rpc), scheduler_(&rpc.scheduler()), clock_(&clock), options_(options),
      own_id_(rpc.routing_table().own_id()) {
  options_.alpha = std::max<std::size_t>(options_.alpha, 1);
  options_.k = std::max<std::size_t>(options_.k, 1);
  options_.max_candidates = std::max(options_.max_candidates, options_.k);
  result_.target = target;
}

void Lookup::start(LookupCallback on_done) {
  if (started_) {
    return;
  }
  started_ = true;
  on_done_ = std::move(on_done);
  if (finished_) {
    deliver_later(); // cancelled before it started
    return;
  }
  started_at_ = scheduler_->now();
  const NodeId& key = result_.target.key;
  rpc_->routing_table().mark_bucket_used(key);
  for (const NodeContact& contact : rpc_->routing_table().closest(key, options_.k)) {
    add_candidate(contact);
  }
  for (const NodeContact& contact : std::exchange(seeds_, {})) {
    add_candidate(contact);
  }
  // The timers hold the lookup alive (not `this` alone): a caller may drop its pointer.
  deadline_timer_ = scheduler_->after(options_.deadline, [self = shared_from_this()] {
    self->finish(false, /*deadline_reached=*/true, false);
  });
  step();
}

void Lookup::cancel() { finish(false, false, /*cancelled=*/true); }

Lookup::Candidate* Lookup::find(const NodeId& id) noexcept {
  const auto found = std::find_if(candidates_.begin(), candidates_.end(),
                                  [&id](const Candidate& c) { return c.contact.id == id; });
  return found == candidates_.end() ? nullptr : &*found;
}

void Lookup::add_candidate(const NodeContact& contact) {
  // Asking ourselves would cost a timeout at best and a loop at worst; a node may well
  // name us among the closest.
  if (contact.id == own_id_ || find(contact.id) != nullptr) {
    return;
  }
  const NodeId& key = result_.target.key;
  const auto at = std::upper_bound(
      candidates_.begin(), candidates_.end(), contact.id,
      [&key](const NodeId& id, const Candidate& c) { return closer(key, id, c.contact.id); });
  candidates_.insert(at, Candidate{contact, State::unasked, false, false, false, std::nullopt, {}});
  if (candidates_.size() <= options_.max_candidates) {
    return;
  }
  // Over the cap: forget the farthest one we are not waiting on and that did not answer
  // (answered nodes may be in the result; asked ones have a handler coming back).
  for (auto it = candidates_.end(); it != candidates_.begin();) {
    --it;
    if (it->state == State::unasked || it->state == State::failed) {
      candidates_.erase(it);
      return;
    }
  }
}

RequestBody Lookup::request_body() const {
  switch (result_.target.kind) {
  case LookupKind::get_peers: return GetPeersRequest{result_.target.file};
  case LookupKind::get: return GetRequest{result_.target.key};
  case LookupKind::find_node: break;
  }
  return FindNodeRequest{result_.target.key};
}

void Lookup::step() {
  if (finished_) {
    return;
  }
  // Whom to ask: the k closest candidates that neither failed nor stalled; their unasked
  // members are asked while fewer than α queries are active. A stalled node steps aside
  // so the next one is asked in its place.
  std::size_t window = 0;
  for (Candidate& candidate : candidates_) {
    if (window == options_.k || active_ >= options_.alpha) {
      break;
    }
    if (candidate.state == State::failed ||
        (candidate.state == State::asking && candidate.stalled)) {
      continue;
    }
    if (candidate.state == State::unasked) {
      ask(candidate);
      if (candidate.state == State::failed) {
        continue; // refused by the client: the next candidate takes its place
      }
    }
    ++window;
  }
  // When it is done: the k closest that did not fail, stalled ones included, all answered.
  // A stalled node closer than the k-th answer is waited for (until it answers or times
  // out): if it is alive it belongs in the result, which announces and puts go to.
  std::size_t answered = 0;
  for (const Candidate& candidate : candidates_) {
    if (answered == options_.k) {
      break;
    }
    if (candidate.state == State::failed) {
      continue;
    }
    if (candidate.state != State::answered) {
      return; // still asking it, or about to
    }
    ++answered;
  }
  // All answered: the k closest, or every candidate there was (fewer than k reachable).
  finish(answered > 0, false, false);
}

void Lookup::ask(Candidate& candidate) {
  const NodeId id = candidate.contact.id;
  auto self = shared_from_this();
  auto ticket = rpc_->query(
      candidate.contact.endpoint, candidate.contact.peer, request_body(), candidate.token,
      [self, id](core::Result<Answered> answer) { self->on_answer(id, std::move(answer)); });
  if (!ticket) {
    candidate.state = State::failed;
    ++result_.stats.errors;
    return;
  }
  candidate.state = State::asking;
  candidate.stalled = false;
  ++active_;
  ++result_.stats.requests;
  result_.stats.bytes_sent += ticket.value().bytes_sent;
  candidate.slow_timer =
      scheduler_->after(options_.slow_after, [self = std::move(self), id] { self->on_slow(id); });
}

void Lookup::on_slow(const NodeId& id) {
  Candidate* candidate = find(id);
  if (finished_ || candidate == nullptr || candidate->state != State::asking ||
      candidate->stalled) {
    return;
  }
  candidate->stalled = true;
  --active_;
  ++result_.stats.stalled;
  step();
}

void Lookup::on_answer(const NodeId& id, core::Result<Answered> answer) {
  if (finished_) {
    return; // the RPC client already told the routing table; the result is delivered
  }
  Candidate* candidate = find(id);
  if (candidate == nullptr || candidate->state != State::asking) {
    return; // only asked candidates have queries, and those are never dropped
  }
  scheduler_->cancel(candidate->slow_timer);
  if (!candidate->stalled) {
    --active_;
  }
  candidate->stalled = false;

  if (!answer) {
    if (answer.error() == Errc::timed_out && !candidate->timed_out_once) {
      // One lost datagram (1 % each way is common) must not cost the lookup its closest
      // node: a node that timed out is asked once more before it counts as failed.
      candidate->timed_out_once = true;
      candidate->state = State::unasked;
      ++result_.stats.timeouts;
      step();
      return;
    }
    candidate->state = State::failed;
    if (answer.error() == core::Errc::cancelled) {
      finish(false, false, /*cancelled=*/true); // the client is shutting down
      return;
    }
    ++(answer.error() == Errc::timed_out ? result_.stats.timeouts : result_.stats.errors);
    step();
    return;
  }
  const Reply& reply = answer.value().reply;
  ++result_.stats.replies;
  result_.stats.bytes_received += answer.value().bytes_received;
  if (const auto* error = std::get_if<ErrorReply>(&reply.body)) {
    // prove_address: the node would answer, but not that much to an unproven address.
    // Asking once more with the token it handed us costs a round trip, not a node.
    if (error->code == ErrorCode::prove_address && reply.token && !candidate->retried) {
      candidate->retried = true;
      candidate->token = reply.token;
      candidate->state = State::unasked;
    } else {
      candidate->state = State::failed;
      ++result_.stats.errors;
    }
    step();
    return;
  }
  candidate->state = State::answered;
  if (reply.token) {
    candidate->token = reply.token;
  }
  absorb(reply); // adds candidates: `candidate` may dangle from here on
  step();
}

void Lookup::absorb(const Reply& reply) {
  const std::vector<NodeContact>* contacts = nullptr;
  if (const auto* nodes = std::get_if<NodesReply>(&reply.body)) {
    contacts = &nodes->contacts;
  } else if (const auto* peers = std::get_if<PeersReply>(&reply.body)) {
    contacts = &peers->contacts;
    for (const PeerRecord& record : peers->records) {
      keep_peer(record);
    }
  } else if (const auto* values = std::get_if<ValuesReply>(&reply.body)) {
    contacts = &values->contacts;
    for (const SignedRecord& record : values->records) {
      keep_record(record);
    }
  }
  if (contacts != nullptr) {
    for (const NodeContact& contact : *contacts) {
      add_candidate(contact);
    }
  }
}

void Lookup::keep_peer(const PeerRecord& record) {
  auto& peers = result_.peers;
  const auto same = std::find_if(peers.begin(), peers.end(),
                                 [&record](const PeerRecord& p) { return p.peer == record.peer; });
  // Not newer than what we hold: nothing to check (signatures cost more than comparisons).
  if (same != peers.end() && same->issued >= record.issued) {
    return;
  }
  if (record.file_id != result_.target.file ||
      (options_.verify_records && !verify_peer_record(record, rpc_->network(), *clock_))) {
    ++result_.stats.records_rejected;
    return;
  }
  if (same != peers.end()) {
    *same = record;
  } else if (peers.size() < options_.max_records) {
    peers.push_back(record);
  }
}

void Lookup::keep_record(const SignedRecord& record) {
  auto& records = result_.records;
  const auto same = std::find_if(records.begin(), records.end(), [&record](const SignedRecord& r) {
    return r.signer == record.signer && r.salt == record.salt;
  });
  if (same != records.end() && same->seq >= record.seq) {
    return;
  }
  if (record.target != result_.target.key ||
      (options_.verify_records && !verify_signed_record(record, rpc_->network()))) {
    ++result_.stats.records_rejected;
    return;
  }
  if (same != records.end()) {
    *same = record;
  } else if (records.size() < options_.max_records) {
    records.push_back(record);
  }
}

void Lookup::finish(bool success, bool deadline_reached, bool cancelled) {
  if (finished_) {
    return;
  }
  finished_ = true;
  scheduler_->cancel(deadline_timer_);
  for (Candidate& candidate : candidates_) {
    scheduler_->cancel(candidate.slow_timer);
    if (candidate.state == State::answered && result_.closest.size() < options_.k) {
      result_.closest.push_back(AnsweredNode{candidate.contact, candidate.token});
    }
  }
  result_.success = success;
  result_.deadline_reached = deadline_reached;
  result_.cancelled = cancelled;
  result_.stats.duration = scheduler_->now() - started_at_;
  if (started_) {
    deliver_later();
  }
}

void Lookup::deliver_later() {
  // From the scheduler, never from inside start(), cancel() or another handler, so a
  // callback that starts the next lookup or destroys things does not re-enter us.
  (void)scheduler_->after(Scheduler::Duration::zero(), [self = shared_from_this()] {
    if (auto callback = std::exchange(self->on_done_, nullptr)) {
      callback(self->result_);
    }
  });
}

} // namespace swarmshare::dht
