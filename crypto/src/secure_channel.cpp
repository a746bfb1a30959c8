#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/crypto/secure_channel.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <deque>

namespace swarmshare::crypto {

namespace asio = boost::asio;
using asio::use_awaitable;
using boost::system::error_code;
using std::chrono::steady_clock;

CertifiedStaticKey ChannelConfig::current_static_key() const {
  if (const auto* keys = std::get_if<std::reference_wrapper<StaticKeyManager>>(&static_key)) {
    return keys->get().current();
  }
  return std::get<CertifiedStaticKey>(static_key);
}

namespace {

// Marks an operation as pending for as long as it runs, so that a second one can be refused.
class PendingFlag {
public:
  explicit PendingFlag(bool& flag) noexcept : flag_(flag) { flag_ = true; }
  PendingFlag(const PendingFlag&) = delete;
  PendingFlag& operator=(const PendingFlag&) = delete;
  PendingFlag(PendingFlag&&) = delete;
  PendingFlag& operator=(PendingFlag&&) = delete;
  ~PendingFlag() { flag_ = false; }

private:
  bool& flag_;
};

} // namespace

struct SecureChannel::Impl : std::enable_shared_from_this<Impl> {
  Impl(Socket socket_in, ChannelConfig config_in)
      : socket(std::move(socket_in)), handshake_timer(socket.get_executor()),
        idle_timer(socket.get_executor()), config(std::move(config_in)) {}

  // Records the first failure and closes the socket, which also ends every operation still
  // pending on it. Later failures are consequences of the first and do not replace it.
  // The close is abortive (a reset) whatever went wrong: a graceful close would send FIN or
  // RST depending on whether the peer's bytes were all read when we gave up, which would
  // tell a prober where its input was refused.
  std::error_code fail(std::error_code error) {
    if (!failure) {
      failure = error;
      error_code ignored;
      // NOLINTNEXTLINE(bugprone-unused-return-value): best effort, the socket goes anyway
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
    }
    close_socket();
    return failure;
  }

  // The owner let go of the channel.
  void release();

  void close_socket() {
    error_code ignored;
    socket.close(ignored); // NOLINT(bugprone-unused-return-value): best effort
    handshake_timer.cancel();
    idle_timer.cancel();
  }

  // ----- Handshake -------------------------------------------------------------------------

  void start_handshake_timer() {
    if (config.handshake_timeout <= std::chrono::milliseconds::zero()) {
      return;
    }
    handshake_timer.expires_after(config.handshake_timeout);
    handshake_timer.async_wait([weak = weak_from_this()](const error_code& ec) {
      const std::shared_ptr<Impl> self = weak.lock();
      if (!ec && self && !self->handshake_done) {
        self->fail(Errc::handshake_timeout);
      }
    });
  }

  void finish_handshake_timer() {
    handshake_done = true; // a handler already queued must not fire any more
    handshake_timer.cancel();
  }

  // The caller's error for a failed handshake; the specific reason goes to the log hook.
  std::error_code handshake_failure(std::error_code reason, const SecureHandshake& handshake) {
    if (reason == Errc::handshake_failed && handshake.failure_reason()) {
      reason = handshake.failure_reason();
    }
    // A timeout that closed the socket shows up here as the aborted read or write.
    const std::error_code first = fail(reason);
    if (first == Errc::handshake_timeout) {
      reason = first;
    }
    if (config.on_handshake_failure) {
      config.on_handshake_failure(reason);
    }
    return first == Errc::handshake_timeout ? first : make_error_code(Errc::handshake_failed);
  }

  Awaitable<core::Status> write_handshake_message(ByteView message, ByteView stream_start = {}) {
    const std::array<std::uint8_t, kHandshakeLengthBytes> length{
        static_cast<std::uint8_t>(message.size() >> 8), static_cast<std::uint8_t>(message.size())};
    const std::array<asio::const_buffer, 3> buffers{
        asio::buffer(length), asio::buffer(message.data(), message.size()),
        asio::buffer(stream_start.data(), stream_start.size())};
    error_code ec;
    co_await asio::async_write(socket, buffers, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return ec;
    }
    co_return boost::outcome_v2::success();
  }

