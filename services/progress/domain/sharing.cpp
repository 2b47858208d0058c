#include "domain/sharing.hpp"

#include <algorithm>

namespace progress::domain {

std::vector<Member> ListAudience(std::string_view owner_id, const std::vector<Member>& members) {
  std::vector<Member> audience;
  audience.reserve(members.size() + 1);
  audience.push_back({std::string(owner_id), "owner"});
  for (const auto& member : members) {
    bool known = std::ranges::any_of(
        audience, [&member](const Member& seen) { return seen.user_id == member.user_id; });
    if (!known) audience.push_back(member);
  }
  return audience;
}

std::optional<std::string> ActorOf(EventKind kind, const ActorField& field,
                                   std::string_view owner_id,
                                   std::optional<std::string_view> reason) {
  if (field.present) return field.value;
  bool scheduler =
      kind == EventKind::kExpired || (kind == EventKind::kDeleted && reason == "expired");
  if (scheduler) return std::nullopt;
  return std::string(owner_id);
}

}  // namespace progress::domain
