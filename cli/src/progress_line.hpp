#pragma once
// A one-line progress display on a terminal: redrawn in place, erased when done.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace swarmshare::cli {

class ProgressLine {
public:
  /// Draws on `stream` only when it is a terminal (or when `force` is set).
  ProgressLine(std::FILE* stream, std::string label, bool force = false);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(std::uint64_t done, std::uint64_t total);
  void clear();

private:
  std::FILE* stream_;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace swarmshare::cli
