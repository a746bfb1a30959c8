#pragma once
// Reading swarmshare-cli's output in tests: its lines, and the File IDs it prints (each
// alone on its line as 64 lowercase hex digits; no other line ever looks like one).

#include "swarmshare/core/file_id.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace swarmshare::test {

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

inline bool is_bare_file_id(const std::string& line) {
  return line.size() == core::FileId::kHexLength &&
         std::all_of(line.begin(), line.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

inline std::vector<std::string> bare_file_ids(const std::string& out) {
  std::vector<std::string> ids;
  for (const auto& line : lines_of(out)) {
    if (is_bare_file_id(line)) {
      ids.push_back(line);
    }
  }
  return ids;
}

} // namespace swarmshare::test
