#include "infra/json/user_json.hpp"

namespace identity::infra {

void WriteUser(platform::JsonWriter& w, const domain::User& user) {
  w.StartObject();
  w.Field("id", user.id);
  w.Field("email", user.email);
  w.Field("name", user.name);
  w.Field("timezone", user.timezone);
  w.Field("default_task_ttl_seconds", user.default_task_ttl_seconds);
  w.Field("created_at", user.created_at);
  w.Field("updated_at", user.updated_at);
  w.Field("version", user.version);
  w.EndObject();
}

std::string UserJson(const domain::User& user) {
  platform::JsonWriter w;
  WriteUser(w, user);
  return w.Take();
}

}  // namespace identity::infra
