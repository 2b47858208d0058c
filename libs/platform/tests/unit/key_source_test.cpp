// Loading access-token public keys from files and a JWKS URL, and refreshing them on rotation.

#include <utility>

#include "platform/auth/key_source.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/http/client.hpp"
#include "platform/http/server.hpp"

namespace platform::auth {
namespace {

using namespace std::chrono_literals;
using platform::http::Request;
using platform::http::Response;

constexpr char kIssuer[] = "https://identity.test";
constexpr char kAudience[] = "todo-api";
constexpr char kJwksPath[] = "/.well-known/jwks.json";

std::string TokenSignedBy(const SigningKey& key) {
  TokenSigner signer(key, kIssuer, kAudience, 15min);
  return signer.Sign(signer.NewClaims("user-1", "", SystemNowUnix()));
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::path(::testing::TempDir()) /
                    (name + "-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

// A loopback socket bound and listening but never accepting: connects succeed, nothing answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    (void)::listen(fd_, 4);
    socklen_t length = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int Port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port with nobody listening: bound once to learn a free number, then released.
int ClosedPort() {
  SilentListener listener;
  return listener.Port();
}

// Serves the JWKS of whichever key `SetKey` last chose, or 500 while failing, like identity
// would across a key rotation or an outage.
class JwksServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = SigningKey::Generate();
    platform::http::Router router;
    router.Add("GET", kJwksPath, [this](Request&) -> boost::asio::awaitable<Response> {
      requests_.fetch_add(1);
      std::lock_guard lock(mutex_);
      if (failures_left_ > 0) {
        --failures_left_;
        co_return Response::Problem(Error::Internal());
      }
      co_return Response::Json(200, JwksJson({key_.Public()}));
    });
    platform::http::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.access_log = false;
    server_ = std::make_unique<platform::http::HttpServer>(options, std::move(router));
    server_->Listen();
    runner_ = std::async(std::launch::async, [this] { server_->Run(); });
  }
  void TearDown() override {
    server_->Shutdown();
    ASSERT_EQ(runner_.wait_for(10s), std::future_status::ready);
  }

  std::string Url(const std::string& path = kJwksPath) const {
    return "http://127.0.0.1:" + std::to_string(server_->BoundPort()) + path;
  }
  SigningKey Key() {
    std::lock_guard lock(mutex_);
    return key_;
  }
  void SetKey(SigningKey key) {
    std::lock_guard lock(mutex_);
    key_ = std::move(key);
  }
  // The next `count` requests answer 500 (a huge count: until further notice).
  void FailNext(int count) {
    std::lock_guard lock(mutex_);
    failures_left_ = count;
  }
  std::unique_ptr<TokenVerifier> VerifierFor(std::vector<VerifyingKey> keys) {
    return std::make_unique<TokenVerifier>(std::move(keys), kIssuer, kAudience);
  }

  std::mutex mutex_;
  SigningKey key_ = SigningKey::Generate();
  int failures_left_ = 0;
  std::atomic<int> requests_{0};
  std::unique_ptr<platform::http::HttpServer> server_;
  std::future<void> runner_;
};

TEST(LoadVerifyingKeysTest, PemFileYieldsItsOneKey) {
  const auto key = SigningKey::Generate();
  const auto path = WriteTempFile("key.pem", key.PublicKeyPem());
  const auto keys = LoadVerifyingKeys(path, 1s);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].KeyId(), key.KeyId());
  EXPECT_EQ((*keys)[0].RawPublicKey(), key.Public().RawPublicKey());
  std::filesystem::remove(path);
}

TEST(LoadVerifyingKeysTest, JwksFileWithLeadingWhitespaceYieldsEveryKey) {
  const auto a = SigningKey::Generate();
  const auto b = SigningKey::Generate();
  const auto path = WriteTempFile("jwks.json", "\n  " + JwksJson({a.Public(), b.Public()}));
  const auto keys = LoadVerifyingKeys(path, 1s);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].KeyId(), a.KeyId());
  EXPECT_EQ((*keys)[1].KeyId(), b.KeyId());
  std::filesystem::remove(path);
}

TEST(LoadVerifyingKeysTest, MissingFileIsUnavailable) {
  const auto keys = LoadVerifyingKeys("/nonexistent/dir/key.pem", 1s);
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().kind, ErrorKind::kUnavailable);
}

