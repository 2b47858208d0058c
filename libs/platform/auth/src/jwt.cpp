#include "platform/auth/jwt.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "platform/auth/base64url.hpp"
#include "platform/json.hpp"

namespace platform::auth {
namespace {

constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;
constexpr std::string_view kAlg = "EdDSA";
constexpr std::string_view kTyp = "at+jwt";
// Headers that would let a token choose or fetch its own key, or demand extensions we do not
// implement; an attacker-supplied key must never be trusted (RFC 8725 section 3.10).
constexpr std::string_view kForbiddenHeaders[] = {"jku", "x5u", "jwk", "x5c", "crit"};
// Our headers have three members; a cap keeps the duplicate check cheap on hostile input.
constexpr rapidjson::SizeType kMaxHeaderMembers = 16;
constexpr std::size_t kCacheShards = 16;

using Sha256Digest = std::array<unsigned char, 32>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::shared_ptr<evp_pkey_st> Share(EVP_PKEY* key) {
  return std::shared_ptr<evp_pkey_st>(key, PkeyDeleter{});
}

Error Reject(std::string detail) { return Error::Unauthorized(std::move(detail)); }

std::string ReadBio(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// Refuses a passphrase prompt: OpenSSL's default callback would read the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::string RawPublicKeyOf(EVP_PKEY* key) {
  std::string raw(kEd25519KeyBytes, '\0');
  std::size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1 ||
      size != kEd25519KeyBytes) {
    throw std::logic_error("Ed25519 key without a raw public key");
  }
  return raw;
}

Sha256Digest Sha256(std::string_view data) {
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on every digest,
  // which was half the cost of hashing a token.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Sha256Digest digest{};
  unsigned int size = 0;
  if (kSha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), digest.data(), &size, kSha256, nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return digest;
}

std::string KeyIdOf(std::string_view raw_public_key) {
  const auto digest = Sha256(raw_public_key);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
}

std::shared_ptr<evp_pkey_st> PublicKeyFromRaw(std::string_view raw) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  return key == nullptr ? nullptr : Share(key);
}

// Parses a JSON object, refusing duplicate members: two parsers that pick different
// duplicates would disagree about what a token says.
bool ParseObject(std::string_view json, rapidjson::Document& doc, rapidjson::SizeType max_members) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || doc.MemberCount() > max_members) return false;
  for (auto a = doc.MemberBegin(); a != doc.MemberEnd(); ++a) {
    for (auto b = a + 1; b != doc.MemberEnd(); ++b) {
      if (a->name == b->name) return false;
    }
  }
  return true;
}

std::string_view StringView(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

// The member `name` when it is a string, else nullopt (absent or another type).
std::optional<std::string_view> StringMember(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return StringView(it->value);
}

std::optional<std::int64_t> IntMember(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

// A UUIDv4 from 128 random bits: unguessable and unique enough to name a token.
std::string RandomTokenId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

void WriteNewFile(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot create key file " + path + ": " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0;  // exact mode whatever the umask
  std::size_t written = 0;
  while (ok && written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw std::runtime_error("cannot write key file " + path + ": " + std::strerror(saved_errno));
  }
}

std::string PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("cannot encode private key");
  }
  return ReadBio(bio.get());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SigningKey

SigningKey::SigningKey(std::shared_ptr<evp_pkey_st> key)
    : key_(std::move(key)), kid_(KeyIdOf(RawPublicKeyOf(key_.get()))) {}

SigningKey SigningKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) throw std::runtime_error("cannot generate an Ed25519 key");
  return SigningKey(Share(key));
}

SigningKey SigningKey::LoadOrCreate(const std::string& pem_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(pem_path, ec)) {
    if (ec) throw std::runtime_error("cannot stat key file " + pem_path + ": " + ec.message());
    const fs::path parent = fs::path(pem_path).parent_path();
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      if (ec) throw std::runtime_error("cannot create " + parent.string() + ": " + ec.message());
    }
    SigningKey key = Generate();
    // O_EXCL: if another process created the file meanwhile, its key wins and is loaded below.
    try {
      std::string pem = PrivateKeyPem(key.key_.get());
      WriteNewFile(pem_path, pem);
      OPENSSL_cleanse(pem.data(), pem.size());
      return key;
    } catch (const std::runtime_error&) {
      if (!fs::exists(pem_path, ec)) throw;
    }
  }
  return Load(pem_path);
}

