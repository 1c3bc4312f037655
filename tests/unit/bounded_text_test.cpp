// BoundedText: inline text of at most N bytes, compared and printed as a string.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "common/bounded_text.h"
#include "hostscope/wire.h"
#include "protocols/l7_reading.h"

namespace hs {
namespace {

TEST(BoundedTextTest, HoldsTextUpToItsCapacityAndCutsTheRest) {
  BoundedText<8> t("unix:/ru");
  EXPECT_EQ(t, "unix:/ru");
  EXPECT_EQ(t.size(), 8u);
  t = std::string("unix:/run/postgresql");
  EXPECT_EQ(t.view(), "unix:/ru");
  BoundedText<8> empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty, "");
  EXPECT_EQ(BoundedText<8>(std::string_view("ab\0cd", 5)).size(), 5u);  // any bytes
}

TEST(BoundedTextTest, CopiesCompareAndPrintLikeStrings) {
  BoundedText<16> a("10.0.0.5:5432");
  BoundedText<16> b = a;
  a = "10.0.0.6:5432";
  EXPECT_EQ(b, "10.0.0.5:5432");
  std::string s = "10.0.0.5:5432";
  EXPECT_TRUE(s == b);
  EXPECT_FALSE(s != b);
  s = a;
  EXPECT_EQ(s, "10.0.0.6:5432");
  std::vector<std::string> held{"x", "10.0.0.5:5432"};
  EXPECT_EQ(std::find(held.begin(), held.end(), b) - held.begin(), 1);
  std::ostringstream os;
  os << b;
  EXPECT_EQ(os.str(), "10.0.0.5:5432");
}

// The longest remotes a reading carries fit: "unix:" and the 63 path bytes the
// kernel keeps, and an IPv6 address in full with a port.
TEST(BoundedTextTest, TheLongestRemotesFitWhole) {
  const std::string unix_remote = "unix:" + std::string(HS_L7_PATH_MAX - 1, 'p');
  EXPECT_EQ(protocols::RemoteName(unix_remote), unix_remote);
  const std::string v6 = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";
  EXPECT_EQ(protocols::RemoteName(v6), v6);
}

}  // namespace
}  // namespace hs
