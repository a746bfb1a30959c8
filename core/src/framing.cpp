#include "swarmshare/core/framing.hpp"

#include <algorithm>
#include <limits>

namespace swarmshare::core {
namespace {

constexpr std::uint32_t kEnvelopeFields = 3;

} // namespace

Result<std::vector<std::uint8_t>>
encode_frame(MessageType type,
             const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& pack_body,
             std::uint32_t max_frame_bytes) {
  msgpack::sbuffer buffer;
  const std::array<char, kFrameHeaderBytes> placeholder{};
  buffer.write(placeholder.data(), placeholder.size());
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(kEnvelopeFields);
  packer.pack_uint32(kWireVersion);
  packer.pack_uint16(type_value(type));
  pack_body(packer);
  const std::size_t body_bytes = buffer.size() - kFrameHeaderBytes;
  if (body_bytes > max_frame_bytes) {
    return Errc::frame_too_large;
  }
  std::vector<std::uint8_t> frame(reinterpret_cast<const std::uint8_t*>(buffer.data()),
                                  reinterpret_cast<const std::uint8_t*>(buffer.data()) +
                                      buffer.size());
  const auto length = static_cast<std::uint32_t>(body_bytes);
  frame[0] = static_cast<std::uint8_t>(length >> 24U);
  frame[1] = static_cast<std::uint8_t>(length >> 16U);
  frame[2] = static_cast<std::uint8_t>(length >> 8U);
  frame[3] = static_cast<std::uint8_t>(length);
  return frame;
}

Result<std::uint32_t> decode_frame_length(std::span<const std::uint8_t, kFrameHeaderBytes> header,
                                          std::uint32_t max_frame_bytes) {
  const std::uint32_t length = (static_cast<std::uint32_t>(header[0]) << 24U) |
                               (static_cast<std::uint32_t>(header[1]) << 16U) |
                               (static_cast<std::uint32_t>(header[2]) << 8U) |
                               static_cast<std::uint32_t>(header[3]);
  if (length == 0) {
    return Errc::frame_malformed;
  }
  if (length > max_frame_bytes) {
    return Errc::frame_too_large;
  }
  return length;
}

Result<Message> decode_message(std::span<const std::uint8_t> body, const UnpackLimits& limits) {
  auto handle = unpack_exactly(body, limits, Errc::frame_malformed);
  if (!handle) {
    return handle.error();
  }
  const msgpack::object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != kEnvelopeFields) {
    return Errc::frame_malformed;
  }
  const msgpack::object& version = root.via.array.ptr[0];
  const msgpack::object& type = root.via.array.ptr[1];
  if (version.type != msgpack::type::POSITIVE_INTEGER ||
      type.type != msgpack::type::POSITIVE_INTEGER || type.via.u64 == 0 ||
      type.via.u64 > std::numeric_limits<std::uint16_t>::max()) {
    return Errc::frame_malformed;
  }
  if (version.via.u64 < kMinWireVersion) {
    return Errc::unsupported_version;
  }
  Message message;
  message.version = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(version.via.u64, std::numeric_limits<std::uint32_t>::max()));
  message.type = MessageType{static_cast<std::uint16_t>(type.via.u64)};
  message.handle = std::move(handle).value();
  return message;
}

Status FrameDecoder::feed(std::span<const std::uint8_t> bytes,
                          const std::function<void(Message&&)>& on_message) {
  if (failure_) {
    return failure_;
  }
  while (!bytes.empty()) {
    if (header_filled_ < kFrameHeaderBytes) {
      const std::size_t take = std::min(kFrameHeaderBytes - header_filled_, bytes.size());
      std::copy_n(bytes.begin(), take,
                  header_.begin() + static_cast<std::ptrdiff_t>(header_filled_));
      header_filled_ += take;
      bytes = bytes.subspan(take);
      if (header_filled_ < kFrameHeaderBytes) {
        break;
      }
      auto length = decode_frame_length(header_, limits_.max_frame_bytes);
      if (!length) {
        failure_ = length.error();
        return failure_;
      }
      body_expected_ = length.value();
      body_.clear();
      // Reserve only what has arrived plus a bounded step: a peer that announces a large
      // frame and then stalls holds no more memory than it has actually sent.
      body_.reserve(std::min<std::size_t>(body_expected_, std::size_t{64} * 1024));
    }
    const std::size_t take = std::min(body_expected_ - body_.size(), bytes.size());
    body_.insert(body_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (body_.size() < body_expected_) {
      break;
    }
    auto message = decode_message(body_, limits_.unpack);
    header_filled_ = 0;
    body_expected_ = 0;
    body_.clear();
    if (!message) {
      failure_ = message.error();
      return failure_;
    }
    on_message(std::move(message).value());
  }
  return boost::outcome_v2::success();
}

Status FrameDecoder::finish() const {
  if (failure_) {
    return failure_;
  }
  if (header_filled_ != 0) {
    return Errc::frame_truncated;
  }
  return boost::outcome_v2::success();
}

std::size_t FrameDecoder::buffered_bytes() const noexcept {
  return header_filled_ < kFrameHeaderBytes ? header_filled_ : kFrameHeaderBytes + body_.size();
}

void MessageDispatcher::on(MessageType type, Handler handler) {
  handlers_[type_value(type)] = std::move(handler);
}

Status MessageDispatcher::dispatch(const Message& message) {
  const auto found = handlers_.find(type_value(message.type));
  if (found == handlers_.end()) {
    ++ignored_unknown_;
    return boost::outcome_v2::success();
  }
  return found->second(message);
}

} // namespace swarmshare::core
