// The Argon2id hasher with real libsodium (small parameters so the tests stay quick).

#include <utility>

#include "infra/crypto/sodium_password_hasher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include "platform/testing/run_sync.hpp"

namespace identity::infra {
namespace {

constexpr Argon2idParams kQuick{1, 8 * 1024 * 1024};

using platform::testing::RunSync;

std::string Password128() {
  std::string p;
  for (int i = 0; i < 128; ++i) p.push_back(static_cast<char>('a' + (i * 7) % 26));
  return p;
}

TEST(SodiumPasswordHasher, HashIsArgon2idAndVerifies) {
  SodiumPasswordHasher hasher(kQuick, 1, 4);
  auto hash = RunSync(hasher.Hash("correct horse battery"));
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_EQ(RunSync(hasher.Verify(*hash, "correct horse battery")), true);
  EXPECT_EQ(RunSync(hasher.Verify(*hash, "correct horse batterY")), false);
}

TEST(SodiumPasswordHasher, PasswordDifferingOnlyAtCharacter100IsRefused) {
  SodiumPasswordHasher hasher(kQuick, 1, 4);
  std::string password = Password128();
  auto hash = RunSync(hasher.Hash(password));
  ASSERT_TRUE(hash.has_value());
  std::string altered = password;
  altered[99] = altered[99] == 'Z' ? 'Y' : 'Z';
  EXPECT_EQ(RunSync(hasher.Verify(*hash, password)), true);
  EXPECT_EQ(RunSync(hasher.Verify(*hash, altered)), false);
}

TEST(SodiumPasswordHasher, DummyVerificationNeverSucceeds) {
  SodiumPasswordHasher hasher(kQuick, 1, 4);
  EXPECT_EQ(RunSync(hasher.VerifyDummy("dummy password for unknown accounts")), false);
}

TEST(SodiumPasswordHasher, BeyondWorkersAndQueueRequestsAreShedWith503) {
  SodiumPasswordHasher hasher(kQuick, 1, 1);
  boost::asio::io_context context;
  int ok = 0, shed = 0;
  for (int i = 0; i < 6; ++i) {
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
          auto r = co_await hasher.Hash("some password here");
          if (r) {
            ++ok;
          } else {
            EXPECT_EQ(r.error().kind, platform::ErrorKind::kUnavailable);
            EXPECT_GT(r.error().retry_after_seconds, 0);
            ++shed;
          }
        },
        boost::asio::detached);
  }
  context.run();
  // All six were admitted before any finished: two fit (one running, one waiting).
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(shed, 4);
}

}  // namespace
}  // namespace identity::infra
