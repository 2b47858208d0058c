#include "platform/pg/array_literal.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using platform::pg::ArrayLiteral;

TEST(ArrayLiteral, EmptyVectorIsEmptyArray) { EXPECT_EQ(ArrayLiteral({}), "{}"); }

TEST(ArrayLiteral, EveryElementIsQuotedAndSeparatedByCommas) {
  EXPECT_EQ(ArrayLiteral({"a"}), R"({"a"})");
  EXPECT_EQ(ArrayLiteral({"a", "bc", "d"}), R"({"a","bc","d"})");
}

TEST(ArrayLiteral, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(ArrayLiteral({R"(say "hi")"}), R"({"say \"hi\""})");
  EXPECT_EQ(ArrayLiteral({R"(C:\dir\)"}), R"({"C:\\dir\\"})");
  // An escaped quote next to an escaped backslash: each must be escaped on its own, or the
  // backslash would swallow the quote's escape and end the element early.
  EXPECT_EQ(ArrayLiteral({R"(\")"}), R"({"\\\""})");
  EXPECT_EQ(ArrayLiteral({R"(")", R"(\)"}), R"({"\"","\\"})");
}

TEST(ArrayLiteral, DelimitersAndBracesStayInsideTheQuotes) {
  EXPECT_EQ(ArrayLiteral({"a,b", "{x}", "}{", "  padded  "}), R"({"a,b","{x}","}{","  padded  "})");
}

TEST(ArrayLiteral, NullTextAndEmptyStringAreValuesNotNull) {
  EXPECT_EQ(ArrayLiteral({"NULL", "null", ""}), R"({"NULL","null",""})");
  EXPECT_EQ(ArrayLiteral({""}), R"({""})");
}

TEST(ArrayLiteral, OtherBytesPassThroughUnchanged) {
  std::string bytes = "Grüße, 日本\n\t'single'";
  EXPECT_EQ(ArrayLiteral({bytes}), "{\"" + bytes + "\"}");
  // JSON text, as the outbox sends it: its own escapes get escaped once more.
  EXPECT_EQ(ArrayLiteral({R"({"q":"a\"b","p":"c\\d"})"}),
            R"({"{\"q\":\"a\\\"b\",\"p\":\"c\\\\d\"}"})");
}

}  // namespace

namespace {

using platform::pg::NullableArrayLiteral;

TEST(NullableArrayLiteral, NulloptIsAnUnquotedNullAndValuesStayQuoted) {
  EXPECT_EQ(NullableArrayLiteral({}), "{}");
  EXPECT_EQ(NullableArrayLiteral({std::nullopt}), "{NULL}");
  EXPECT_EQ(NullableArrayLiteral({"1", std::nullopt, "NULL", R"(a"b)"}),
            R"({"1",NULL,"NULL","a\"b"})");
}

}  // namespace
