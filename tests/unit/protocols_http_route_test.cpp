// HTTP route collapsing (pure function).
#include "protocols/http_route.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::protocols {
namespace {

TEST(HttpRoute, Table) {
  struct Case {
    const char* target;
    const char* route;
  };
  const Case cases[] = {
      {"/users/42", "/users/:id"},
      {"/users/42/orders?page=2", "/users/:id/orders"},
      {"/users/42/", "/users/:id/"},
      {"/", "/"},
      {"", "/"},
      {"*", "*"},
      {"http://example.com/a/1?x=2", "/a/:id"},
      {"HTTPS://example.com:8443", "/"},
      {"/items/550e8400-e29b-41d4-a716-446655440000", "/items/:id"},
      {"/items/550E8400-E29B-41D4-A716-446655440000/edit", "/items/:id/edit"},
      {"/blobs/deadbeef", "/blobs/deadbeef"},
      {"/blobs/deadbeef01", "/blobs/:id"},
      {"/commits/abc1234", "/commits/abc1234"},
      {"/commits/abc12345", "/commits/:id"},
      {"/t/eyJhbGciOiJIUzI1NiJ9", "/t/:id"},
      {"/t/dGhpcyBpcyBhIHRva2Vu0A==", "/t/:id"},
      {"/static/app.js", "/static/app.js"},
      {"/api/v2/search#frag", "/api/v2/search"},
      {"/a/very-long-path-name-here", "/a/very-long-path-name-here"},
      {"/files/report%2042", "/files/report%2042"},
      {"relative/7", "relative/:id"},
      {"/a//b", "/a//b"},
  };
  for (const Case& c : cases) EXPECT_EQ(http_route(c.target), c.route) << c.target;
}

TEST(HttpRoute, IdSegments) {
  EXPECT_TRUE(is_id_segment("0"));
  EXPECT_TRUE(is_id_segment("123456789012345678901234567890"));
  EXPECT_TRUE(is_id_segment("550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_TRUE(is_id_segment("0123abcd"));
  EXPECT_FALSE(is_id_segment("abcdefab"));  // hex letters only: a word, not an id
  EXPECT_FALSE(is_id_segment("0123abc"));   // hex, but short
  EXPECT_TRUE(is_id_segment("AbCdEfGhIjKlMnO1"));
  EXPECT_FALSE(is_id_segment("AbCdEfGhIjKlMnOp"));  // no digit
  EXPECT_FALSE(is_id_segment("AbCdEfGhIjKlMn1"));   // 15 characters
  EXPECT_FALSE(is_id_segment(""));
  EXPECT_FALSE(is_id_segment("users"));
  EXPECT_FALSE(is_id_segment("v1"));
  EXPECT_FALSE(is_id_segment("a.b.c.d.e.f.g.h.1"));
}

TEST(HttpRoute, DepthAndLengthAreCapped) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "/x";
  std::string r = http_route(deep);
  EXPECT_EQ(r.substr(r.size() - 4), "/...");
  EXPECT_LE(r.size(), kMaxRoute);

  std::string long_segment = "/" + std::string(1000, 'a');
  r = http_route(long_segment);
  EXPECT_EQ(r.size(), kMaxRoute);
  EXPECT_EQ(r.substr(r.size() - 3), "...");

  EXPECT_EQ(http_route("/a\x01\xff/b"), "/a ?/b");
}

}  // namespace
}  // namespace hs::protocols
