// Access-token signing and verification, including the attacks API.md names.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/auth/base64url.hpp"
#include "platform/auth/jwt.hpp"

namespace platform::auth {
namespace {

constexpr std::int64_t kNow = 1'760'000'000;
constexpr char kIssuer[] = "https://identity.test";
constexpr char kAudience[] = "todo-api";

// One key for the whole suite: generating is cheap, but sharing keeps kids stable in failures.
const SigningKey& TestKey() {
  static const SigningKey kEy = SigningKey::Generate();
  return kEy;
}

TokenSigner MakeSigner(const SigningKey& key = TestKey(), std::string issuer = kIssuer,
                       std::string audience = kAudience) {
  return TokenSigner(key, std::move(issuer), std::move(audience), std::chrono::minutes(15));
}

// A verifier whose clock the test moves through `*now`.
TokenVerifier MakeVerifier(std::int64_t* now, std::vector<VerifyingKey> keys = {}) {
  if (keys.empty()) keys.push_back(TestKey().Public());
  return TokenVerifier(std::move(keys), kIssuer, kAudience, [now] { return *now; });
}

std::string DefaultHeader(const std::string& kid = TestKey().KeyId()) {
  return R"({"alg":"EdDSA","typ":"at+jwt","kid":")" + kid + R"("})";
}

std::string DefaultPayload(std::int64_t iat = kNow, std::int64_t exp = kNow + 900) {
  return std::string(R"({"iss":")") + kIssuer + R"(","aud":")" + kAudience +
         R"(","sub":"user-1","jti":"jti-1","iat":)" + std::to_string(iat) +
         ",\"exp\":" + std::to_string(exp) + "}";
}

// Builds header.payload and signs it with `key`, so tests can forge any header or payload
// that the real key would have signed.
std::string SignCustom(const std::string& header, const std::string& payload,
                       const SigningKey& key = TestKey()) {
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + Base64UrlEncode(key.Sign(input));
}

std::vector<std::string> SplitToken(const std::string& token) {
  const auto d1 = token.find('.');
  const auto d2 = token.find('.', d1 + 1);
  return {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
}

void ExpectRejected(TokenVerifier& verifier, const std::string& token) {
  const auto result = verifier.Verify(token);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kUnauthorized);
  if (!token.empty()) {
    EXPECT_EQ(result.error().detail.find(token), std::string::npos);
  }
}

TEST(TokenSignerTest, ValidTokenRoundTripsItsClaims) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  const AccessClaims claims = signer.NewClaims("user-42", "family-7", kNow);
  const auto result = verifier.Verify(signer.Sign(claims));
  ASSERT_TRUE(result.has_value()) << result.error().detail;
  EXPECT_EQ(result->iss, kIssuer);
  EXPECT_EQ(result->aud, kAudience);
  EXPECT_EQ(result->sub, "user-42");
  EXPECT_EQ(result->sid, "family-7");
  EXPECT_EQ(result->jti, claims.jti);
  EXPECT_EQ(result->iat, kNow);
  EXPECT_EQ(result->exp, kNow + 900);
}

TEST(TokenSignerTest, HeaderIsExactlyEdDsaAtJwtWithKid) {
  const auto signer = MakeSigner();
  const auto parts = SplitToken(signer.Sign(signer.NewClaims("u", "", kNow)));
  EXPECT_EQ(Base64UrlDecode(parts[0]).value(), DefaultHeader());
}

TEST(TokenSignerTest, NewClaimsHaveUniqueUuidJtiAndTtlExpiry) {
  const auto signer = MakeSigner();
  const auto a = signer.NewClaims("u", "", kNow);
  const auto b = signer.NewClaims("u", "", kNow);
  EXPECT_NE(a.jti, b.jti);
  ASSERT_EQ(a.jti.size(), 36u);
  EXPECT_EQ(a.jti[14], '4');
  EXPECT_EQ(a.exp - a.iat, 900);
  EXPECT_EQ(signer.Ttl(), std::chrono::seconds(900));
}