  Awaitable<core::Result<Bytes>> read_handshake_message() {
    std::array<std::uint8_t, kHandshakeLengthBytes> length{};
    error_code ec;
    co_await asio::async_read(socket, asio::buffer(length),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return ec;
    }
    const std::size_t size = std::size_t{length[0]} << 8 | length[1];
    // Checked before anything is read or allocated for the body.
    if (size == 0 || size > kMaxHandshakeMessageBytes) {
      co_return Errc::message_too_large;
    }
    Bytes message(size);
    co_await asio::async_read(socket, asio::buffer(message),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return ec;
    }
    co_return message;
  }

  // Installs the record layer once our side of the handshake is complete and returns our
  // stream's first bytes (header and key confirmation).
  core::Result<Bytes> start_records(SecureHandshake& handshake) {
    auto peer_result = handshake.peer_id();
    auto expiry = handshake.peer_certificate_expiry();
    auto hash = handshake.handshake_hash();
    auto keys = handshake.split_keys();
    if (!peer_result || !expiry || !hash || !keys) {
      return Errc::handshake_failed; // unreachable once is_complete()
    }
    peer = peer_result.value();
    peer_expiry = expiry.value();
    handshake_hash = hash.value();
    sender.emplace(keys.value().send, handshake_hash, config.records, config.clock.get());
    receiver.emplace(keys.value().receive, handshake_hash, config.max_receive_record_bytes);
    read_buffer.resize(std::max<std::size_t>(config.read_chunk_bytes, 1));
    // Whole records go out in single writes, so Nagle's algorithm would only delay them.
    error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true),
                      ignored); // NOLINT(bugprone-unused-return-value)
    return sender->start();
  }

  Awaitable<core::Status> run_initiator(std::optional<PeerId> expected_peer) {
    SecureHandshake handshake =
        SecureHandshake::initiator(config.current_static_key(), config.clock.get(), expected_peer);
    start_handshake_timer();
    auto message_1 = handshake.start();
    if (!message_1) {
      co_return handshake_failure(message_1.error(), handshake);
    }
    if (auto sent = co_await write_handshake_message(message_1.value()); !sent) {
      co_return handshake_failure(sent.error(), handshake);
    }
    auto message_2 = co_await read_handshake_message();
    if (!message_2) {
      co_return handshake_failure(message_2.error(), handshake);
    }
    auto step = handshake.on_message(message_2.value());
    if (!step) {
      co_return handshake_failure(step.error(), handshake);
    }
    auto stream_start = start_records(handshake);
    if (!stream_start) {
      co_return handshake_failure(stream_start.error(), handshake);
    }
    // Message 3 and our stream header in one write: the responder reads message 3 by its
    // length and leaves the rest in the socket for the record layer.
    if (auto sent = co_await write_handshake_message(step.value().send, stream_start.value());
        !sent) {
      co_return handshake_failure(sent.error(), handshake);
    }
    if (failure) { // the timer fired as the write completed
      co_return handshake_failure(failure, handshake);
    }
    finish_handshake_timer();
    co_return boost::outcome_v2::success();
  }

  Awaitable<core::Status> run_responder() {
    SecureHandshake handshake =
        SecureHandshake::responder(config.current_static_key(), config.clock.get());
    start_handshake_timer();
    auto message_1 = co_await read_handshake_message();
    if (!message_1) {
      co_return handshake_failure(message_1.error(), handshake);
    }
    auto step_2 = handshake.on_message(message_1.value());
    if (!step_2) {
      co_return handshake_failure(step_2.error(), handshake);
    }
    if (auto sent = co_await write_handshake_message(step_2.value().send); !sent) {
      co_return handshake_failure(sent.error(), handshake);
    }
    auto message_3 = co_await read_handshake_message();
    if (!message_3) {
      co_return handshake_failure(message_3.error(), handshake);
    }
    auto step_3 = handshake.on_message(message_3.value());
    if (!step_3) {
      co_return handshake_failure(step_3.error(), handshake);
    }
    auto stream_start = start_records(handshake);
    if (!stream_start) {
      co_return handshake_failure(stream_start.error(), handshake);
    }
    error_code ec;
    co_await asio::async_write(socket, asio::buffer(stream_start.value()),
                               asio::redirect_error(use_awaitable, ec));
    if (ec || failure) {
      co_return handshake_failure(failure ? failure : std::error_code(ec), handshake);
    }
    finish_handshake_timer();
    co_return boost::outcome_v2::success();
  }

  // ----- Records ---------------------------------------------------------------------------

  // The idle timer is armed once and re-armed from its own handler, rather than reset for
  // every read, so that a busy stream costs no timer system calls per chunk.
  void watch_idle() {
    if (config.idle_timeout <= std::chrono::milliseconds::zero() || idle_timer_running) {
      return;
    }
    idle_timer_running = true;
    idle_timer.expires_at(waiting_since + config.idle_timeout);
    idle_timer.async_wait([weak = weak_from_this()](const error_code& ec) {
      const std::shared_ptr<Impl> self = weak.lock();
      if (!self) {
        return;
      }
      self->idle_timer_running = false;
      if (ec || !self->waiting_for_bytes || self->failure) {
        return; // the next wait arms it again
      }
      if (steady_clock::now() - self->waiting_since >= self->config.idle_timeout) {
        self->fail(Errc::idle_timeout);
      } else {
        self->watch_idle();
      }
    });
  }

  Awaitable<core::Result<Bytes>> read_message() {
    const auto deliver = [this](ByteView plaintext) {
      inbox.emplace_back(plaintext.begin(), plaintext.end());
    };
    for (;;) {
      if (!inbox.empty()) {
        Bytes message = std::move(inbox.front());
        inbox.pop_front();
        co_return message;
      }
      if (failure) {
        co_return failure;
      }
      if (receiver->received_final()) {
        co_return Errc::channel_closed;
      }
      waiting_since = steady_clock::now();
      waiting_for_bytes = true;
      watch_idle();
      error_code ec;
      const std::size_t received = co_await socket.async_read_some(
          asio::buffer(read_buffer), asio::redirect_error(use_awaitable, ec));
      waiting_for_bytes = false;
      if (ec == asio::error::eof || ec == asio::error::connection_reset) {
        // A reset ends the stream without FINAL just as a plain close does.
        const core::Status end = receiver->finish(); // never clean here: FINAL ends reads above
        fail(end ? make_error_code(Errc::stream_truncated) : end.error());
      } else if (ec) {
        fail(ec);
      } else if (auto fed = receiver->feed(ByteView(read_buffer).first(received), deliver); !fed) {
        fail(fed.error());
      }
    }
  }

  Awaitable<core::Status> write_record(ByteView record) {
    error_code ec;
    co_await asio::async_write(socket, asio::buffer(record.data(), record.size()),
                               asio::redirect_error(use_awaitable, ec));
    if (ec || failure) {
      co_return fail(ec ? std::error_code(ec) : failure);
    }
    co_return boost::outcome_v2::success();
  }

  Socket socket;
  asio::steady_timer handshake_timer;
  asio::steady_timer idle_timer;
  ChannelConfig config;
  std::optional<RecordSender> sender;
  std::optional<RecordReceiver> receiver;
  std::optional<PeerId> peer;
  std::uint64_t peer_expiry = 0;
  Hash64 handshake_hash{};
  std::deque<Bytes> inbox;
  Bytes read_buffer;
  std::error_code failure;
  steady_clock::time_point waiting_since;
  bool handshake_done = false;
  bool idle_timer_running = false;
  bool waiting_for_bytes = false;
  bool reading = false;
  bool writing = false;
  bool local_closed = false;
};

