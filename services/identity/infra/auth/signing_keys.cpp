#include "infra/auth/signing_keys.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "platform/log.hpp"
#include "platform/metrics.hpp"

namespace identity::infra {
namespace {

platform::metrics::Counter& ReloadFailures() {
  static auto& counter = platform::metrics::DefaultRegistry().GetCounter(
      "key_directory_reload_failures_total",
      "reads of the key directory that failed (the keys stayed as they were)");
  return counter;
}

}  // namespace

SigningKeys::SigningKeys(KeySet initial, TokenSettings settings,
                         platform::auth::TokenVerifier& verifier, Clock clock)
    : settings_(std::move(settings)),
      verifier_(verifier),
      clock_(clock ? std::move(clock) : platform::auth::SystemNowUnix) {
  state_ = Build(std::move(initial), clock_());
  if (state_->signing_kid.empty()) {
    throw std::runtime_error("no signing key is active in the key directory");
  }
  std::vector<platform::auth::VerifyingKey> published;
  for (const auto& [kid, signer] : state_->signers) published.push_back(signer->Key().Public());
  verifier_.SetKeys(std::move(published));
}

std::shared_ptr<const SigningKeys::State> SigningKeys::Build(KeySet keys, std::int64_t now) const {
  auto state = std::make_shared<State>();
  std::vector<platform::auth::VerifyingKey> published;
  for (auto& [kid, key] : keys.keys) {
    published.push_back(key.Public());
    state->published.push_back(kid);
    state->signers.emplace(kid,
                           std::make_shared<const platform::auth::TokenSigner>(
                               key, settings_.issuer, settings_.audience, settings_.access_ttl));
  }
  std::sort(state->published.begin(), state->published.end());
  if (const auto* signing = domain::SigningKeyAt(keys.ring, now);
      signing != nullptr && state->signers.contains(signing->kid)) {
    state->signing_kid = signing->kid;
  }
  state->jwks = std::make_shared<const std::string>(platform::auth::JwksJson(published));
  state->ring = std::move(keys.ring);
  return state;
}

std::shared_ptr<const platform::auth::TokenSigner> SigningKeys::SignerAt(std::int64_t now) const {
  std::shared_ptr<const State> state;
  {
    std::lock_guard lock(mutex_);
    state = state_;
  }
  if (const auto* signing = domain::SigningKeyAt(state->ring, now); signing != nullptr) {
    if (auto it = state->signers.find(signing->kid); it != state->signers.end()) return it->second;
  }
  return state->signers.at(state->signing_kid);
}

std::shared_ptr<const std::string> SigningKeys::Jwks() const {
  std::lock_guard lock(mutex_);
  return state_->jwks;
}

std::vector<std::string> SigningKeys::PublishedKids() const {
  std::lock_guard lock(mutex_);
  return state_->published;
}

SigningKeys::Changes SigningKeys::Apply(KeySet keys, std::int64_t now) {
  auto next = Build(std::move(keys), now);
  Changes changes;
  std::lock_guard lock(mutex_);
  // A ring in which no key signs now is refused by LoadKeyDirectory; keep the last signer.
  if (next->signing_kid.empty()) return changes;
  changes.published = next->published != state_->published;
  changes.signing = next->signing_kid != state_->signing_kid;
  if (changes.published) {
    std::vector<platform::auth::VerifyingKey> published;
    for (const auto& [kid, signer] : next->signers) published.push_back(signer->Key().Public());
    // Under the lock, so the verifier's keys and the JWKS never disagree for long.
    verifier_.SetKeys(std::move(published));
  }
  state_ = std::move(next);
  return changes;
}

KeyDirectoryWatcher::KeyDirectoryWatcher(std::string dir, SigningKeys& keys,
                                         std::chrono::seconds interval)
    : dir_(std::move(dir)),
      keys_(keys),
      interval_(interval),
      loop_("key-directory", this, &KeyDirectoryWatcher::Step) {}

KeyDirectoryWatcher::~KeyDirectoryWatcher() { Stop(); }

void KeyDirectoryWatcher::Start() { loop_.Start(); }

void KeyDirectoryWatcher::Stop() { loop_.Stop(); }

platform::BackgroundLoop::Next KeyDirectoryWatcher::Step() {
  // Failures are logged and counted by ReloadNow; the next read comes at the usual interval.
  (void)ReloadNow();
  return platform::BackgroundLoop::Next::After(interval_);
}

platform::Result<SigningKeys::Changes> KeyDirectoryWatcher::ReloadNow() {
  std::lock_guard lock(reload_mutex_);
  const std::int64_t now = keys_.Now();
  auto loaded = LoadKeyDirectory(dir_, now, false);
  if (!loaded) {
    ReloadFailures().Inc();
    if (loaded.error().detail != last_error_) {
      last_error_ = loaded.error().detail;
      platform::log::Error("cannot read the key directory; the signing keys stay as they were",
                           {{"dir", dir_}, {"error", last_error_}});
    }
    return std::unexpected(loaded.error());
  }
  if (!last_error_.empty()) {
    platform::log::Info("the key directory is readable again", {{"dir", dir_}});
    last_error_.clear();
  }
  const bool legacy = loaded->legacy;
  domain::KeyRing ring = loaded->ring;
  const auto changes = keys_.Apply(std::move(*loaded), now);
  if (changes.published || changes.signing) {
    std::string kids;
    for (const auto& kid : keys_.PublishedKids()) kids += (kids.empty() ? "" : ",") + kid;
    platform::log::Info("signing keys changed",
                        {{"signing_kid", keys_.SignerAt(now)->Key().KeyId()}, {"published", kids}});
  }
  if (changes.published) {
    if (auto written = PublishJwks(dir_, *keys_.Jwks()); !written) {
      platform::log::Warn("cannot rewrite jwks.json; it lists the previous keys",
                          {{"dir", dir_}, {"error", written.error().detail}});
    }
  }
  if (!legacy) {
    for (const auto& file : DeleteRetiredKeyFiles(dir_, ring, now)) {
      platform::log::Info("deleted a retired key's file", {{"dir", dir_}, {"file", file}});
    }
  }
  return changes;
}

}  // namespace identity::infra
