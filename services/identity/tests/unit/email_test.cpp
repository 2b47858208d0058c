#include "domain/email.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace identity::domain {
namespace {

void ExpectRefused(std::string_view raw) {
  const auto result = NormalizeEmail(raw);
  ASSERT_FALSE(result.has_value()) << "accepted: " << raw;
  EXPECT_EQ(result.error().kind, platform::ErrorKind::kValidation);
  ASSERT_EQ(result.error().errors.size(), 1U);
  EXPECT_EQ(result.error().errors[0].field, "email");
}

TEST(NormalizeEmailTest, TrimsAndLowerCases) {
  EXPECT_EQ(NormalizeEmail(" Alice@Example.COM ").value(), "alice@example.com");
  EXPECT_EQ(NormalizeEmail("\tBob.Smith+todo@Mail.Example.org\r\n").value(),
            "bob.smith+todo@mail.example.org");
}

TEST(NormalizeEmailTest, LeavesNonAsciiLettersAlone) {
  EXPECT_EQ(NormalizeEmail("J\xC3\x96rg@Example.de").value(), "j\xC3\x96rg@example.de");
}

TEST(NormalizeEmailTest, EmptyOrBlankIsRefused) {
  ExpectRefused("");
  ExpectRefused("   ");
}

TEST(NormalizeEmailTest, MissingAtIsRefused) { ExpectRefused("alice.example.com"); }

TEST(NormalizeEmailTest, TwoAtsAreRefused) { ExpectRefused("alice@bob@example.com"); }

TEST(NormalizeEmailTest, SpacesOrControlsInsideAreRefused) {
  ExpectRefused("alice smith@example.com");
  ExpectRefused("alice@exa mple.com");
  ExpectRefused("alice\t@example.com");
  ExpectRefused(std::string_view("alice\0@example.com", 18));
  ExpectRefused("alice\x7F@example.com");
  ExpectRefused("alice\xC2\x85@example.com");  // U+0085, a C1 control
}

TEST(NormalizeEmailTest, QuotingAndBracketCharactersAreRefused) {
  for (char c : std::string_view("<>()[],;:\"\\")) {
    ExpectRefused(std::string("ali") + c + "ce@example.com");
  }
}

TEST(NormalizeEmailTest, InvalidUtf8IsRefused) { ExpectRefused("alice\xFF@example.com"); }

TEST(NormalizeEmailTest, EmptyLocalPartIsRefused) { ExpectRefused("@example.com"); }

TEST(NormalizeEmailTest, LocalPartOfSixtyFourIsAcceptedAndSixtyFiveRefused) {
  EXPECT_TRUE(NormalizeEmail(std::string(64, 'a') + "@example.com").has_value());
  ExpectRefused(std::string(65, 'a') + "@example.com");
}

TEST(NormalizeEmailTest, AddressOf254BytesIsAcceptedAnd255Refused) {
  const std::string local(64, 'a');
  const std::string suffix = ".com";
  // 64 + 1 ('@') + domain = 254 -> domain of 189 = label + ".com".
  const std::string domain_254 = std::string(189 - suffix.size(), 'b') + suffix;
  EXPECT_TRUE(NormalizeEmail(local + "@" + domain_254).has_value());
  ExpectRefused(local + "@" + "b" + domain_254);
}

TEST(NormalizeEmailTest, LengthIsMeasuredAfterTrimming) {
  const std::string address = std::string(64, 'a') + "@" + std::string(185, 'b') + ".com";
  ASSERT_EQ(address.size(), 254U);
  EXPECT_TRUE(NormalizeEmail("   " + address + "   ").has_value());
}

TEST(NormalizeEmailTest, DomainWithoutDotIsRefused) { ExpectRefused("alice@localhost"); }

TEST(NormalizeEmailTest, DomainStartingOrEndingWithDotOrHyphenIsRefused) {
  ExpectRefused("alice@.example.com");
  ExpectRefused("alice@example.com.");
  ExpectRefused("alice@-example.com");
  ExpectRefused("alice@example.com-");
  ExpectRefused("alice@example..com");
}

TEST(NormalizeEmailTest, ShortestPlausibleAddressIsAccepted) {
  EXPECT_EQ(NormalizeEmail("a@b.c").value(), "a@b.c");
}

}  // namespace
}  // namespace identity::domain