TEST(LoadVerifyingKeysTest, FileHoldingNeitherPemNorJwksIsAnErrorThatIsNotRetried) {
  const auto path = WriteTempFile("junk.txt", "not a key");
  const auto keys = LoadVerifyingKeys(path, 1s);
  ASSERT_FALSE(keys.has_value());
  EXPECT_NE(keys.error().kind, ErrorKind::kUnavailable);
  std::filesystem::remove(path);
}

TEST(LoadVerifyingKeysTest, HttpsSourceIsRefusedAsUnsupported) {
  const auto keys = LoadVerifyingKeys("https://identity/.well-known/jwks.json", 1s);
  ASSERT_FALSE(keys.has_value());
  EXPECT_NE(keys.error().kind, ErrorKind::kUnavailable);
}

TEST(LoadVerifyingKeysTest, MalformedUrlIsAnErrorThatIsNotRetried) {
  for (const char* url :
       {"http://", "http://host:notaport/x", "http://host:70000/", "http://[::1"}) {
    const auto keys = LoadVerifyingKeys(url, 1s);
    ASSERT_FALSE(keys.has_value()) << url;
    EXPECT_NE(keys.error().kind, ErrorKind::kUnavailable) << url;
  }
}

TEST_F(JwksServerTest, JwksUrlYieldsKeysThatVerifyTheIssuersTokens) {
  const auto keys = LoadVerifyingKeys(Url(), 2s);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].KeyId(), Key().KeyId());

  auto verifier = VerifierFor(*keys);
  const auto claims = verifier->Verify(TokenSignedBy(Key()));
  ASSERT_TRUE(claims.has_value()) << claims.error().detail;
  EXPECT_EQ(claims->sub, "user-1");
  EXPECT_FALSE(verifier->Verify(TokenSignedBy(SigningKey::Generate())).has_value());
}

TEST_F(JwksServerTest, HttpGetReturnsTheBodyOf200) {
  const auto body = http::HttpGet(Url(), 2s);
  ASSERT_TRUE(body.has_value()) << body.error().detail;
  EXPECT_EQ(*body, JwksJson({Key().Public()}));
}

TEST_F(JwksServerTest, HttpGetOfA500IsUnavailable) {
  FailNext(1);
  const auto body = http::HttpGet(Url(), 2s);
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(body.error().detail.find("500"), std::string::npos) << body.error().detail;
}

TEST_F(JwksServerTest, HttpGetOfAnUnknownPathIsUnavailable) {
  const auto keys = LoadVerifyingKeys(Url("/nope"), 2s);
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().kind, ErrorKind::kUnavailable);
}

TEST(HttpGetTest, ClosedPortFailsWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto body = http::HttpGet("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/", 1s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().kind, ErrorKind::kUnavailable);
  EXPECT_LT(elapsed, 1s);
}

