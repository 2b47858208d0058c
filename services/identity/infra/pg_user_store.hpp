#pragma once
// PgUserStore: the UserStore on PostgreSQL, each change committed with its todo.user.* event.

#include "app/ports.hpp"
#include "platform/pg/pool.hpp"

namespace identity::infra {

// PgUserStore: runs every statement on the pool's workers, never on the event loop.
class PgUserStore : public app::UserStore {
 public:
  explicit PgUserStore(platform::pg::Pool& pool) : pool_(pool) {}

  app::Async<domain::User> Create(domain::User user, std::string password_hash,
                                  app::NewSession session, std::string request_id) override;
  app::Async<std::optional<domain::Credentials>> FindByEmail(std::string email) override;
  app::Async<std::optional<domain::Credentials>> FindById(std::string id) override;
  app::Async<void> OpenSession(std::string user_id, app::NewSession session) override;
  app::Async<app::RotationOutcome> Rotate(std::string presented_hash,
                                          app::NewSession next) override;
  app::Async<std::vector<std::string>> EndSessions(std::string user_id, std::string family_id,
                                                   std::string refresh_token_hash) override;
  app::Async<domain::User> Update(std::string user_id, app::ProfileChange change,
                                  std::string request_id) override;
  app::Async<std::vector<std::string>> ChangePassword(std::string user_id, std::string new_hash,
                                                      std::string keep_family) override;
  app::Async<std::vector<std::string>> Delete(std::string user_id, std::string request_id) override;

 private:
  platform::pg::Pool& pool_;
};

}  // namespace identity::infra
