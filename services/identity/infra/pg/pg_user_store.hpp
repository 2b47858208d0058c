#pragma once
// PgUserStore: the UserStore on PostgreSQL, each change committed with its todo.user.* event.

#include "app/ports.hpp"
#include "platform/pg/pool.hpp"

namespace identity::infra {

// PgUserStore: runs every statement on the pool's workers, never on the event loop. An ended
// session's event says until when its access tokens (living `access_ttl`) must be refused.
class PgUserStore : public app::UserStore {
 public:
  PgUserStore(platform::pg::Pool& pool, std::chrono::seconds access_ttl)
      : pool_(pool), access_ttl_(access_ttl) {}

  app::Async<domain::User> Create(domain::User user, std::string password_hash,
                                  app::NewSession session, std::string request_id) override;
  app::Async<std::optional<domain::Credentials>> FindByEmail(std::string email) override;
  app::Async<std::optional<domain::Credentials>> FindById(std::string id) override;
  app::Async<void> OpenSession(std::string user_id, app::NewSession session) override;
  app::Async<app::RotationOutcome> Rotate(std::string presented_hash,
                                          app::NewSession next) override;
  app::Async<std::vector<app::SessionRevocation>> EndSessions(std::string user_id,
                                                              std::string family_id,
                                                              std::string refresh_token_hash,
                                                              std::string request_id) override;
  app::Async<domain::User> Update(std::string user_id, app::ProfileChange change,
                                  std::string request_id) override;
  app::Async<std::vector<app::SessionRevocation>> ChangePassword(std::string user_id,
                                                                 std::string new_hash,
                                                                 std::string keep_family,
                                                                 std::string request_id) override;
  app::Async<std::vector<app::SessionRevocation>> Delete(std::string user_id,
                                                         std::string request_id) override;

 private:
  platform::pg::Pool& pool_;
  std::chrono::seconds access_ttl_;
};

}  // namespace identity::infra
