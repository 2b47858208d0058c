#include "infra/events/identity_events.hpp"

#include <utility>

#include "infra/json/user_json.hpp"
#include "platform/auth/session_revoked.hpp"
#include "platform/json.hpp"

namespace identity::infra::events {

namespace {

platform::bus::EventDraft Draft(std::string_view type, std::string subject, std::int64_t version,
                                std::string data, std::string request_id) {
  return {std::string(type), std::string(kSource), std::move(subject),
          version,           std::move(data),      std::move(request_id)};
}

std::string DeletedUserJson(const std::string& user_id, std::int64_t version) {
  platform::JsonWriter w;
  w.StartObject();
  w.Field("id", user_id);
  w.Field("version", version);
  w.EndObject();
  return w.Take();
}

}  // namespace

platform::bus::EventDraft UserCreated(const domain::User& user, std::string request_id) {
  return Draft(kUserCreated, user.id, user.version, UserJson(user), std::move(request_id));
}

platform::bus::EventDraft UserUpdated(const domain::User& user, std::string request_id) {
  return Draft(kUserUpdated, user.id, user.version, UserJson(user), std::move(request_id));
}

platform::bus::EventDraft UserDeleted(std::string user_id, std::int64_t version,
                                      std::string request_id) {
  std::string data = DeletedUserJson(user_id, version);
  return Draft(kUserDeleted, std::move(user_id), version, std::move(data), std::move(request_id));
}

platform::bus::EventDraft SessionRevoked(const platform::SessionRevocation& revocation,
                                         std::string request_id) {
  // Each session's events stand alone: its first and only version.
  return Draft(platform::auth::kSessionRevokedType, revocation.session_id, 1,
               platform::auth::SessionRevokedData(revocation), std::move(request_id));
}

}  // namespace identity::infra::events