// ----- SecureChannel -------------------------------------------------------------------------

SecureChannel::Awaitable<core::Result<SecureChannel>>
SecureChannel::connect(Socket socket, ChannelConfig config, std::optional<PeerId> expected_peer) {
  auto impl = std::make_shared<Impl>(std::move(socket), std::move(config));
  if (auto done = co_await impl->run_initiator(expected_peer); !done) {
    co_return done.error();
  }
  co_return SecureChannel(std::move(impl));
}

SecureChannel::Awaitable<core::Result<SecureChannel>> SecureChannel::accept(Socket socket,
                                                                            ChannelConfig config) {
  auto impl = std::make_shared<Impl>(std::move(socket), std::move(config));
  if (auto done = co_await impl->run_responder(); !done) {
    co_return done.error();
  }
  co_return SecureChannel(std::move(impl));
}

void SecureChannel::Impl::release() {
  // Not a failure: a graceful close, so that a FINAL we sent still reaches the peer.
  // Operations still pending hold the state alive; closing the socket ends them.
  if (!failure) {
    failure = std::make_error_code(std::errc::operation_canceled);
  }
  close_socket();
}

SecureChannel& SecureChannel::operator=(SecureChannel&& other) noexcept {
  if (this != &other) {
    if (impl_) {
      impl_->release();
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

SecureChannel::~SecureChannel() {
  if (impl_) {
    impl_->release();
  }
}

SecureChannel::Awaitable<core::Result<Bytes>> SecureChannel::read_message() {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl || impl->reading) {
    co_return Errc::out_of_order;
  }
  const PendingFlag pending(impl->reading);
  co_return co_await impl->read_message();
}

SecureChannel::Awaitable<core::Status> SecureChannel::write_message(ByteView message) {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl || impl->writing || impl->local_closed) {
    co_return Errc::out_of_order;
  }
  if (impl->failure) {
    co_return impl->failure;
  }
  auto record = impl->sender->seal(message);
  if (!record) {
    co_return record.error();
  }
  const PendingFlag pending(impl->writing);
  co_return co_await impl->write_record(record.value());
}

SecureChannel::Awaitable<core::Status> SecureChannel::close() {
  const std::shared_ptr<Impl> impl = impl_;
  if (!impl || impl->writing) {
    co_return Errc::out_of_order;
  }
  if (impl->local_closed) {
    co_return boost::outcome_v2::success();
  }
  if (impl->failure) {
    co_return impl->failure;
  }
  impl->local_closed = true;
  auto record = impl->sender->close();
  if (!record) {
    co_return impl->fail(record.error());
  }
  const PendingFlag pending(impl->writing);
  if (auto sent = co_await impl->write_record(record.value()); !sent) {
    co_return sent;
  }
  error_code ec;
  impl->socket.shutdown(Socket::shutdown_send, ec); // NOLINT(bugprone-unused-return-value)
  if (ec) {
    co_return impl->fail(ec);
  }
  co_return boost::outcome_v2::success();
}

const PeerId& SecureChannel::peer_id() const noexcept { return *impl_->peer; }

std::uint64_t SecureChannel::peer_certificate_expiry() const noexcept { return impl_->peer_expiry; }

const Hash64& SecureChannel::handshake_hash() const noexcept { return impl_->handshake_hash; }

std::uint64_t SecureChannel::sent_rekeys() const noexcept {
  return impl_ && impl_->sender ? impl_->sender->rekeys() : 0;
}

std::uint64_t SecureChannel::received_rekeys() const noexcept {
  return impl_ && impl_->receiver ? impl_->receiver->rekeys() : 0;
}

boost::asio::any_io_executor SecureChannel::get_executor() const {
  return impl_->socket.get_executor();
}

} // namespace swarmshare::crypto
