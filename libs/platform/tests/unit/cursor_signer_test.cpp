#include "platform/auth/cursor_signer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "platform/uuid.hpp"

namespace {

using platform::auth::CursorScopeText;
using platform::auth::CursorSigner;

TEST(CursorSigner, DecodesOnlyForTheScopeItWasMadeFor) {
  CursorSigner signer(std::string(32, 's'));
  auto alice = CursorScopeText("activity", "alice", {});
  auto token = signer.Encode("42", alice);
  EXPECT_EQ(signer.Decode(token, alice), "42");
  EXPECT_FALSE(signer.Decode(token, CursorScopeText("activity", "bob", {})).has_value());
  EXPECT_FALSE(signer.Decode(token, CursorScopeText("tasks", "alice", {})).has_value());
  EXPECT_FALSE(CursorSigner(std::string(32, 't')).Decode(token, alice).has_value());
}

TEST(CursorScopeText, DifferentScopesNeverShareATextWhateverTheirCharacters) {
  using Params = std::vector<std::pair<std::string, std::string>>;
  // Each pair would be equal if the parts were only joined by separators.
  EXPECT_NE(CursorScopeText("t", "u", Params{{"q", "a&sort=priority"}}),
            CursorScopeText("t", "u", Params{{"q", "a"}, {"sort", "priority"}}));
  EXPECT_NE(CursorScopeText("t", "u", Params{{"q", "a=b"}}),
            CursorScopeText("t", "u", Params{{"q=a", "b"}}));
  EXPECT_NE(CursorScopeText("t", "u1", Params{}), CursorScopeText("t", "u", Params{{"1", ""}}));
  EXPECT_NE(CursorScopeText("t:u", "", Params{}), CursorScopeText("t", "u", Params{}));
  EXPECT_EQ(CursorScopeText("t", "u", Params{{"q", "a"}}),
            CursorScopeText("t", "u", Params{{"q", "a"}}));
}

}  // namespace

namespace {

// A key file too short to be a key is a start-up error naming it, never replaced (other
// replicas may sign with it) and never retried for ever.
TEST(CursorSecret, AFileTooShortIsAStartUpErrorNamingIt) {
  auto dir = std::filesystem::temp_directory_path() / ("cursor-" + platform::NewUuidV7());
  std::filesystem::create_directories(dir);
  auto path = (dir / "cursor.key").string();
  std::ofstream(path) << "short";  // closed at the end of the statement
  try {
    (void)platform::auth::LoadOrCreateSecret(path);
    ADD_FAILURE() << "a 5-byte key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "short");
  std::filesystem::remove_all(dir);
}

TEST(CursorSecret, AMissingFileIsCreatedOnceAndReadBack) {
  auto dir = std::filesystem::temp_directory_path() / ("cursor-" + platform::NewUuidV7());
  auto path = (dir / "keys" / "cursor.key").string();
  auto made = platform::auth::LoadOrCreateSecret(path);
  EXPECT_GE(made.size(), 32U);
  EXPECT_EQ(platform::auth::LoadOrCreateSecret(path), made);
  std::filesystem::remove_all(dir);
}

}  // namespace
