#include "platform/auth/key_source.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string_view>

#include "platform/http/client.hpp"
#include "platform/log.hpp"
#include "platform/try.hpp"

namespace platform::auth {

using Clock = std::chrono::steady_clock;

namespace {

// A JWKS is a few hundred bytes per key; anything near this is not one.
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kRetryEvery{200};
constexpr std::chrono::milliseconds kMaxAttemptTimeout{2000};

constexpr std::string_view kHttpScheme = "http://";
constexpr std::string_view kHttpsScheme = "https://";

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::unexpected(Error::Unavailable("cannot read key file " + path));
  std::string content;
  content.resize(kMaxBodyBytes + 1);
  file.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (file.bad()) return std::unexpected(Error::Unavailable("cannot read key file " + path));
  content.resize(static_cast<std::size_t>(file.gcount()));
  if (content.size() > kMaxBodyBytes) {
    return std::unexpected(Error::Internal("key file " + path + " is larger than 1 MiB"));
  }
  return content;
}

// Keys from a JWKS document or a PEM public key, told apart by content so that one setting
// accepts either.
Result<std::vector<VerifyingKey>> ParseKeys(std::string_view content, const std::string& source) {
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && content[first] == '{') {
    auto keys = VerifyingKey::FromJwks(content);
    if (!keys) return std::unexpected(Error::Internal(source + ": " + keys.error().detail));
    return keys;
  }
  if (content.find("-----BEGIN") != std::string_view::npos) {
    auto key = VerifyingKey::FromPem(content);
    if (!key) return std::unexpected(Error::Internal(source + ": " + key.error().detail));
    return std::vector<VerifyingKey>{std::move(*key)};
  }
  return std::unexpected(Error::Internal(source + " holds neither a JWKS nor a PEM public key"));
}

std::vector<std::pair<std::string, std::string>> Fingerprint(
    const std::vector<VerifyingKey>& keys) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(keys.size());
  for (const auto& key : keys) out.emplace_back(key.KeyId(), key.RawPublicKey());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::vector<VerifyingKey>> LoadVerifyingKeys(const std::string& source,
                                                    std::chrono::milliseconds timeout) {
  if (source.starts_with(kHttpsScheme)) {
    return std::unexpected(
        Error::Internal("https key sources are not supported; use http:// inside the network"));
  }
  if (source.starts_with(kHttpScheme)) {
    if (auto parsed = http::ParseHttpUrl(source); !parsed) {
      return std::unexpected(Error::Internal("key source " + parsed.error().detail));
    }
    TODO_TRY(auto body, http::HttpGet(source, timeout, kMaxBodyBytes));
    return ParseKeys(body, source);
  }
  TODO_TRY(auto content, ReadKeyFile(source));
  return ParseKeys(content, source);
}

Result<std::vector<VerifyingKey>> LoadVerifyingKeysWithRetry(const std::string& source,
                                                             std::chrono::seconds total_wait) {
  const auto deadline = Clock::now() + total_wait;
  bool warned = false;
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto attempt_timeout = std::clamp(remaining, kRetryEvery, kMaxAttemptTimeout);
    auto keys = LoadVerifyingKeys(source, attempt_timeout);
    if (keys || keys.error().kind != ErrorKind::kUnavailable) return keys;
    const auto now = Clock::now();
    if (now >= deadline) {
      keys.error().detail += " (gave up after " + std::to_string(total_wait.count()) + " s)";
      return keys;
    }
    // Once, so that a slow identity start does not flood the log at five lines a second.
    if (!warned) {
      log::Warn("access-token keys not available yet; retrying",
                {{"source", source}, {"error", keys.error().detail}});
      warned = true;
    }
    // The one sleep: start-up has nothing else to do until the keys arrive.
    std::this_thread::sleep_until(std::min(now + kRetryEvery, deadline));
  }
}

KeyRefresher::KeyRefresher(std::string source, TokenVerifier& verifier,
                           std::chrono::seconds interval, std::chrono::milliseconds timeout,
                           std::vector<VerifyingKey> current_keys)
    : source_(std::move(source)),
      verifier_(verifier),
      interval_(interval),
      timeout_(timeout),
      applied_(Fingerprint(current_keys)) {}

KeyRefresher::~KeyRefresher() { Stop(); }

void KeyRefresher::Start() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(state_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void KeyRefresher::Stop() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<void> KeyRefresher::RefreshNow() {
  // Held across the load so that a slow, older answer never overwrites a newer one.
  std::lock_guard lock(refresh_mutex_);
  TODO_TRY(auto keys, LoadVerifyingKeys(source_, timeout_));
  auto fingerprint = Fingerprint(keys);
  // Replacing identical keys would only throw away the verifier's cache of checked tokens.
  if (fingerprint == applied_) return {};
  log::Info("access-token keys changed",
            {{"source", source_}, {"keys", static_cast<std::int64_t>(keys.size())}});
  verifier_.SetKeys(std::move(keys));
  applied_ = std::move(fingerprint);
  return {};
}

void KeyRefresher::Run() {
  std::unique_lock lock(state_mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    if (auto refreshed = RefreshNow(); !refreshed) {
      log::Warn("access-token key refresh failed; keeping the current keys",
                {{"source", source_}, {"error", refreshed.error().detail}});
    }
    lock.lock();
  }
}

}  // namespace platform::auth
