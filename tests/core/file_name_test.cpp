#include "swarmshare/core/file_name.hpp"

#include <gtest/gtest.h>

namespace swarmshare::core {
namespace {

using namespace std::string_literals;

bool has_byte_below_space(const std::string& name) {
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return true;
    }
  }
  return false;
}

TEST(SanitizeFileName, keepsOrdinaryNames) {
  EXPECT_EQ(sanitize_file_name("holiday photos.tar.gz"), "holiday photos.tar.gz");
  EXPECT_EQ(sanitize_file_name("Ünïcödé – 日本語.txt"), "Ünïcödé – 日本語.txt");
  EXPECT_EQ(sanitize_file_name(".profile"), ".profile");
}

TEST(SanitizeFileName, replacesPathSeparatorsSoNoNameEscapesItsFolder) {
  EXPECT_EQ(sanitize_file_name("../x"), ".._x");
  EXPECT_EQ(sanitize_file_name("/etc/passwd"), "_etc_passwd");
  EXPECT_EQ(sanitize_file_name("C:\\x"), "C__x");
  EXPECT_EQ(sanitize_file_name("..\\..\\windows\\system32"), ".._.._windows_system32");
}

TEST(SanitizeFileName, turnsDotNamesAndEmptyIntoTheDefault) {
  EXPECT_EQ(sanitize_file_name(""), kDefaultFileName);
  EXPECT_EQ(sanitize_file_name("."), kDefaultFileName);
  EXPECT_EQ(sanitize_file_name(".."), kDefaultFileName);
  EXPECT_EQ(sanitize_file_name("   "), kDefaultFileName);
  EXPECT_EQ(sanitize_file_name(". . ."), kDefaultFileName);
}

TEST(SanitizeFileName, replacesNulAndOtherControlCharacters) {
  EXPECT_EQ(sanitize_file_name("evil\0.txt"s), "evil_.txt");
  EXPECT_EQ(sanitize_file_name("a\nb\tc\x7f"), "a_b_c_");
  EXPECT_EQ(sanitize_file_name("c1\xC2\x85x"), "c1_x"); // U+0085, a C1 control
  EXPECT_FALSE(has_byte_below_space(sanitize_file_name("\x01\x02\x03name\x1f")));
}

TEST(SanitizeFileName, replacesCharactersWindowsForbids) {
  EXPECT_EQ(sanitize_file_name("what? <a|b> \"c\" *d*:e"), "what_ _a_b_ _c_ _d__e");
}

TEST(SanitizeFileName, prefixesReservedWindowsDeviceNamesInAnyCase) {
  EXPECT_EQ(sanitize_file_name("CON"), "_CON");
  EXPECT_EQ(sanitize_file_name("con.txt"), "_con.txt");
  EXPECT_EQ(sanitize_file_name("Nul.tar.gz"), "_Nul.tar.gz");
  EXPECT_EQ(sanitize_file_name("COM1"), "_COM1");
  EXPECT_EQ(sanitize_file_name("lpt9.log"), "_lpt9.log");
  EXPECT_EQ(sanitize_file_name("AUX .txt"), "_AUX .txt");
  EXPECT_EQ(sanitize_file_name("CONSOLE"), "CONSOLE");
  EXPECT_EQ(sanitize_file_name("COM10"), "COM10");
}

TEST(SanitizeFileName, trimsTrailingDotsAndSpacesWindowsWouldDrop) {
  EXPECT_EQ(sanitize_file_name("  report.pdf. . "), "report.pdf");
}

TEST(SanitizeFileName, replacesInvalidUtf8AndRemovesBidiOverrides) {
  EXPECT_EQ(sanitize_file_name("bad\xFF\xFEname"), "bad__name");
  EXPECT_EQ(sanitize_file_name("\xC0\xAF"), "__"); // overlong "/"
  EXPECT_EQ(sanitize_file_name("invoice\u202Efdp.exe"), "invoicefdp.exe");
  EXPECT_TRUE(is_valid_utf8(sanitize_file_name("\xED\xA0\x80 surrogate")));
}

TEST(SanitizeFileName, cutsLongNamesTo255BytesOnACharacterBoundaryKeepingExtension) {
  const std::string ascii = std::string(300, 'a') + ".iso";
  const std::string cut = sanitize_file_name(ascii);
  EXPECT_EQ(cut.size(), kMaxFileNameBytes);
  EXPECT_TRUE(cut.ends_with(".iso"));

  std::string wide; // 3-byte characters, so a byte cut would land mid-character
  for (int i = 0; i < 100; ++i) {
    wide += "日";
  }
  const std::string wide_cut = sanitize_file_name(wide + ".txt");
  EXPECT_LE(wide_cut.size(), kMaxFileNameBytes);
  EXPECT_TRUE(is_valid_utf8(wide_cut));
  EXPECT_TRUE(wide_cut.ends_with(".txt"));

  const std::string no_extension = sanitize_file_name(std::string(300, 'b'));
  EXPECT_EQ(no_extension, std::string(255, 'b'));
}

TEST(SanitizeFileName, isIdempotent) {
  for (const std::string& raw : {"../x"s, "/etc/passwd"s, "C:\\x"s, "a\0b"s, "CON"s, "con.txt"s,
                                 std::string(300, 'x') + ".bin", "  x. "s, "\xFF"s, ""s}) {
    const std::string once = sanitize_file_name(raw);
    EXPECT_EQ(sanitize_file_name(once), once) << raw;
  }
}

TEST(IsValidUtf8, rejectsOverlongsSurrogatesAndTruncatedSequences) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80")); // U+1F600
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE6\x97"));
}

} // namespace
} // namespace swarmshare::core
