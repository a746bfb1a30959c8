// The state store's values that need no database: the error category, the text of its enums
// (what the database stores) and the ratio. The SQL is in state_store*.cpp (shared parts in
// state_store_sql.hpp).

#include "swarmshare/client/state_store.hpp"

#include <array>
#include <utility>

namespace swarmshare::client {
namespace {

class StateCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.client.state"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<StateErrc>(value)) {
    case StateErrc::not_found: return "no such entry in the state database";
    case StateErrc::unreadable_row:
      return "the state database holds a value this build cannot read";
    case StateErrc::invalid_request: return "request does not fit the entry's state";
    }
    return "unknown swarmshare.client.state error " + std::to_string(value);
  }
};

// One table per enum, in declaration order, so to_string is an index and from_string a scan
// of a handful of names.
constexpr std::array<std::string_view, 2> kFileSourceNames{"shared", "downloaded"};
constexpr std::array<std::string_view, 4> kLibraryStatusNames{"active", "paused", "missing",
                                                              "changed"};
constexpr std::array<std::string_view, 6> kDownloadStateNames{"queued",    "active", "paused",
                                                              "completed", "failed", "cancelled"};
constexpr std::array<std::string_view, 3> kShareAnswerNames{"not_asked", "yes", "no"};
constexpr std::array<std::string_view, 6> kHistoryOutcomeNames{
    "downloaded", "shared", "share_declined", "unshared", "failed", "cancelled"};

template <class Enum, std::size_t N>
[[nodiscard]] std::string_view name_of(const std::array<std::string_view, N>& names,
                                       Enum value) noexcept {
  const auto index = static_cast<std::size_t>(value);
  // Only a value cast from a bad integer is out of range; it gets no name rather than UB.
  return index < N ? names[index] : std::string_view{};
}

template <class Enum, std::size_t N>
[[nodiscard]] core::Result<Enum> parse(const std::array<std::string_view, N>& names,
                                       std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      return static_cast<Enum>(i);
    }
  }
  return StateErrc::unreadable_row;
}

} // namespace

const std::error_category& state_category() noexcept {
  static const StateCategory category;
  return category;
}

std::string_view to_string(FileSource value) noexcept { return name_of(kFileSourceNames, value); }
std::string_view to_string(LibraryStatus value) noexcept {
  return name_of(kLibraryStatusNames, value);
}
std::string_view to_string(DownloadState value) noexcept {
  return name_of(kDownloadStateNames, value);
}
std::string_view to_string(ShareAnswer value) noexcept { return name_of(kShareAnswerNames, value); }
std::string_view to_string(HistoryOutcome value) noexcept {
  return name_of(kHistoryOutcomeNames, value);
}

template <>
core::Result<FileSource> from_string<FileSource>(std::string_view text) {
  return parse<FileSource>(kFileSourceNames, text);
}
template <>
core::Result<LibraryStatus> from_string<LibraryStatus>(std::string_view text) {
  return parse<LibraryStatus>(kLibraryStatusNames, text);
}
template <>
core::Result<DownloadState> from_string<DownloadState>(std::string_view text) {
  return parse<DownloadState>(kDownloadStateNames, text);
}
template <>
core::Result<ShareAnswer> from_string<ShareAnswer>(std::string_view text) {
  return parse<ShareAnswer>(kShareAnswerNames, text);
}
template <>
core::Result<HistoryOutcome> from_string<HistoryOutcome>(std::string_view text) {
  return parse<HistoryOutcome>(kHistoryOutcomeNames, text);
}

std::optional<double> Totals::ratio() const noexcept {
  if (bytes_downloaded == 0) {
    return std::nullopt;
  }
  return static_cast<double>(bytes_uploaded) / static_cast<double>(bytes_downloaded);
}

} // namespace swarmshare::client
