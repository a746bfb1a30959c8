#include "progress_line.hpp"

#include "swarmshare/core/platform/terminal.hpp"
#include "swarmshare/core/units.hpp"

namespace swarmshare::cli {

ProgressLine::ProgressLine(std::FILE* stream, std::string label, bool force)
    : stream_(stream), label_(std::move(label)),
      enabled_(force || core::platform::is_terminal(stream)) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) {
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double percent =
      total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  const auto rate =
      seconds > 0.0 ? static_cast<std::uint64_t>(static_cast<double>(done) / seconds) : 0;
  std::fprintf(stream_, "\r%s %5.1f%%  %s of %s  %s/s\x1b[K", label_.c_str(), percent,
               core::format_bytes(done).c_str(), core::format_bytes(total).c_str(),
               core::format_bytes(rate).c_str());
  std::fflush(stream_);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (drawn_) {
    std::fprintf(stream_, "\r\x1b[K");
    std::fflush(stream_);
    drawn_ = false;
  }
}

} // namespace swarmshare::cli
