// Fuzzes access-token verification (platform/auth/jwt): raw tokens as a client sends them, and
// header and payload JSON signed with the fuzz key (so the fuzzer reaches the claim checks
// behind the signature), and JWKS documents. Invariants: an accepted token carries a valid
// signature of the fuzz key and the configured issuer and audience, is unexpired, verifies the
// same from the cache, and its claims re-signed verify to the same claims; a JWKS that is
// accepted, published again, reads back as the same keys.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "fuzz_input.hpp"
#include "platform/auth/base64url.hpp"
#include "platform/auth/jwt.hpp"

namespace {

using platform::auth::AccessClaims;
using platform::auth::Base64UrlDecode;
using platform::auth::Base64UrlEncode;

// A key for fuzzing only (fixed, so that seed tokens stay valid). Never used anywhere else.
constexpr std::string_view kFuzzKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMpBdM91jtoCZXOQ4ywsQU6L/marvf8Z2onYZqRooKof\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kIssuer = "todo-identity";
constexpr std::string_view kAudience = "todo";
constexpr std::int64_t kNow = 1'767'225'600;  // 2026-01-01

struct Fixture {
  std::optional<platform::auth::SigningKey> key;
  std::optional<platform::auth::TokenSigner> signer;
  std::optional<platform::auth::TokenVerifier> verifier;
};

Fixture& State() {
  // Built once and never freed: the verifier is neither copyable nor movable.
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    char path[] = "/tmp/jwt_fuzz_key_XXXXXX";
    int fd = ::mkstemp(path);
    TODO_FUZZ_CHECK(fd >= 0);
    ::close(fd);
    std::ofstream(path, std::ios::trunc) << kFuzzKeyPem;
    f->key = platform::auth::SigningKey::LoadOrCreate(path);
    ::unlink(path);
    f->signer.emplace(*f->key, std::string(kIssuer), std::string(kAudience),
                      std::chrono::seconds(900));
    f->verifier.emplace(std::vector{f->key->Public()}, std::string(kIssuer), std::string(kAudience),
                        [] { return kNow; });
    return f;
  }();
  return *fixture;
}

bool SameClaims(const AccessClaims& a, const AccessClaims& b) {
  return a.iss == b.iss && a.aud == b.aud && a.sub == b.sub && a.jti == b.jti && a.sid == b.sid &&
         a.iat == b.iat && a.exp == b.exp;
}

void CheckAccepted(std::string_view token, const AccessClaims& claims) {
  auto& state = State();
  auto dot2 = token.rfind('.');
  TODO_FUZZ_CHECK(dot2 != std::string_view::npos);
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  TODO_FUZZ_CHECK(signature &&
                  state.key->Public().VerifySignature(token.substr(0, dot2), *signature));
  TODO_FUZZ_CHECK(claims.iss == kIssuer && claims.aud == kAudience && kNow < claims.exp);
  TODO_FUZZ_CHECK(!claims.sub.empty() && !claims.jti.empty());
  auto cached = state.verifier->Verify(token);
  TODO_FUZZ_CHECK(cached && SameClaims(*cached, claims));
  auto resigned = state.verifier->Verify(state.signer->Sign(claims));
  TODO_FUZZ_CHECK(resigned && SameClaims(*resigned, claims));
}

void FuzzToken(std::string_view token) {
  // The verifier remembers accepted tokens (up to 100,000 of up to 4 KiB); a long run would
  // fill that much memory, so it forgets them now and then.
  static unsigned calls = 0;
  if (++calls % 4096 == 0) State().verifier->SetKeys({State().key->Public()});
  auto claims = State().verifier->Verify(token);
  if (claims) CheckAccepted(token, *claims);
}

void FuzzSignedJson(fuzz::FuzzInput& input) {
  auto header = input.Line();
  auto payload = input.Rest();
  std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  token += "." + Base64UrlEncode(State().key->Sign(token));
  FuzzToken(token);
}

void FuzzJwks(std::string_view document) {
  auto keys = platform::auth::VerifyingKey::FromJwks(document);
  if (!keys) return;
  auto again = platform::auth::VerifyingKey::FromJwks(platform::auth::JwksJson(*keys));
  TODO_FUZZ_CHECK(again && again->size() == keys->size());
  for (std::size_t i = 0; i < keys->size(); ++i) {
    TODO_FUZZ_CHECK((*again)[i].KeyId() == (*keys)[i].KeyId());
    TODO_FUZZ_CHECK((*again)[i].RawPublicKey() == (*keys)[i].RawPublicKey());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  switch (input.Mode(3)) {
    case 0:
      FuzzToken(input.Rest());
      break;
    case 1:
      FuzzSignedJson(input);
      break;
    default:
      FuzzJwks(input.Rest());
      break;
  }
  return 0;
}
