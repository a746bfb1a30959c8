#include "swarmshare/gui/opened_links.hpp"

#include "swarmshare/core/share_link.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <system_error>

namespace swarmshare::gui {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kLinkSuffix = ".link";
constexpr std::string_view kPartSuffix = ".part";

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

} // namespace

core::Result<LinkTarget> parse_link_target(std::string_view text) {
  text = trimmed(text);
  if (core::looks_like_share_link(text)) {
    auto link = core::ShareLink::parse(text);
    if (!link) {
      return link.error();
    }
    LinkTarget target;
    target.file_id = link.value().file_id;
    target.name = link.value().name;
    target.size = link.value().size;
    target.sources = link.value().sources();
    return target;
  }
  auto file_id = core::FileId::parse(text);
  if (!file_id) {
    return core::Errc::invalid_file_id;
  }
  LinkTarget target;
  target.file_id = file_id.value();
  return target;
}

std::string link_display_name(const LinkTarget& target) {
  if (target.name && !target.name->empty()) {
    return *target.name;
  }
  return "File " + target.file_id.to_short_hex();
}

LinkInbox::LinkInbox(const fs::path& home) : folder_(home / "incoming-links") {}

core::Status LinkInbox::deliver(std::string_view link) const {
  link = trimmed(link);
  if (link.empty()) {
    return core::ShareLinkErrc::not_a_share_link;
  }
  if (link.size() > core::kMaxShareLinkBytes) {
    return core::ShareLinkErrc::too_long;
  }
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) {
    return error;
  }
  // The time first, so names sort oldest first; the random part keeps two copies started
  // in the same nanosecond apart.
  const auto ticks = std::chrono::system_clock::now().time_since_epoch().count();
  std::random_device random;
  const std::string stem = std::to_string(ticks) + "-" + std::to_string(random());
  const fs::path part = folder_ / (stem + std::string(kPartSuffix));
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out.write(link.data(), static_cast<std::streamsize>(link.size()));
    out.close();
    if (!out) {
      fs::remove(part, error);
      return std::make_error_code(std::errc::io_error);
    }
  }
  fs::rename(part, folder_ / (stem + std::string(kLinkSuffix)), error);
  if (error) {
    fs::remove(part, error);
    return error;
  }
  return boost::outcome_v2::success();
}

std::vector<std::string> LinkInbox::take(fs::file_time_type now) const {
  std::error_code error;
  std::vector<fs::path> found;
  for (fs::directory_iterator it(folder_, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == kLinkSuffix) {
      found.push_back(it->path());
    } else if (it->path().extension() == kPartSuffix) {
      // Left by a copy that died while writing it; one being written now is seconds old.
      std::error_code ignored;
      const auto written = fs::last_write_time(it->path(), ignored);
      if (!ignored && now - written > kMaxAge) {
        fs::remove(it->path(), ignored);
      }
    }
  }
  std::sort(found.begin(), found.end());
  if (found.size() > kMaxTakenAtOnce) {
    found.resize(kMaxTakenAtOnce); // the rest at the next look
  }
  std::vector<std::string> links;
  for (const auto& path : found) {
    const auto size = fs::file_size(path, error);
    const auto written = fs::last_write_time(path, error);
    const bool fresh = !error && now - written <= kMaxAge;
    if (!error && fresh && size > 0 && size <= core::kMaxShareLinkBytes) {
      std::ifstream in(path, std::ios::binary);
      std::string link(static_cast<std::size_t>(size), '\0');
      if (in.read(link.data(), static_cast<std::streamsize>(size))) {
        links.push_back(std::move(link));
      }
    }
    fs::remove(path, error);
  }
  return links;
}

} // namespace swarmshare::gui