TEST(TokenSignerTest, EmptySidIsOmittedAndVerifiesAsEmpty) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  const std::string token = signer.Sign(signer.NewClaims("u", "", kNow));
  EXPECT_EQ(Base64UrlDecode(SplitToken(token)[1])->find("sid"), std::string::npos);
  const auto result = verifier.Verify(token);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->sid, "");
}

TEST(TokenVerifierTest, ExpiredTokenIsRejected) {
  const auto signer = MakeSigner();
  const std::string token = signer.Sign(signer.NewClaims("u", "", kNow));
  std::int64_t now = kNow + 899;
  auto before = MakeVerifier(&now);
  EXPECT_TRUE(before.Verify(token).has_value());
  now = kNow + 900;  // now == exp is already too late
  auto at_exp = MakeVerifier(&now);
  ExpectRejected(at_exp, token);
  EXPECT_EQ(at_exp.Verify(token).error().detail, "token expired");
}

TEST(TokenVerifierTest, TokenIssuedFarInTheFutureIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  EXPECT_TRUE(verifier.Verify(SignCustom(DefaultHeader(), DefaultPayload(kNow + 60))));
  ExpectRejected(verifier, SignCustom(DefaultHeader(), DefaultPayload(kNow + 61, kNow + 900)));
}

TEST(TokenVerifierTest, TokenSignedWithAnotherKeyIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const SigningKey other = SigningKey::Generate();
  // Its own kid is unknown to the verifier...
  const auto signer = MakeSigner(other);
  ExpectRejected(verifier, signer.Sign(signer.NewClaims("u", "", kNow)));
  // ...and claiming the trusted kid does not make its signature valid.
  const std::string forged = SignCustom(DefaultHeader(), DefaultPayload(), other);
  ExpectRejected(verifier, forged);
  EXPECT_EQ(verifier.Verify(forged).error().detail, "invalid token signature");
}

TEST(TokenVerifierTest, AlgNoneIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string header = R"({"alg":"none","typ":"at+jwt","kid":")" + TestKey().KeyId() + "\"}";
  const std::string unsigned_token =
      Base64UrlEncode(header) + "." + Base64UrlEncode(DefaultPayload()) + ".";
  ExpectRejected(verifier, unsigned_token);
  // Even with a signature the real key made over exactly these bytes.
  ExpectRejected(verifier, SignCustom(header, DefaultPayload()));
  EXPECT_EQ(verifier.Verify(SignCustom(header, DefaultPayload())).error().detail,
            "unsupported token algorithm");
}

TEST(TokenVerifierTest, Hs256SignedWithThePublicKeyPemIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string secret = TestKey().PublicKeyPem();
  const std::string header = R"({"alg":"HS256","typ":"at+jwt","kid":")" + TestKey().KeyId() + "\"}";
  const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(DefaultPayload());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  ASSERT_NE(
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_size),
      nullptr);
  const std::string token =
      input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_size));
  ExpectRejected(verifier, token);
}

TEST(TokenVerifierTest, OtherAlgorithmsAreRejectedEvenWhenSignedWithTheKey) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  for (const std::string alg : {"ES256", "RS256", "eddsa", "Ed25519"}) {
    const std::string header =
        R"({"alg":")" + alg + R"(","typ":"at+jwt","kid":")" + TestKey().KeyId() + "\"}";
    ExpectRejected(verifier, SignCustom(header, DefaultPayload()));
  }
  ExpectRejected(verifier, SignCustom(R"({"typ":"at+jwt","kid":")" + TestKey().KeyId() + "\"}",
                                      DefaultPayload()));
}

TEST(TokenVerifierTest, WrongIssuerIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner(TestKey(), "https://evil.test", kAudience);
  ExpectRejected(verifier, signer.Sign(signer.NewClaims("u", "", kNow)));
}

