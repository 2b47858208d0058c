#include "infra/crypto/sodium_password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

#include "platform/offload.hpp"

namespace identity::infra {

using platform::Error;
using platform::Result;

namespace {

Result<std::string> HashNow(const std::string& password, const Argon2idParams& p) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), p.ops_limit, p.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected(Error::Unavailable("out of memory while hashing", 1));
  }
  return std::string(out);
}

}  // namespace

SodiumPasswordHasher::SodiumPasswordHasher(Argon2idParams params, int workers, int queue)
    : params_(params), capacity_(workers + queue), pool_(static_cast<std::size_t>(workers)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  auto dummy = HashNow("dummy password for unknown accounts", params_);
  if (!dummy) throw std::runtime_error("could not compute the dummy password hash");
  dummy_hash_ = *dummy;
}

SodiumPasswordHasher::~SodiumPasswordHasher() { pool_.join(); }

bool SodiumPasswordHasher::Admit() {
  int current = admitted_.load();
  while (current < capacity_) {
    if (admitted_.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

app::Async<std::string> SodiumPasswordHasher::Hash(std::string password) {
  if (!Admit()) co_return std::unexpected(Error::Unavailable("too many password checks", 1));
  // Locals, not parameters, go into the lambda (see platform/offload.hpp).
  std::string secret = std::move(password);
  auto work = [this, secret = std::move(secret)] { return HashNow(secret, params_); };
  auto result = co_await platform::Offload(pool_, std::move(work));
  --admitted_;
  co_return result;
}

app::Async<bool> SodiumPasswordHasher::Verify(std::string hash, std::string password) {
  if (!Admit()) co_return std::unexpected(Error::Unavailable("too many password checks", 1));
  // Locals, not parameters, go into the lambda (see platform/offload.hpp).
  std::string stored = std::move(hash);
  std::string secret = std::move(password);
  auto work = [stored = std::move(stored), secret = std::move(secret)]() -> Result<bool> {
    return crypto_pwhash_str_verify(stored.c_str(), secret.data(), secret.size()) == 0;
  };
  auto result = co_await platform::Offload(pool_, std::move(work));
  --admitted_;
  co_return result;
}

app::Async<bool> SodiumPasswordHasher::VerifyDummy(std::string password) {
  auto verified = co_await Verify(dummy_hash_, std::move(password));
  if (!verified) co_return verified;
  co_return false;
}

}  // namespace identity::infra
