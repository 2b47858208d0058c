#pragma once
// Access-token public keys for services other than identity: loaded at start-up from
// identity's JWKS URL or a file, then refreshed in the background so key rotation needs no
// restart.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "platform/auth/jwt.hpp"
#include "platform/error.hpp"

namespace platform::auth {

// The keys that `source` publishes: an http:// JWKS URL (fetched with http::HttpGet; plain
// http, since keys travel inside the deployment's private network and a JWKS holds nothing
// secret), or a file holding a PEM public key or a JWKS document (told apart by content).
// Error::Unavailable when the source cannot be reached or read (worth retrying); another kind
// when what it holds is not usable keys.
Result<std::vector<VerifyingKey>> LoadVerifyingKeys(const std::string& source,
                                                    std::chrono::milliseconds timeout);

// LoadVerifyingKeys retried every 200 ms for up to `total_wait` while the source is
// Unavailable, since a service may start before identity answers. Other errors (a malformed
// URL, a file that holds no key) are returned at once: waiting cannot fix them.
Result<std::vector<VerifyingKey>> LoadVerifyingKeysWithRetry(const std::string& source,
                                                             std::chrono::seconds total_wait);

// KeyRefresher: reloads a verifier's keys from a source every interval on its own thread, so
// that a rotated identity key is accepted without a restart.
class KeyRefresher {
 public:
  // `current_keys` are the keys `verifier` was built with; knowing them spares the first
  // refresh from replacing identical keys (which would clear the verifier's cache).
  KeyRefresher(std::string source, TokenVerifier& verifier, std::chrono::seconds interval,
               std::chrono::milliseconds timeout, std::vector<VerifyingKey> current_keys = {});
  ~KeyRefresher();
  KeyRefresher(const KeyRefresher&) = delete;
  KeyRefresher& operator=(const KeyRefresher&) = delete;

  // Starts the background thread; a no-op while it runs. Failed refreshes are logged and
  // leave the verifier's keys as they were.
  void Start();
  // Stops and joins the thread; returns at once between refreshes, or after at most the
  // timeout while one is in flight. Idempotent.
  void Stop();
  // Reloads the keys now and hands them to the verifier if they differ from the last ones.
  Result<void> RefreshNow();

 private:
  void Run();

  const std::string source_;
  TokenVerifier& verifier_;
  const std::chrono::seconds interval_;
  const std::chrono::milliseconds timeout_;

  // Serialises refreshes (thread and RefreshNow) and guards applied_.
  std::mutex refresh_mutex_;
  // (kid, raw public key) of the keys last given to the verifier, sorted.
  std::vector<std::pair<std::string, std::string>> applied_;

  // Serialises Start and Stop, so a restart cannot revive a thread that is being stopped.
  std::mutex lifecycle_mutex_;
  std::thread thread_;
  // Guards stopping_; never held across a refresh, so Stop() is not kept waiting by a
  // network call that has not started.
  std::mutex state_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace platform::auth
