#pragma once
// The entries of a comma-separated setting ("a:1, b:2,"), shared by every setting that lists
// servers, so they all read a list the same way.

#include <ranges>
#include <string_view>
#include <vector>

namespace platform {

// The entries of `list` in order, spaces around each removed, empty ones dropped; views into
// `list`.
inline std::vector<std::string_view> CommaList(std::string_view list) {
  std::vector<std::string_view> entries;
  for (auto part : std::views::split(list, ',')) {
    std::string_view entry(part.begin(), part.end());
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (!entry.empty()) entries.push_back(entry);
  }
  return entries;
}

}  // namespace platform
