#pragma once
// The JSON form of a user: API.md's `user` object, also the data of todo.user.* events.

#include <string>

#include "domain/user.hpp"
#include "platform/json.hpp"

namespace identity::infra {

void WriteUser(platform::JsonWriter& w, const domain::User& user);
std::string UserJson(const domain::User& user);

}  // namespace identity::infra