SigningKey SigningKey::Load(const std::string& pem_path) {
  std::ifstream in(pem_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || !text) throw std::runtime_error("cannot read key file " + pem_path);
  std::string pem = text.str();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr;
  OPENSSL_cleanse(pem.data(), pem.size());  // private key material need not outlive parsing
  if (key == nullptr) throw std::runtime_error("no PEM private key in " + pem_path);
  auto shared = Share(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    throw std::runtime_error("key in " + pem_path + " is not Ed25519");
  }
  return SigningKey(std::move(shared));
}

std::string SigningKey::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    throw std::runtime_error("cannot encode public key");
  }
  return ReadBio(bio.get());
}

std::string SigningKey::KeyId() const { return kid_; }

std::string SigningKey::Sign(std::string_view message) const {
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t size = signature.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      size != kEd25519SignatureBytes) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return signature;
}

VerifyingKey SigningKey::Public() const {
  // A public-only copy, so verifiers never hold private material.
  auto key = PublicKeyFromRaw(RawPublicKeyOf(key_.get()));
  if (!key) throw std::runtime_error("cannot derive Ed25519 public key");
  return VerifyingKey(std::move(key), kid_);
}

// ---------------------------------------------------------------------------------------------
// VerifyingKey

VerifyingKey::VerifyingKey(std::shared_ptr<evp_pkey_st> key, std::string kid)
    : key_(std::move(key)), kid_(std::move(kid)) {}

Result<VerifyingKey> VerifyingKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr;
  if (key == nullptr) return std::unexpected(Error::Internal("no PEM public key"));
  auto shared = Share(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    return std::unexpected(Error::Internal("public key is not Ed25519"));
  }
  std::string kid = KeyIdOf(RawPublicKeyOf(key));
  return VerifyingKey(std::move(shared), std::move(kid));
}

Result<std::vector<VerifyingKey>> VerifyingKey::FromJwks(std::string_view jwks_json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(jwks_json.data(), jwks_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return std::unexpected(Error::Internal("JWKS is not a JSON object"));
  }
  const auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd() || !keys->value.IsArray()) {
    return std::unexpected(Error::Internal("JWKS has no keys array"));
  }
  std::vector<VerifyingKey> out;
  for (const auto& jwk : keys->value.GetArray()) {
    if (!jwk.IsObject()) continue;
    if (StringMember(jwk, "kty") != "OKP" || StringMember(jwk, "crv") != "Ed25519") continue;
    if (jwk.HasMember("use") && StringMember(jwk, "use") != "sig") continue;
    if (jwk.HasMember("alg") && StringMember(jwk, "alg") != kAlg) continue;
    const auto x = StringMember(jwk, "x");
    const auto raw = x ? Base64UrlDecode(*x) : std::nullopt;
    if (!raw || raw->size() != kEd25519KeyBytes) {
      return std::unexpected(Error::Internal("JWKS has a malformed Ed25519 key"));
    }
    auto key = PublicKeyFromRaw(*raw);
    if (!key) return std::unexpected(Error::Internal("JWKS has an invalid Ed25519 key"));
    const auto kid = StringMember(jwk, "kid");
    out.push_back(VerifyingKey(std::move(key), kid ? std::string(*kid) : KeyIdOf(*raw)));
  }
  if (out.empty()) return std::unexpected(Error::Internal("JWKS has no Ed25519 signing keys"));
  return out;
}

std::string VerifyingKey::RawPublicKey() const { return RawPublicKeyOf(key_.get()); }

