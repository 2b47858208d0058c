#include "domain/password_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/utf8.hpp"
#include "infra/data/common_passwords.hpp"

namespace identity::domain {
namespace {

// The list the service embeds (throws, failing the test, if it is not there).
std::string_view EmbeddedCommonList() { return infra::CommonPasswordsText(); }

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

void ExpectFieldError(const platform::Result<void>& result, std::string_view field,
                      std::string_view message_part) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, platform::ErrorKind::kValidation);
  ASSERT_EQ(result.error().errors.size(), 1U);
  EXPECT_EQ(result.error().errors[0].field, field);
  EXPECT_NE(result.error().errors[0].message.find(message_part), std::string::npos)
      << result.error().errors[0].message;
}

class PasswordPolicyTest : public ::testing::Test {
 protected:
  CommonPasswords common_{"123456\npassword\nPassword1\r\nletmein\n\nbaseball\n"};
};

TEST_F(PasswordPolicyTest, SevenCharactersAreRefused) {
  ExpectFieldError(CheckNewPassword("abcdefg", common_), "password", "at least 8");
}

TEST_F(PasswordPolicyTest, EightCharactersAreAccepted) {
  EXPECT_TRUE(CheckNewPassword("abcdefgh", common_).has_value());
}

TEST_F(PasswordPolicyTest, SixtyFourAndOneHundredTwentyEightCharactersAreAccepted) {
  EXPECT_TRUE(CheckNewPassword(Repeat("x", 64), common_).has_value());
  EXPECT_TRUE(CheckNewPassword(Repeat("x", 128), common_).has_value());
}

TEST_F(PasswordPolicyTest, OneHundredTwentyNineCharactersAreRefusedNotTruncated) {
  ExpectFieldError(CheckNewPassword(Repeat("x", 129), common_), "password", "at most 128");
}

TEST_F(PasswordPolicyTest, MultiByteCharactersCountAsOneEach) {
  // "é" is two bytes: 8 of them are 16 bytes but 8 characters.
  EXPECT_TRUE(CheckNewPassword(Repeat("\xC3\xA9", 8), common_).has_value());
  ExpectFieldError(CheckNewPassword(Repeat("\xC3\xA9", 7), common_), "password", "at least 8");
  // 4-byte emoji: 128 accepted (512 bytes), 129 refused.
  EXPECT_TRUE(CheckNewPassword(Repeat("\xF0\x9F\x98\x80", 128), common_).has_value());
  ExpectFieldError(CheckNewPassword(Repeat("\xF0\x9F\x98\x80", 129), common_), "password",
                   "at most 128");
}

TEST_F(PasswordPolicyTest, InvalidUtf8IsRefused) {
  ExpectFieldError(CheckNewPassword("abcdefgh\xFF", common_), "password", "UTF-8");
  ExpectFieldError(CheckNewPassword("abcdefgh\xC3", common_), "password", "UTF-8");     // cut short
  ExpectFieldError(CheckNewPassword("abcdefg\xC0\xAF", common_), "password", "UTF-8");  // overlong
  ExpectFieldError(CheckNewPassword("abcdefg\xED\xA0\x80", common_), "password",
                   "UTF-8");  // surrogate
}

TEST_F(PasswordPolicyTest, NoCompositionRulesApply) {
  EXPECT_TRUE(CheckNewPassword("all lower case words", common_).has_value());
  EXPECT_TRUE(CheckNewPassword("9876543210", common_).has_value());
}

TEST_F(PasswordPolicyTest, CommonPasswordIsRefusedSayingSo) {
  ExpectFieldError(CheckNewPassword("baseball", common_), "password",
                   "is one of the 3,000 most common passwords");
}

TEST_F(PasswordPolicyTest, CommonMatchIgnoresCase) {
  EXPECT_TRUE(common_.Contains("BaseBall"));
  EXPECT_TRUE(common_.Contains("password1"));  // listed as "Password1" with a CRLF ending
  ExpectFieldError(CheckNewPassword("PASSWORD1", common_), "password", "most common");
}

TEST_F(PasswordPolicyTest, ErrorsNameTheGivenField) {
  ExpectFieldError(CheckNewPassword("short", common_, "new_password"), "new_password",
                   "at least 8");
  ExpectFieldError(CheckNewPassword("baseball", common_, "new_password"), "new_password",
                   "most common");
}

TEST(CommonPasswordsTest, ParsesLinesSkippingBlanksAndCarriageReturns) {
  const CommonPasswords common("a\r\n\nb\nc");
  EXPECT_EQ(common.size(), 3U);
  EXPECT_TRUE(common.Contains("c"));
  EXPECT_FALSE(common.Contains("a\r"));
  EXPECT_FALSE(common.Contains(""));
}

TEST(CommonPasswordsTest, EmbeddedListHasThreeThousandEntriesIncludingPassword) {
  const CommonPasswords common(EmbeddedCommonList());
  EXPECT_EQ(common.size(), 3000U);
  EXPECT_TRUE(common.Contains("password"));
  EXPECT_TRUE(common.Contains("Password1"));
  EXPECT_FALSE(common.Contains("correct horse battery staple"));
}

TEST(CommonPasswordsTest, EmbeddedListRefusesCommonAndAcceptsUncommonPasswords) {
  const CommonPasswords common(EmbeddedCommonList());
  ExpectFieldError(CheckNewPassword("password1", common), "password", "most common");
  ExpectFieldError(CheckNewPassword("Football", common), "password", "most common");
  EXPECT_TRUE(CheckNewPassword("tangerine-otter-87", common).has_value());
}

TEST(Utf8Test, CountsCodePointsAndRejectsMalformedInput) {
  EXPECT_EQ(CountCodePoints("abc"), 3U);
  EXPECT_EQ(CountCodePoints("\xE6\x97\xA5\xE6\x9C\xAC"), 2U);  // 日本
  EXPECT_EQ(CountCodePoints(""), 0U);
  EXPECT_FALSE(CountCodePoints("\x80").has_value());
  EXPECT_FALSE(CountCodePoints("\xF4\x90\x80\x80").has_value());  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));                      // overlong '/'
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));                   // U+10FFFF
}

}  // namespace
}  // namespace identity::domain
