#include "swarmshare/core/file_id.hpp"

namespace swarmshare::core {

Result<FileId> FileId::parse(std::string_view hex) {
  Hash256 digest{};
  if (!from_hex(hex, digest)) {
    return Errc::invalid_file_id;
  }
  return FileId{digest};
}

std::string FileId::to_hex() const { return core::to_hex(digest_); }

std::string FileId::to_short_hex() const { return to_hex().substr(0, kShortHexLength); }

} // namespace swarmshare::core
