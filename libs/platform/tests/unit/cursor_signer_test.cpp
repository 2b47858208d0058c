#include "platform/auth/cursor_signer.hpp"

#include <gtest/gtest.h>

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