TEST(HttpGetTest, ServerThatNeverAnswersTimesOutOnTime) {
  SilentListener listener;
  const auto start = std::chrono::steady_clock::now();
  const auto body =
      http::HttpGet("http://127.0.0.1:" + std::to_string(listener.Port()) + "/", 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(JwksServerTest, RetryWaitsOutAnIdentityThatIsNotReadyYet) {
  FailNext(3);
  const auto keys = LoadVerifyingKeysWithRetry(Url(), 10s);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  EXPECT_EQ((*keys)[0].KeyId(), Key().KeyId());
  EXPECT_EQ(requests_.load(), 4);
}

TEST(LoadVerifyingKeysWithRetryTest, GivesUpAfterTheTotalWait) {
  const auto start = std::chrono::steady_clock::now();
  const auto keys =
      LoadVerifyingKeysWithRetry("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/", 1s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().kind, ErrorKind::kUnavailable);
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 3s);
}

TEST(LoadVerifyingKeysWithRetryTest, ReturnsAtOnceForAnErrorWaitingCannotFix) {
  const auto path = WriteTempFile("junk.txt", "not a key");
  const auto start = std::chrono::steady_clock::now();
  const auto keys = LoadVerifyingKeysWithRetry(path, 30s);
  EXPECT_FALSE(keys.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  std::filesystem::remove(path);
}

TEST_F(JwksServerTest, KeyRefresherRefreshNowAdoptsARotatedKeyAndDropsTheOldOne) {
  const auto old_key = Key();
  auto verifier = VerifierFor({old_key.Public()});
  KeyRefresher refresher(Url(), *verifier, 1h, 2s, {old_key.Public()});
  const auto old_token = TokenSignedBy(old_key);
  ASSERT_TRUE(verifier->Verify(old_token).has_value());  // now cached, too

  const auto new_key = SigningKey::Generate();
  SetKey(new_key);
  const auto new_token = TokenSignedBy(new_key);
  EXPECT_FALSE(verifier->Verify(new_token).has_value());

  ASSERT_TRUE(refresher.RefreshNow().has_value());
  const auto claims = verifier->Verify(new_token);
  EXPECT_TRUE(claims.has_value()) << claims.error().detail;
  EXPECT_FALSE(verifier->Verify(old_token).has_value());
}

TEST_F(JwksServerTest, KeyRefresherThreadAdoptsARotatedKeyWithinItsInterval) {
  const auto old_key = Key();
  auto verifier = VerifierFor({old_key.Public()});
  KeyRefresher refresher(Url(), *verifier, 1s, 2s, {old_key.Public()});
  refresher.Start();
  const auto old_token = TokenSignedBy(old_key);
  ASSERT_TRUE(verifier->Verify(old_token).has_value());

  const auto new_key = SigningKey::Generate();
  SetKey(new_key);
  const auto new_token = TokenSignedBy(new_key);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool adopted = false;
  while (!adopted && std::chrono::steady_clock::now() < deadline) {
    adopted = verifier->Verify(new_token).has_value();
    if (!adopted) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(adopted);
  EXPECT_FALSE(verifier->Verify(old_token).has_value());
  refresher.Stop();
}

TEST_F(JwksServerTest, KeyRefresherKeepsTheOldKeysWhileTheSourceFails) {
  const auto key = Key();
  auto verifier = VerifierFor({key.Public()});
  KeyRefresher refresher(Url(), *verifier, 1h, 2s, {key.Public()});
  FailNext(1'000'000);

  const auto refreshed = refresher.RefreshNow();
  ASSERT_FALSE(refreshed.has_value());
  EXPECT_EQ(refreshed.error().kind, ErrorKind::kUnavailable);
  const auto claims = verifier->Verify(TokenSignedBy(key));
  EXPECT_TRUE(claims.has_value()) << claims.error().detail;
}

TEST_F(JwksServerTest, KeyRefresherThreadKeepsTheOldKeysWhileTheSourceFails) {
  const auto key = Key();
  auto verifier = VerifierFor({key.Public()});
  KeyRefresher refresher(Url(), *verifier, 1s, 2s);  // current keys unknown: any answer applies
  FailNext(1'000'000);
  refresher.Start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (requests_.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(requests_.load(), 2);
  const auto claims = verifier->Verify(TokenSignedBy(key));
  EXPECT_TRUE(claims.has_value()) << claims.error().detail;
}

TEST_F(JwksServerTest, KeyRefresherStopReturnsPromptlyDespiteALongInterval) {
  auto verifier = VerifierFor({Key().Public()});
  KeyRefresher refresher(Url(), *verifier, 1h, 2s);
  refresher.Start();
  refresher.Start();                  // a second Start is a no-op, not a second thread
  std::this_thread::sleep_for(50ms);  // let the thread reach its wait
  const auto start = std::chrono::steady_clock::now();
  refresher.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  refresher.Stop();  // idempotent
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(JwksServerTest, KeyRefresherCanBeStartedAgainAfterStop) {
  const auto old_key = Key();
  auto verifier = VerifierFor({old_key.Public()});
  KeyRefresher refresher(Url(), *verifier, 1s, 2s, {old_key.Public()});
  refresher.Start();
  refresher.Stop();
  refresher.Start();
  const auto new_key = SigningKey::Generate();
  SetKey(new_key);
  const auto new_token = TokenSignedBy(new_key);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!verifier->Verify(new_token).has_value() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(verifier->Verify(new_token).has_value());
}

}  // namespace
}  // namespace platform::auth
