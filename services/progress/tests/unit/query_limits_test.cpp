#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "domain/progress.hpp"

namespace progress::domain {
namespace {

void ExpectInvalid(const std::expected<int, platform::Error>& result, std::string_view field,
                   std::string_view message, std::string_view input) {
  ASSERT_FALSE(result.has_value()) << '"' << input << "\" gave " << *result;
  const platform::Error& error = result.error();
  EXPECT_EQ(error.kind, platform::ErrorKind::kValidation);
  ASSERT_EQ(error.errors.size(), 1u);
  EXPECT_EQ(error.errors[0].field, field);
  EXPECT_EQ(error.errors[0].message, message);
  EXPECT_EQ(error.detail, std::string(field) + " " + std::string(message));
}

constexpr std::string_view kBadInputs[] = {
    "",
    "abc",
    "1.5",
    "-1",
    "0",
    "+5",
    " 5",
    "5 ",
    "5x",
    "0x10",
    "1e2",
    "٥",
    "99999999999999999999",
    "2147483648",
    "-2147483649",
    "-0",
};

TEST(ParseDaysTest, MissingGivesThirty) { EXPECT_EQ(ParseDays(std::nullopt), 30); }

TEST(ParseDaysTest, AcceptsOneToThreeHundredSixtyFive) {
  EXPECT_EQ(ParseDays("1"), 1);
  EXPECT_EQ(ParseDays("7"), 7);
  EXPECT_EQ(ParseDays("365"), 365);
}

TEST(ParseDaysTest, ReadsLeadingZerosAsTheNumberTheySpell) {
  EXPECT_EQ(ParseDays("007"), 7);
  EXPECT_EQ(ParseDays("0365"), 365);
  ExpectInvalid(ParseDays("000"), "days", "must be a whole number from 1 to 365", "000");
}

TEST(ParseDaysTest, RefusesWhatIsNotAWholeNumberInRange) {
  ExpectInvalid(ParseDays("366"), "days", "must be a whole number from 1 to 365", "366");
  for (std::string_view input : kBadInputs) {
    ExpectInvalid(ParseDays(input), "days", "must be a whole number from 1 to 365", input);
  }
}

TEST(ParseActivityLimitTest, MissingGivesTwenty) {
  EXPECT_EQ(ParseActivityLimit(std::nullopt), 20);
}

TEST(ParseActivityLimitTest, AcceptsOneToOneHundred) {
  EXPECT_EQ(ParseActivityLimit("1"), 1);
  EXPECT_EQ(ParseActivityLimit("100"), 100);
  EXPECT_EQ(ParseActivityLimit("050"), 50);
}

TEST(ParseActivityLimitTest, RefusesWhatIsNotAWholeNumberInRange) {
  ExpectInvalid(ParseActivityLimit("101"), "limit", "must be a whole number from 1 to 100", "101");
  ExpectInvalid(ParseActivityLimit("365"), "limit", "must be a whole number from 1 to 100", "365");
  for (std::string_view input : kBadInputs) {
    ExpectInvalid(ParseActivityLimit(input), "limit", "must be a whole number from 1 to 100",
                  input);
  }
}

TEST(ParseDaysTest, DoesNotReadPastTheViewItIsGiven) {
  // A view into a longer query string: only its own characters count.
  constexpr std::string_view kQuery = "12345";
  EXPECT_EQ(ParseDays(kQuery.substr(0, 2)), 12);
  EXPECT_EQ(ParseActivityLimit(kQuery.substr(1, 2)), 23);
}

}  // namespace
}  // namespace progress::domain