bool VerifyingKey::VerifySignature(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string JwksJson(const std::vector<VerifyingKey>& keys) {
  JsonWriter w;
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (const auto& key : keys) {
    w.StartObject();
    w.Field("kty", "OKP");
    w.Field("crv", "Ed25519");
    w.Field("x", Base64UrlEncode(key.RawPublicKey()));
    w.Field("kid", key.KeyId());
    w.Field("alg", kAlg);
    w.Field("use", "sig");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::int64_t SystemNowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// TokenSigner

TokenSigner::TokenSigner(SigningKey key, std::string issuer, std::string audience,
                         std::chrono::seconds ttl)
    : key_(std::move(key)), issuer_(std::move(issuer)), audience_(std::move(audience)), ttl_(ttl) {
  JsonWriter w;
  w.StartObject();
  w.Field("alg", kAlg);
  w.Field("typ", kTyp);
  w.Field("kid", key_.KeyId());
  w.EndObject();
  encoded_header_ = Base64UrlEncode(w.Take());
}

std::string TokenSigner::Sign(const AccessClaims& claims) const {
  JsonWriter w;
  w.StartObject();
  w.Field("iss", claims.iss);
  w.Field("sub", claims.sub);
  w.Field("aud", claims.aud);
  w.Field("iat", claims.iat);
  w.Field("exp", claims.exp);
  w.Field("jti", claims.jti);
  if (!claims.sid.empty()) w.Field("sid", claims.sid);
  w.EndObject();

  std::string token = encoded_header_;
  token += '.';
  token += Base64UrlEncode(w.Take());

  const std::string signature = key_.Sign(token);
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

AccessClaims TokenSigner::NewClaims(std::string sub, std::string sid, std::int64_t now_unix) const {
  AccessClaims claims;
  claims.iss = issuer_;
  claims.aud = audience_;
  claims.sub = std::move(sub);
  claims.sid = std::move(sid);
  claims.jti = RandomTokenId();
  claims.iat = now_unix;
  claims.exp = now_unix + ttl_.count();
  return claims;
}

// ---------------------------------------------------------------------------------------------
// TokenVerifier

namespace {
// Verified tokens are looked up by their full text (hashed for the bucket, compared whole), so
// a hash collision can never lend one token another's claims, and no digest is computed per
// request.
struct TokenHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view token) const {
    return std::hash<std::string_view>{}(token);
  }
};
}  // namespace

struct TokenVerifier::CacheShard {
  std::mutex mutex;
  std::unordered_map<std::string, AccessClaims, TokenHash, std::equal_to<>> entries;
};

TokenVerifier::TokenVerifier(std::vector<VerifyingKey> keys, std::string issuer,
                             std::string audience, std::function<std::int64_t()> now_unix)
    : issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      now_unix_(now_unix ? std::move(now_unix) : SystemNowUnix),
      keys_(std::make_shared<const std::vector<VerifyingKey>>(std::move(keys))),
      shards_(std::make_unique<CacheShard[]>(kCacheShards)) {}

TokenVerifier::~TokenVerifier() = default;

void TokenVerifier::SetKeys(std::vector<VerifyingKey> keys) {
  {
    std::lock_guard lock(keys_mutex_);
    keys_ = std::make_shared<const std::vector<VerifyingKey>>(std::move(keys));
    generation_.fetch_add(1);
  }
  for (std::size_t i = 0; i < kCacheShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    shards_[i].entries.clear();
  }
}

TokenVerifier::CacheShard& TokenVerifier::ShardFor(std::size_t token_hash) {
  // The bucket index uses the low bits; the shard takes high ones so they stay independent.
  return shards_[(token_hash >> 56) % kCacheShards];
}

Result<AccessClaims> TokenVerifier::Verify(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes)
    return std::unexpected(Reject("malformed token"));
  const std::int64_t now = now_unix_();
  const std::size_t token_hash = TokenHash{}(token);
  CacheShard& shard = ShardFor(token_hash);
  {
    std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(token);
    if (it != shard.entries.end()) {
      if (now < it->second.exp) return it->second;
      shard.entries.erase(it);
      return std::unexpected(Reject("token expired"));
    }
  }

  std::shared_ptr<const std::vector<VerifyingKey>> keys;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(keys_mutex_);
    keys = keys_;
    generation = generation_.load();
  }
  auto claims = VerifyUncached(token, *keys, now);
  if (!claims) return claims;

  std::lock_guard lock(shard.mutex);
  // A SetKeys since we read the keys may have removed the one that signed this token.
  if (generation != generation_.load()) return claims;
  constexpr std::size_t kPerShard = kMaxCachedTokens / kCacheShards;
  if (shard.entries.size() >= kPerShard) {
    std::erase_if(shard.entries, [now](const auto& e) { return e.second.exp <= now; });
    if (shard.entries.size() >= kPerShard) shard.entries.clear();
  }
  shard.entries.emplace(std::string(token), *claims);
  return claims;
}