TEST(TokenVerifierTest, WrongAudienceIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner(TestKey(), kIssuer, "other-api");
  ExpectRejected(verifier, signer.Sign(signer.NewClaims("u", "", kNow)));
}

TEST(TokenVerifierTest, AudienceArrayContainingOurAudienceIsAccepted) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  std::string payload = DefaultPayload();
  const std::string aud = std::string("\"aud\":\"") + kAudience + "\"";
  payload.replace(payload.find(aud), aud.size(),
                  std::string(R"("aud":["other",")") + kAudience + "\"]");
  const auto result = verifier.Verify(SignCustom(DefaultHeader(), payload));
  ASSERT_TRUE(result.has_value()) << result.error().detail;
  EXPECT_EQ(result->aud, kAudience);
  payload.replace(payload.find("\"other\","), 8, "");
  payload.replace(payload.find(kAudience), std::strlen(kAudience), "nope");
  ExpectRejected(verifier, SignCustom(DefaultHeader(), payload));
}

TEST(TokenVerifierTest, WrongTypIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string kid = TestKey().KeyId();
  ExpectRejected(verifier, SignCustom(R"({"alg":"EdDSA","typ":"JWT","kid":")" + kid + "\"}",
                                      DefaultPayload()));
  ExpectRejected(verifier, SignCustom(R"({"alg":"EdDSA","kid":")" + kid + "\"}", DefaultPayload()));
}

TEST(TokenVerifierTest, TamperedPayloadIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  const std::string token = signer.Sign(signer.NewClaims("user-1", "", kNow));
  ASSERT_TRUE(verifier.Verify(token).has_value());
  auto parts = SplitToken(token);
  std::string payload = *Base64UrlDecode(parts[1]);
  payload.replace(payload.find("user-1"), 6, "user-2");
  ExpectRejected(verifier, parts[0] + "." + Base64UrlEncode(payload) + "." + parts[2]);
}

TEST(TokenVerifierTest, UnknownKidIsRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string token = SignCustom(DefaultHeader("some-other-kid"), DefaultPayload());
  ExpectRejected(verifier, token);
  EXPECT_EQ(verifier.Verify(token).error().detail, "unknown signing key");
  ExpectRejected(verifier,
                 SignCustom(R"({"alg":"EdDSA","typ":"at+jwt"})", DefaultPayload()));  // no kid
}

TEST(TokenVerifierTest, KeySelectingHeadersAreRejectedEvenWithAValidSignature) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  ASSERT_TRUE(verifier.Verify(SignCustom(DefaultHeader(), DefaultPayload())).has_value());
  for (const std::string extra :
       {R"("jku":"https://evil.test/jwks.json")", R"("x5u":"https://evil.test/cert.pem")",
        R"("jwk":{"kty":"OKP","crv":"Ed25519","x":"AAAA"})", R"("x5c":["MIIB"])",
        R"("crit":["exp"])"}) {
    std::string header = DefaultHeader();
    header.insert(header.size() - 1, "," + extra);
    ExpectRejected(verifier, SignCustom(header, DefaultPayload()));
  }
}

TEST(TokenVerifierTest, MissingOrMistypedClaimsAreRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string base = DefaultPayload();
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string p = base;
    p.replace(p.find(from), from.size(), to);
    return SignCustom(DefaultHeader(), p);
  };
  ExpectRejected(verifier, with("\"sub\":\"user-1\"", "\"sub\":\"\""));
  ExpectRejected(verifier, with("\"sub\":\"user-1\",", ""));
  ExpectRejected(verifier, with("\"jti\":\"jti-1\",", ""));
  ExpectRejected(verifier, with(std::to_string(kNow + 900), "1.7600009e9"));  // exp not integer
  ExpectRejected(verifier,
                 with(std::to_string(kNow + 900), "\"" + std::to_string(kNow + 900) + "\""));
  ExpectRejected(verifier, with(",\"iat\":" + std::to_string(kNow), ""));
  ExpectRejected(verifier, with("\"jti\":\"jti-1\"", "\"jti\":\"jti-1\",\"sid\":7"));
  // A duplicate claim could be read differently by another parser.
  ExpectRejected(verifier, with("\"sub\":\"user-1\"", "\"sub\":\"user-1\",\"sub\":\"admin\""));
}

