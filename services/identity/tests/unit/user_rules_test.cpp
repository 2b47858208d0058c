#include "domain/user_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace identity::domain {
namespace {

template <typename T>
void ExpectFieldError(const platform::Result<T>& result, std::string_view field) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, platform::ErrorKind::kValidation);
  ASSERT_EQ(result.error().errors.size(), 1U);
  EXPECT_EQ(result.error().errors[0].field, field);
}

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

TEST(ValidateNameTest, EmptyOrBlankNameIsRefused) {
  ExpectFieldError(ValidateName(""), "name");
  ExpectFieldError(ValidateName(" \t "), "name");
}

TEST(ValidateNameTest, OneCharacterIsAccepted) { EXPECT_EQ(ValidateName("A").value(), "A"); }

TEST(ValidateNameTest, HundredCharactersAreAcceptedAndHundredOneRefused) {
  EXPECT_TRUE(ValidateName(std::string(100, 'n')).has_value());
  ExpectFieldError(ValidateName(std::string(101, 'n')), "name");
}

TEST(ValidateNameTest, LimitCountsCharactersNotBytes) {
  EXPECT_TRUE(ValidateName(Repeat("\xE6\x97\xA5", 100)).has_value());  // 300 bytes
  ExpectFieldError(ValidateName(Repeat("\xE6\x97\xA5", 101)), "name");
}

TEST(ValidateNameTest, SurroundingWhitespaceIsTrimmedBeforeCounting) {
  EXPECT_EQ(ValidateName("  Ada Lovelace \n").value(), "Ada Lovelace");
  EXPECT_TRUE(ValidateName("  " + std::string(100, 'n') + "  ").has_value());
}

TEST(ValidateNameTest, ControlCharactersAreRefused) {
  ExpectFieldError(ValidateName("Ada\nLovelace"), "name");
  ExpectFieldError(ValidateName("Ada\tLovelace"), "name");
  ExpectFieldError(ValidateName(std::string_view("Ada\0", 4)), "name");
  ExpectFieldError(ValidateName("Ada\x7F"), "name");
  ExpectFieldError(ValidateName("Ada\xC2\x9B"), "name");  // U+009B, a C1 control
}

TEST(ValidateNameTest, InvalidUtf8IsRefused) { ExpectFieldError(ValidateName("Ada\xFF"), "name"); }

TEST(ValidateDefaultTaskTtlTest, OneSecondTo366DaysIsAccepted) {
  EXPECT_TRUE(ValidateDefaultTaskTtl(1).has_value());
  EXPECT_TRUE(ValidateDefaultTaskTtl(86400).has_value());
  EXPECT_TRUE(ValidateDefaultTaskTtl(31'622'400).has_value());
}

TEST(ValidateDefaultTaskTtlTest, OutsideTheRangeIsRefused) {
  ExpectFieldError(ValidateDefaultTaskTtl(0), "default_task_ttl_seconds");
  ExpectFieldError(ValidateDefaultTaskTtl(-1), "default_task_ttl_seconds");
  ExpectFieldError(ValidateDefaultTaskTtl(31'622'401), "default_task_ttl_seconds");
}

TEST(TimezoneTest, KnownIanaNameIsAccepted) {
  const TimezoneCatalog catalog({"UTC", "Asia/Jakarta", "America/Argentina/Buenos_Aires"});
  EXPECT_EQ(catalog.size(), 3U);
  EXPECT_TRUE(ValidateTimezone("Asia/Jakarta", catalog).has_value());
  EXPECT_TRUE(ValidateTimezone("America/Argentina/Buenos_Aires", catalog).has_value());
  EXPECT_TRUE(ValidateTimezone(kDefaultTimezone, catalog).has_value());
}

TEST(TimezoneTest, UnknownOrMiscasedNameIsRefused) {
  const TimezoneCatalog catalog({"UTC", "Asia/Jakarta"});
  ExpectFieldError(ValidateTimezone("Mars/Olympus_Mons", catalog), "timezone");
  ExpectFieldError(ValidateTimezone("asia/jakarta", catalog), "timezone");
  ExpectFieldError(ValidateTimezone("", catalog), "timezone");
  ExpectFieldError(ValidateTimezone("../../etc/passwd", catalog), "timezone");
}

TEST(TimezoneTest, EmptyCatalogKnowsNothing) {
  const TimezoneCatalog catalog({});
  EXPECT_FALSE(catalog.Contains("UTC"));
}

}  // namespace
}  // namespace identity::domain
