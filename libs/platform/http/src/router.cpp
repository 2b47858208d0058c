#include "platform/http/router.hpp"

namespace platform::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler)};
  for (auto segment : Split(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

bool Router::Matches(const Route& route, const std::vector<std::string_view>& segments,
                     std::unordered_map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (segments[i].empty()) return false;
      if (params) params->emplace(want.substr(1, want.size() - 2), std::string(segments[i]));
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

Result<RouteMatch> Router::Find(std::string_view method, std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::unexpected(Error::NotFound());
  auto segments = Split(path);
  bool path_known = false;
  for (const auto& route : routes_) {
    if (!Matches(route, segments, nullptr)) continue;
    path_known = true;
    if (route.method != method) continue;
    RouteMatch match;
    Matches(route, segments, &match.params);
    match.handler = &route.handler;
    match.route = route.pattern;
    return match;
  }
  if (path_known) {
    return std::unexpected(
        Error{ErrorKind::kMethodNotAllowed, "method not allowed on this path", {}, 0});
  }
  return std::unexpected(Error::NotFound("no such endpoint"));
}

std::string Router::AllowedMethods(std::string_view path) const {
  if (path.empty() || path.front() != '/') return {};
  auto segments = Split(path);
  std::string allowed;
  for (const auto& route : routes_) {
    if (!Matches(route, segments, nullptr)) continue;
    if (allowed.find(route.method) != std::string::npos) continue;
    allowed += allowed.empty() ? route.method : ", " + route.method;
  }
  return allowed;
}

}  // namespace platform::http