TEST(TokenVerifierTest, MalformedTokensAreRejected) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const std::string token = SignCustom(DefaultHeader(), DefaultPayload());
  ASSERT_TRUE(verifier.Verify(token).has_value());
  const auto parts = SplitToken(token);
  ExpectRejected(verifier, "");
  ExpectRejected(verifier, parts[0] + "." + parts[1]);
  ExpectRejected(verifier, token + ".");
  ExpectRejected(verifier, token + "=");  // padding
  ExpectRejected(verifier, parts[0] + "." + parts[1] + "." + parts[2].substr(0, 40));
  ExpectRejected(verifier, "abc.def.ghi");
  ExpectRejected(verifier, SignCustom("[1,2]", DefaultPayload()));  // header not an object
  ExpectRejected(verifier, SignCustom(DefaultHeader(), "not json"));
  // Extra claims are fine below the length cap, and refused above it.
  const auto padded = [](std::size_t n) {
    std::string payload = DefaultPayload();
    payload.insert(payload.size() - 1, ",\"pad\":\"" + std::string(n, 'x') + "\"");
    return SignCustom(DefaultHeader(), payload);
  };
  ASSERT_LE(padded(2500).size(), TokenVerifier::kMaxTokenBytes);
  EXPECT_TRUE(verifier.Verify(padded(2500)).has_value());
  ASSERT_GT(padded(3200).size(), TokenVerifier::kMaxTokenBytes);
  ExpectRejected(verifier, padded(3200));
}

TEST(TokenVerifierTest, CachedTokenVerifiesAgainAndIsRejectedOnceExpired) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  const std::string token = signer.Sign(signer.NewClaims("u", "s", kNow));
  const auto first = verifier.Verify(token);
  const auto second = verifier.Verify(token);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->jti, second->jti);
  EXPECT_EQ(second->sid, "s");
  now = kNow + 900;
  ExpectRejected(verifier, token);
  now = kNow + 10;  // the expired entry was dropped, the uncached path still agrees on time
  EXPECT_TRUE(verifier.Verify(token).has_value());
}

TEST(TokenVerifierTest, SetKeysForgetsCachedVerifications) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  const std::string token = signer.Sign(signer.NewClaims("u", "", kNow));
  ASSERT_TRUE(verifier.Verify(token).has_value());
  verifier.SetKeys({SigningKey::Generate().Public()});
  ExpectRejected(verifier, token);
  verifier.SetKeys({TestKey().Public()});
  EXPECT_TRUE(verifier.Verify(token).has_value());
}

TEST(TokenVerifierTest, ConcurrentVerificationsAgree) {
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now);
  const auto signer = MakeSigner();
  std::vector<std::string> tokens;
  tokens.reserve(20);
  for (int i = 0; i < 20; ++i) tokens.push_back(signer.Sign(signer.NewClaims("u", "", kNow)));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        for (const auto& token : tokens) ok += verifier.Verify(token).has_value() ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 5 * 20);
}

TEST(JwksTest, JwksRoundTripVerifiesTokens) {
  const std::string jwks = JwksJson({TestKey().Public()});
  EXPECT_NE(jwks.find(R"("kty":"OKP","crv":"Ed25519")"), std::string::npos);
  EXPECT_NE(jwks.find(R"("alg":"EdDSA","use":"sig")"), std::string::npos);
  EXPECT_EQ(jwks.find("\"d\""), std::string::npos);  // never the private part
  auto keys = VerifyingKey::FromJwks(jwks);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().KeyId(), TestKey().KeyId());
  std::int64_t now = kNow;
  auto verifier = MakeVerifier(&now, *keys);
  const auto signer = MakeSigner();
  EXPECT_TRUE(verifier.Verify(signer.Sign(signer.NewClaims("u", "", kNow))).has_value());
}

