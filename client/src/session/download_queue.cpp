#include "session/download_queue.hpp"

#include <algorithm>

namespace swarmshare::client {

std::uint32_t DownloadQueue::push(DownloadCommand command) {
  const auto same = [&](const DownloadCommand& queued) {
    return queued.file_id == command.file_id;
  };
  auto found = std::find_if(waiting_.begin(), waiting_.end(), same);
  if (found == waiting_.end()) {
    waiting_.push_back(std::move(command));
    return static_cast<std::uint32_t>(waiting_.size());
  }
  *found = std::move(command);
  return static_cast<std::uint32_t>(found - waiting_.begin()) + 1;
}

bool DownloadQueue::remove(const core::FileId& file_id) {
  const auto found = std::find_if(waiting_.begin(), waiting_.end(),
                                  [&](const DownloadCommand& q) { return q.file_id == file_id; });
  if (found == waiting_.end()) {
    return false;
  }
  waiting_.erase(found);
  return true;
}

bool DownloadQueue::set_download_limit(const core::FileId& file_id,
                                       std::uint64_t bytes_per_second) {
  const auto found = std::find_if(waiting_.begin(), waiting_.end(),
                                  [&](const DownloadCommand& q) { return q.file_id == file_id; });
  if (found == waiting_.end()) {
    return false;
  }
  found->download_limit = bytes_per_second;
  return true;
}

bool DownloadQueue::contains(const core::FileId& file_id) const noexcept {
  return position(file_id).has_value();
}

std::optional<std::uint32_t> DownloadQueue::position(const core::FileId& file_id) const noexcept {
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    if (waiting_[i].file_id == file_id) {
      return static_cast<std::uint32_t>(i + 1);
    }
  }
  return std::nullopt;
}

std::vector<DownloadCommand> DownloadQueue::pop_startable(std::size_t active) {
  std::vector<DownloadCommand> start;
  while (!waiting_.empty() && has_free_slot(active + start.size())) {
    start.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  return start;
}

std::vector<core::FileId> DownloadQueue::order() const {
  std::vector<core::FileId> ids;
  ids.reserve(waiting_.size());
  for (const auto& queued : waiting_) {
    ids.push_back(queued.file_id);
  }
  return ids;
}

} // namespace swarmshare::client
