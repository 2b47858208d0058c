#include "infra/events/list_fold.hpp"

#include <string>
#include <vector>

#include "infra/pg/queries.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;
namespace q = queries;

pg::DbResult<void> FoldList(pg::Connection& tx, const ListChange& change) {
  std::string version = std::to_string(change.version);
  if (change.deleted) {
    TODO_TRY(auto buried, tx.Execute(q::kBuryList, {change.list_id, change.owner_id, version}));
    if (!buried.Empty()) TODO_TRY_VOID(tx.Execute(q::kClearMembers, {change.list_id}));
    return {};
  }
  TODO_TRY(auto forgotten, tx.Execute(q::kIsForgotten, {change.owner_id}));
  if (!forgotten.Empty()) return {};
  TODO_TRY(auto applied, tx.Execute(q::kUpsertList, {change.list_id, change.owner_id,
                                                     change.inbox ? "true" : "false", version}));
  if (applied.Empty()) return {};
  TODO_TRY_VOID(tx.Execute(q::kClearMembers, {change.list_id}));
  std::vector<std::string> users, roles;
  for (const auto& member : change.members) {
    users.push_back(member.user_id);
    roles.push_back(member.role);
  }
  TODO_TRY_VOID(tx.Execute(q::kInsertMembers,
                           {change.list_id, pg::ArrayLiteral(users), pg::ArrayLiteral(roles)}));
  return {};
}

}  // namespace progress::infra
