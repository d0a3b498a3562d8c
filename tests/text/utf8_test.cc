#include "text/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "propscan/error.h"

namespace propscan::text {
namespace {

// The message decode_utf8 throws for `bytes`, or "" when it decodes.
std::string decode_error(std::string_view bytes) {
  try {
    decode_utf8(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Utf8Test, DecodesAsciiAndEmpty) {
  EXPECT_EQ(decode_utf8(""), U"");
  EXPECT_EQ(decode_utf8("plain text\n"), U"plain text\n");
}

TEST(Utf8Test, KeepsByteOrderMarkAsCharacterZero) {
  const std::u32string text = decode_utf8("\xEF\xBB\xBFTitle");
  ASSERT_EQ(text.size(), 6u);
  EXPECT_EQ(text[0], U'\uFEFF');
  EXPECT_EQ(text[1], U'T');
}

TEST(Utf8Test, DecodesEveryEncodingLength) {
  // “ (3 bytes), é and ñ (2 bytes), ’ (3 bytes), 😀 (4 bytes).
  const std::u32string text = decode_utf8(
      "\xE2\x80\x9C" "caf\xC3\xA9 ma\xC3\xB1" "ana\xE2\x80\x99" "s \xF0\x9F\x98\x80");
  EXPECT_EQ(text, U"\u201Ccaf\u00E9 ma\u00F1ana\u2019s \U0001F600");
  EXPECT_EQ(text.size(), 16u);
}

TEST(Utf8Test, AcceptsBoundaryValues) {
  EXPECT_EQ(decode_utf8("\xC2\x80"), U"\u0080");
  EXPECT_EQ(decode_utf8("\xDF\xBF"), U"\u07FF");
  EXPECT_EQ(decode_utf8("\xE0\xA0\x80"), U"\u0800");
  EXPECT_EQ(decode_utf8("\xED\x9F\xBF"), U"\uD7FF");
  EXPECT_EQ(decode_utf8("\xEE\x80\x80"), U"\uE000");
  EXPECT_EQ(decode_utf8("\xEF\xBF\xBF"), U"\uFFFF");
  EXPECT_EQ(decode_utf8("\xF0\x90\x80\x80"), U"\U00010000");
  EXPECT_EQ(decode_utf8("\xF4\x8F\xBF\xBF"), U"\U0010FFFF");
}

TEST(Utf8Test, RejectsStrayContinuationBytes) {
  EXPECT_EQ(decode_error("ab\x80"), "invalid UTF-8 at byte 2");
  EXPECT_EQ(decode_error("\xBF"), "invalid UTF-8 at byte 0");
  // One continuation byte too many after a complete é.
  EXPECT_EQ(decode_error("caf\xC3\xA9\xA9"), "invalid UTF-8 at byte 5");
}

TEST(Utf8Test, RejectsTruncatedSequences) {
  EXPECT_EQ(decode_error("\xC3"), "invalid UTF-8 at byte 0");
  EXPECT_EQ(decode_error("abc\xE2\x80"), "invalid UTF-8 at byte 3");
  EXPECT_EQ(decode_error("abcd\xF0\x9F\x98"), "invalid UTF-8 at byte 4");
  // Cut short in the middle of the text: the next byte is not a continuation.
  EXPECT_EQ(decode_error("x\xE2\x80y"), "invalid UTF-8 at byte 1");
  EXPECT_EQ(decode_error("x\xC3 y"), "invalid UTF-8 at byte 1");
  EXPECT_EQ(decode_error("xy\xF0\x9F\x98z"), "invalid UTF-8 at byte 2");
}

TEST(Utf8Test, RejectsOverlongForms) {
  EXPECT_EQ(decode_error("\xC0\xAF"), "invalid UTF-8 at byte 0");      // '/' in 2 bytes
  EXPECT_EQ(decode_error("a\xC1\xBF"), "invalid UTF-8 at byte 1");     // U+007F in 2 bytes
  EXPECT_EQ(decode_error("ab\xE0\x9F\xBF"), "invalid UTF-8 at byte 2"); // U+07FF in 3 bytes
  EXPECT_EQ(decode_error("\xE0\x80\xAF"), "invalid UTF-8 at byte 0");
  EXPECT_EQ(decode_error("abc\xF0\x8F\xBF\xBF"), "invalid UTF-8 at byte 3");  // U+FFFF in 4
}

TEST(Utf8Test, RejectsSurrogates) {
  EXPECT_EQ(decode_error("\xED\xA0\x80"), "invalid UTF-8 at byte 0");   // U+D800
  EXPECT_EQ(decode_error("ok \xED\xBF\xBF"), "invalid UTF-8 at byte 3"); // U+DFFF
  // A CESU-8 style surrogate pair for U+1F600 is not UTF-8 either.
  EXPECT_EQ(decode_error("\xED\xA0\xBD\xED\xB8\x80"), "invalid UTF-8 at byte 0");
}

TEST(Utf8Test, RejectsValuesAboveMaximum) {
  EXPECT_EQ(decode_error("\xF4\x90\x80\x80"), "invalid UTF-8 at byte 0");  // U+110000
  EXPECT_EQ(decode_error("a\xF5\x80\x80\x80"), "invalid UTF-8 at byte 1");
  EXPECT_EQ(decode_error("ab\xF8\x88\x80\x80\x80"), "invalid UTF-8 at byte 2");
  EXPECT_EQ(decode_error("\xFE"), "invalid UTF-8 at byte 0");
  EXPECT_EQ(decode_error("\xFF"), "invalid UTF-8 at byte 0");
}

TEST(Utf8Test, ReportsTheFirstErrorOnly) {
  EXPECT_EQ(decode_error("\xC3\xA9\xC3\xA9 \x80 \xFF"), "invalid UTF-8 at byte 5");
}

TEST(Utf8Test, IsValidAgreesWithDecode) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("\xEF\xBB\xBF\xE2\x80\x9Chi\xE2\x80\x9D \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("ab\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x80"));
}

TEST(Utf8Test, EncodesEveryLength) {
  EXPECT_EQ(encode_utf8(U"a\u00E9\u2019\U0001F600"), "a\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80");
  std::string out = "x";
  append_utf8(out, U'\u00F1');
  EXPECT_EQ(out, "x\xC3\xB1");
}

TEST(Utf8Test, EncodeRejectsNonScalarValues) {
  EXPECT_THROW(encode_utf8(std::u32string(1, char32_t{0xD800})), Error);
  EXPECT_THROW(encode_utf8(std::u32string(1, char32_t{0x110000})), Error);
}

TEST(Utf8Test, RoundTripsEveryScalarValue) {
  std::u32string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    all.push_back(cp);
  }
  const std::string bytes = encode_utf8(all);
  EXPECT_TRUE(is_valid_utf8(bytes));
  EXPECT_EQ(decode_utf8(bytes), all);
}

TEST(Utf8Test, OffsetTablesForBomAccentsQuotesAndEmoji) {
  // BOM, “, é, ñ, ”, 😀, !
  const std::u32string text = U"\uFEFF\u201C\u00E9\u00F1\u201D\U0001F600!";
  const std::vector<std::size_t> bytes = utf8_byte_offsets(text);
  const std::vector<std::size_t> utf16 = utf16_offsets(text);
  EXPECT_EQ(bytes, (std::vector<std::size_t>{0, 3, 6, 8, 10, 13, 17, 18}));
  EXPECT_EQ(utf16, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 7, 8}));
  EXPECT_EQ(bytes.back(), encode_utf8(text).size());
}

TEST(Utf8Test, OffsetsOfEmptyText) {
  EXPECT_EQ(utf8_byte_offsets(U""), std::vector<std::size_t>{0});
  EXPECT_EQ(utf16_offsets(U""), std::vector<std::size_t>{0});
}

TEST(Utf8Test, ByteOffsetsPointAtTheSameCharacters) {
  const std::string bytes =
      "\xEF\xBB\xBF\xE2\x80\x9C" "Caf\xC3\xA9\xE2\x80\x9D \xF0\x9F\x98\x80 end";
  const std::u32string text = decode_utf8(bytes);
  const std::vector<std::size_t> offsets = utf8_byte_offsets(text);
  ASSERT_EQ(offsets.size(), text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    EXPECT_EQ(bytes.substr(offsets[i], offsets[i + 1] - offsets[i]),
              encode_utf8(text.substr(i, 1)))
        << "at code point " << i;
  }
  // "end" starts at code point 10, UTF-16 unit 11, byte 20.
  EXPECT_EQ(text.substr(10), U"end");
  EXPECT_EQ(utf16_offsets(text)[10], 11u);
  EXPECT_EQ(offsets[10], 20u);
}

}  // namespace
}  // namespace propscan::text