TEST(JwksTest, NonEd25519KeysAreSkippedAndGarbageIsAnError) {
  const std::string ours = JwksJson({TestKey().Public()});
  const std::string mixed = R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"ec"},)" +
                            ours.substr(std::string(R"({"keys":[)").size());
  auto keys = VerifyingKey::FromJwks(mixed);
  ASSERT_TRUE(keys.has_value()) << keys.error().detail;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().KeyId(), TestKey().KeyId());
  EXPECT_FALSE(VerifyingKey::FromJwks("not json").has_value());
  EXPECT_FALSE(VerifyingKey::FromJwks(R"({"keys":[]})").has_value());
  EXPECT_FALSE(
      VerifyingKey::FromJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})").has_value());
}

TEST(JwksTest, PublicKeyPemParsesToTheSameKid) {
  const auto key = VerifyingKey::FromPem(TestKey().PublicKeyPem());
  ASSERT_TRUE(key.has_value()) << key.error().detail;
  EXPECT_EQ(key->KeyId(), TestKey().KeyId());
  EXPECT_EQ(key->RawPublicKey(), TestKey().Public().RawPublicKey());
  EXPECT_FALSE(VerifyingKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n").has_value());
}

TEST(SigningKeyTest, KidIsBase64UrlOf16BytesOfSha256) {
  EXPECT_EQ(TestKey().KeyId().size(), 22u);
  EXPECT_NE(TestKey().KeyId(), SigningKey::Generate().KeyId());
}

TEST(SigningKeyTest, LoadOrCreateWritesAPrivateKeyThenReloadsTheSameKid) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() /
      ("jwt_test_" + std::to_string(::getpid()) + "_" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  const fs::path path = dir / "nested" / "signing.pem";
  const SigningKey created = SigningKey::LoadOrCreate(path.string());
  ASSERT_TRUE(fs::exists(path));
  struct stat st = {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const SigningKey loaded = SigningKey::LoadOrCreate(path.string());
  EXPECT_EQ(loaded.KeyId(), created.KeyId());
  // The reloaded key signs tokens the original's public key verifies.
  std::int64_t now = kNow;
  TokenVerifier verifier({created.Public()}, kIssuer, kAudience, [&now] { return now; });
  const auto signer = MakeSigner(loaded);
  EXPECT_TRUE(verifier.Verify(signer.Sign(signer.NewClaims("u", "", kNow))).has_value());

  std::ofstream(dir / "garbage.pem") << "not a key";
  EXPECT_THROW(SigningKey::LoadOrCreate((dir / "garbage.pem").string()), std::runtime_error);
  fs::remove_all(dir);
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    const auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 250));
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("ab"), "YWI");
}

TEST(Base64UrlTest, DecodingIsStrict) {
  EXPECT_EQ(Base64UrlDecode("YWI").value(), "ab");
  EXPECT_FALSE(Base64UrlDecode("YWI="));   // padding
  EXPECT_FALSE(Base64UrlDecode("YQ=="));   // padding
  EXPECT_FALSE(Base64UrlDecode("+_8"));    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("-/8"));    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("YW I"));   // whitespace
  EXPECT_FALSE(Base64UrlDecode("YWJjZ"));  // length 5: no byte count encodes to it
  EXPECT_FALSE(Base64UrlDecode("YR"));     // non-zero unused bits: a second spelling of "a"
  EXPECT_FALSE(Base64UrlDecode(std::string_view("YW\0I", 4)));
  EXPECT_EQ(Base64UrlDecode("").value(), "");
}

}  // namespace
}  // namespace platform::auth
