#include "platform/http/operational_routes.hpp"

#include <memory>

#include "platform/json.hpp"
#include "platform/metrics.hpp"

namespace platform::http {

void AddOperationalRoutes(Router& router, std::vector<ReadinessCheck> checks) {
  router.Add("GET", "/healthz", [](Request&) -> boost::asio::awaitable<Response> {
    co_return Response::Json(200, R"({"status":"ok"})");
  });
  auto shared = std::make_shared<std::vector<ReadinessCheck>>(std::move(checks));
  router.Add("GET", "/readyz", [shared](Request&) -> boost::asio::awaitable<Response> {
    JsonWriter w;
    w.StartObject();
    bool ready = true;
    std::string failing;
    w.Key("checks");
    w.StartObject();
    for (const auto& check : *shared) {
      bool ok = co_await check.probe();
      w.Field(check.name, ok ? "ok" : "unavailable");
      if (!ok) {
        ready = false;
        failing += failing.empty() ? check.name : ", " + check.name;
      }
    }
    w.EndObject();
    w.Field("status", ready ? "ready" : "unavailable");
    if (!ready) w.Field("detail", failing + " not reachable");
    w.EndObject();
    co_return Response::Json(ready ? 200 : 503, w.Take());
  });
  router.Add("GET", "/metrics", [](Request&) -> boost::asio::awaitable<Response> {
    Response r;
    r.body = metrics::DefaultRegistry().Render();
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
    co_return r;
  });
}

}  // namespace platform::http
