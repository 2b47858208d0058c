#pragma once
// SigningKeys: identity's signing keys at run time: the one that signs now (picked by the ring
// at each token, so a new key signs from its activate_at on the second), and the published ones,
// which this process's own verifier accepts and its JWKS lists. KeyDirectoryWatcher reads the
// key directory again every few seconds (a rotation, a changed Secret) and hands it over.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "infra/auth/key_directory.hpp"
#include "platform/auth/jwt.hpp"
#include "platform/background_loop.hpp"
#include "platform/error.hpp"

namespace identity::infra {

// TokenSettings: what every access token says besides its subject.
struct TokenSettings {
  std::string issuer;
  std::string audience;
  std::chrono::seconds access_ttl{0};
};

// SigningKeys: thread-safe; requests read it, the watcher replaces its keys as a whole.
class SigningKeys {
 public:
  using Clock = std::function<std::int64_t()>;

  // What Apply changed.
  struct Changes {
    bool published = false;  // the published keys (the verifier's and the JWKS)
    bool signing = false;    // the key that signs now
  };

  // Starts from `initial` (LoadKeyDirectory's read at the clock's now) and gives `verifier`
  // its published keys. `clock` is Unix seconds (tests pass their own).
  SigningKeys(KeySet initial, TokenSettings settings, platform::auth::TokenVerifier& verifier,
              Clock clock = platform::auth::SystemNowUnix);

  std::int64_t Now() const { return clock_(); }
  std::chrono::seconds AccessTtl() const { return settings_.access_ttl; }
  // The signer of the key that signs at `now`: the ring's signing key then; should the clock
  // have gone back before every key's activate_at, the one that signed at the last Apply.
  std::shared_ptr<const platform::auth::TokenSigner> SignerAt(std::int64_t now) const;
  // The JWKS document of the keys published at the last Apply.
  std::shared_ptr<const std::string> Jwks() const;
  // The kids published at the last Apply, sorted.
  std::vector<std::string> PublishedKids() const;

  // Takes `keys` (a fresh read of the key directory) at `now`: the verifier gets the keys
  // published then, and the JWKS follows, when they differ from the last ones.
  Changes Apply(KeySet keys, std::int64_t now);

 private:
  struct State {
    domain::KeyRing ring;
    std::map<std::string, std::shared_ptr<const platform::auth::TokenSigner>, std::less<>> signers;
    std::vector<std::string> published;
    std::string signing_kid;  // at the last Apply
    std::shared_ptr<const std::string> jwks;
  };

  std::shared_ptr<const State> Build(KeySet keys, std::int64_t now) const;

  const TokenSettings settings_;
  platform::auth::TokenVerifier& verifier_;
  const Clock clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
};

// KeyDirectoryWatcher: reads the key directory every `interval` on a BackgroundLoop and applies
// it to `keys`; when the published keys change it rewrites jwks.json, and it deletes the files
// of retired keys (both where the directory lets it). A directory that cannot be read, or holds
// a malformed ring, leaves the keys as they were: it is logged (once until it changes) and
// counted in key_directory_reload_failures_total.
class KeyDirectoryWatcher {
 public:
  KeyDirectoryWatcher(std::string dir, SigningKeys& keys, std::chrono::seconds interval);
  ~KeyDirectoryWatcher();
  KeyDirectoryWatcher(const KeyDirectoryWatcher&) = delete;
  KeyDirectoryWatcher& operator=(const KeyDirectoryWatcher&) = delete;

  void Start();
  void Stop();
  // One read of the directory, as each interval does (tests call it with their clock set).
  platform::Result<SigningKeys::Changes> ReloadNow();

 private:
  platform::BackgroundLoop::Next Step();

  const std::string dir_;
  SigningKeys& keys_;
  const std::chrono::seconds interval_;
  std::mutex reload_mutex_;  // ReloadNow from a test and the loop never overlap
  std::string last_error_;   // guarded by reload_mutex_
  platform::BackgroundLoop loop_;
};

}  // namespace identity::infra
