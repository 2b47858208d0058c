#include "platform/http/problem_json.hpp"

#include <cstdint>

#include "platform/json.hpp"

namespace platform {

std::string ToProblemJson(const Error& error) {
  JsonWriter w;
  w.StartObject();
  w.Field("type", std::string("/problems/") + std::string(TypeSlug(error.kind)));
  w.Field("title", Title(error.kind));
  w.Field("status", static_cast<std::int64_t>(HttpStatus(error.kind)));
  w.Field("detail", error.detail.empty() ? Title(error.kind) : std::string_view(error.detail));
  if (!error.errors.empty()) {
    w.Key("errors");
    w.StartArray();
    for (const auto& e : error.errors) {
      w.StartObject();
      w.Field("field", e.field);
      w.Field("message", e.message);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace platform
