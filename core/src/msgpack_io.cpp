#include "swarmshare/core/msgpack_io.hpp"

#include <new>

namespace swarmshare::core {

Result<msgpack::object_handle> unpack_exactly(std::span<const std::uint8_t> bytes,
                                              const UnpackLimits& limits, Errc on_malformed) {
  try {
    std::size_t offset = 0;
    msgpack::object_handle handle =
        msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), offset, nullptr,
                        nullptr, limits.to_msgpack());
    if (offset != bytes.size()) {
      return on_malformed;
    }
    return handle;
  } catch (const msgpack::unpack_error&) {
    return on_malformed;
  } catch (const msgpack::type_error&) {
    return on_malformed;
  } catch (const std::bad_alloc&) {
    return on_malformed;
  }
}

bool read_uint(const msgpack::object& object, std::uint64_t& out) noexcept {
  if (object.type != msgpack::type::POSITIVE_INTEGER) {
    return false;
  }
  out = object.via.u64;
  return true;
}

} // namespace swarmshare::core
