#pragma once
// Access tokens: EdDSA (Ed25519) JWTs minted by the identity service, verified locally elsewhere.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

// OpenSSL's key type, forward declared so that users of this header do not pull in OpenSSL.
struct evp_pkey_st;

namespace platform::auth {

class VerifyingKey;

// SigningKey: an Ed25519 private key, parsed once and shared by copies.
class SigningKey {
 public:
  static SigningKey Generate();
  // Loads the PEM private key at `pem_path`, or creates one there (mode 0600, parent
  // directories too) when the file does not exist. Throws std::runtime_error on failure,
  // as this only happens at start-up.
  static SigningKey LoadOrCreate(const std::string& pem_path);
  // Loads the PEM private key at `pem_path`, which must exist. Throws std::runtime_error (naming
  // the file, never its content) on failure.
  static SigningKey Load(const std::string& pem_path);

  std::string PublicKeyPem() const;
  // base64url of the first 16 bytes of SHA-256 of the raw public key.
  std::string KeyId() const;
  VerifyingKey Public() const;
  // The 64-byte Ed25519 signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  explicit SigningKey(std::shared_ptr<evp_pkey_st> key);

  std::shared_ptr<evp_pkey_st> key_;
  std::string kid_;
};

// VerifyingKey: an Ed25519 public key and the `kid` that selects it.
class VerifyingKey {
 public:
  // Reads a PEM public key (SubjectPublicKeyInfo); anything but Ed25519 is an error.
  static Result<VerifyingKey> FromPem(std::string_view pem);
  // Reads the OKP/Ed25519 signature keys of a JWKS document; other keys are skipped, and a
  // document with none is an error.
  static Result<std::vector<VerifyingKey>> FromJwks(std::string_view jwks_json);

  const std::string& KeyId() const { return kid_; }
  // The 32-byte raw public key.
  std::string RawPublicKey() const;
  // Whether `signature` is this key's Ed25519 signature of `message`.
  bool VerifySignature(std::string_view message, std::string_view signature) const;

 private:
  friend class SigningKey;
  VerifyingKey(std::shared_ptr<evp_pkey_st> key, std::string kid);

  std::shared_ptr<evp_pkey_st> key_;
  std::string kid_;
};

// The JWKS document (`/.well-known/jwks.json`) publishing `keys`.
std::string JwksJson(const std::vector<VerifyingKey>& keys);

// AccessClaims: what an access token says about its bearer.
struct AccessClaims {
  std::string iss, aud, sub, jti, sid;  // sid: the refresh-token family; may be empty
  std::int64_t iat = 0, exp = 0;
};

// Seconds since the Unix epoch by the system clock: the verifier's default clock.
std::int64_t SystemNowUnix();

// TokenSigner: mints access tokens; only the identity service holds one.
class TokenSigner {
 public:
  TokenSigner(SigningKey key, std::string issuer, std::string audience, std::chrono::seconds ttl);

  std::string Sign(const AccessClaims& claims) const;
  // Claims for `sub` issued at `now_unix`, expiring after the ttl, with a fresh random jti.
  AccessClaims NewClaims(std::string sub, std::string sid, std::int64_t now_unix) const;

  std::chrono::seconds Ttl() const { return ttl_; }
  const SigningKey& Key() const { return key_; }

 private:
  SigningKey key_;
  std::string issuer_;
  std::string audience_;
  std::chrono::seconds ttl_;
  std::string encoded_header_;  // the header never changes, so it is encoded once
};

// TokenVerifier: checks access tokens against configured keys only, pinning EdDSA, and
// remembers verified tokens until they expire so each signature is checked once. Thread-safe.
class TokenVerifier {
 public:
  static constexpr std::size_t kMaxTokenBytes = 4096;
  static constexpr std::size_t kMaxCachedTokens = 100'000;
  static constexpr std::int64_t kMaxIatSkewSeconds = 60;

  TokenVerifier(std::vector<VerifyingKey> keys, std::string issuer, std::string audience,
                std::function<std::int64_t()> now_unix = SystemNowUnix);
  ~TokenVerifier();
  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  // The token's claims, or Error::Unauthorized for anything malformed, unsigned by a
  // configured key, for another issuer or audience, or expired.
  Result<AccessClaims> Verify(std::string_view token);
  // Replaces the keys (key rotation) and forgets every cached verification.
  void SetKeys(std::vector<VerifyingKey> keys);

 private:
  struct CacheShard;

  Result<AccessClaims> VerifyUncached(std::string_view token, const std::vector<VerifyingKey>& keys,
                                      std::int64_t now) const;
  CacheShard& ShardFor(std::size_t token_hash);

  std::string issuer_;
  std::string audience_;
  std::function<std::int64_t()> now_unix_;

  mutable std::mutex keys_mutex_;
  std::shared_ptr<const std::vector<VerifyingKey>> keys_;
  // Bumped by SetKeys so that a verification that raced with it is not cached.
  std::atomic<std::uint64_t> generation_{0};

  std::unique_ptr<CacheShard[]> shards_;
};

}  // namespace platform::auth
