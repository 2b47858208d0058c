#pragma once
// Router: maps a method and a path with {parameters} to a handler.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/error.hpp"
#include "platform/http/message.hpp"

namespace platform::http {

// RouteMatch: the handler a request goes to, with its path parameters.
struct RouteMatch {
  const Handler* handler = nullptr;
  std::string_view route;  // the pattern, owned by the Router
  std::unordered_map<std::string, std::string> params;
};

// Router: exact segments and {name} segments; 404 for an unknown path, 405 for a known path
// with another method.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  Result<RouteMatch> Find(std::string_view method, std::string_view path) const;
  // The methods a path answers to, comma-separated (for a 405's Allow header).
  std::string AllowedMethods(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool Matches(const Route& route, const std::vector<std::string_view>& segments,
                      std::unordered_map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

}  // namespace platform::http
