// append_clean: bounded, UTF-8-clean copies of hostile bytes.
#include <gtest/gtest.h>

#include <string>

#include "protocols/text.h"

namespace hs::protocols {
namespace {

TEST(AppendClean, PrintableRunsAreCopiedUpToTheCap) {
  std::string out = "x=";
  EXPECT_TRUE(append_clean(out, "hello world", 64));
  EXPECT_EQ(out, "x=hello world");
  out.clear();
  EXPECT_FALSE(append_clean(out, "abcdefghij", 4));
  EXPECT_EQ(out, "abcd");
  out = "ab";
  EXPECT_FALSE(append_clean(out, "cdef", 3));
  EXPECT_EQ(out, "abc");
  out.clear();
  EXPECT_TRUE(append_clean(out, "", 0));
  EXPECT_FALSE(append_clean(out, "a", 0));
  EXPECT_EQ(out, "");
}

TEST(AppendClean, ControlsFollowTheMode) {
  const std::string in("a\tb\nc\x01" "d\x7f" "e", 9);
  std::string out;
  EXPECT_TRUE(append_clean(out, in, 64, Controls::keep_layout));
  EXPECT_EQ(out, "a\tb\nc d e");
  out.clear();
  EXPECT_TRUE(append_clean(out, in, 64, Controls::to_space));
  EXPECT_EQ(out, "a b c d e");
  out.clear();
  EXPECT_TRUE(append_clean(out, in, 64, Controls::to_dot));
  EXPECT_EQ(out, "a.b.c.d.e");
}

TEST(AppendClean, Utf8IsKeptWholeOrNotAtAll) {
  std::string out;
  EXPECT_TRUE(append_clean(out, "caf\xc3\xa9 \xe2\x82\xac", 64));
  EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x82\xac");
  out.clear();
  EXPECT_FALSE(append_clean(out, "caf\xc3\xa9", 4));  // the two-byte letter does not fit in one
  EXPECT_EQ(out, "caf");
  out.clear();
  EXPECT_TRUE(append_clean(out, "a\xff" "b\xc3(\xed\xa0\x80", 64));  // invalid, overlong, surrogate
  EXPECT_EQ(out, "a?b?(???");
}

}  // namespace
}  // namespace hs::protocols