Result<AccessClaims> TokenVerifier::VerifyUncached(std::string_view token,
                                                   const std::vector<VerifyingKey>& keys,
                                                   std::int64_t now) const {
  const auto malformed = [] { return std::unexpected(Reject("malformed token")); };
  const std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return malformed();
  const std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return malformed();
  }

  const auto header_json = Base64UrlDecode(token.substr(0, dot1));
  if (!header_json) return malformed();
  rapidjson::Document header;
  if (!ParseObject(*header_json, header, kMaxHeaderMembers)) return malformed();
  // The algorithm is pinned: the header may only confirm it, never choose it.
  if (StringMember(header, "alg") != kAlg) {
    return std::unexpected(Reject("unsupported token algorithm"));
  }
  if (StringMember(header, "typ") != kTyp) return std::unexpected(Reject("wrong token type"));
  for (const std::string_view name : kForbiddenHeaders) {
    if (header.HasMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())))) {
      return std::unexpected(Reject("unsupported token header"));
    }
  }
  const auto kid = StringMember(header, "kid");
  const VerifyingKey* key = nullptr;
  for (const auto& candidate : keys) {
    if (kid && candidate.KeyId() == *kid) key = &candidate;
  }
  if (key == nullptr) return std::unexpected(Reject("unknown signing key"));

  const auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature || !key->VerifySignature(token.substr(0, dot2), *signature)) {
    return std::unexpected(Reject("invalid token signature"));
  }

  const auto payload_json = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload_json) return malformed();
  rapidjson::Document payload;
  if (!ParseObject(*payload_json, payload, static_cast<rapidjson::SizeType>(kMaxTokenBytes))) {
    return malformed();
  }

  AccessClaims claims;
  if (StringMember(payload, "iss") != issuer_) return std::unexpected(Reject("wrong issuer"));
  claims.iss = issuer_;

  const auto aud = payload.FindMember("aud");
  bool audience_ok = false;
  if (aud != payload.MemberEnd() && aud->value.IsString()) {
    audience_ok = StringView(aud->value) == audience_;
  } else if (aud != payload.MemberEnd() && aud->value.IsArray()) {
    for (const auto& item : aud->value.GetArray()) {
      if (item.IsString() && StringView(item) == audience_) audience_ok = true;
    }
  }
  if (!audience_ok) return std::unexpected(Reject("wrong audience"));
  claims.aud = audience_;

  const auto sub = StringMember(payload, "sub");
  const auto jti = StringMember(payload, "jti");
  const auto iat = IntMember(payload, "iat");
  const auto exp = IntMember(payload, "exp");
  if (!sub || sub->empty() || !jti || jti->empty() || !iat || !exp) return malformed();
  if (payload.HasMember("sid") && !StringMember(payload, "sid")) return malformed();
  if (payload.HasMember("nbf")) {
    const auto nbf = IntMember(payload, "nbf");
    if (!nbf || *nbf > now + kMaxIatSkewSeconds) {
      return std::unexpected(Reject("token not yet valid"));
    }
  }
  if (now >= *exp) return std::unexpected(Reject("token expired"));
  if (*iat > now + kMaxIatSkewSeconds) return std::unexpected(Reject("token issued in the future"));

  claims.sub = std::string(*sub);
  claims.jti = std::string(*jti);
  claims.sid = std::string(StringMember(payload, "sid").value_or(""));
  claims.iat = *iat;
  claims.exp = *exp;
  return claims;
}

}  // namespace platform::auth
