#pragma once
// SodiumPasswordHasher: Argon2id (libsodium) on its own threads with a bounded queue.

#include <boost/asio/thread_pool.hpp>

#include <atomic>

#include "app/ports.hpp"

namespace identity::infra {

// Argon2idParams: OWASP's recommendation is m=19 MiB, t=2, p=1 (libsodium's p is always 1).
struct Argon2idParams {
  unsigned long long ops_limit = 2;
  std::size_t mem_limit = 19 * 1024 * 1024;
};

// SodiumPasswordHasher: at most `workers` hashes run at once and at most `queue` wait; beyond
// that a request is refused with 503 and Retry-After instead of piling up memory and latency.
class SodiumPasswordHasher : public app::PasswordHasher {
 public:
  SodiumPasswordHasher(Argon2idParams params, int workers, int queue);
  ~SodiumPasswordHasher() override;

  app::Async<std::string> Hash(std::string password) override;
  app::Async<bool> Verify(std::string hash, std::string password) override;
  app::Async<bool> VerifyDummy(std::string password) override;

 private:
  bool Admit();
  Argon2idParams params_;
  int capacity_;
  std::atomic<int> admitted_{0};
  boost::asio::thread_pool pool_;
  std::string dummy_hash_;
};

}  // namespace identity::infra
