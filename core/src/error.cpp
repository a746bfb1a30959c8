#include "swarmshare/core/error.hpp"

namespace swarmshare::core {
namespace {

class CoreCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.core"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::file_not_found: return "file not found";
    case Errc::file_unreadable: return "file cannot be read";
    case Errc::not_a_regular_file: return "not a regular file";
    case Errc::file_too_large: return "file too large for one manifest";
    case Errc::file_changed: return "file changed while it was being read";
    case Errc::cancelled: return "cancelled";
    case Errc::invalid_chunk_size: return "chunk size must be a power of two from 16 KiB to 16 MiB";
    case Errc::chunk_index_out_of_range: return "chunk index out of range";
    case Errc::manifest_malformed: return "malformed manifest";
    case Errc::manifest_not_canonical: return "manifest is not canonically encoded";
    case Errc::manifest_too_large: return "manifest exceeds a size limit";
    case Errc::manifest_inconsistent: return "manifest fields are inconsistent";
    case Errc::unsupported_version: return "unsupported format or protocol version";
    case Errc::invalid_file_id: return "invalid File ID: expected 64 hexadecimal digits";
    case Errc::frame_too_large: return "frame larger than the allowed maximum";
    case Errc::frame_malformed: return "malformed frame";
    case Errc::frame_truncated: return "stream ended inside a frame";
    case Errc::invalid_endpoint:
      return "invalid endpoint: expected ADDRESS:PORT (IPv6 in brackets)";
    }
    return "unknown swarmshare.core error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& core_category() noexcept {
  static const CoreCategory category;
  return category;
}

} // namespace swarmshare::core
