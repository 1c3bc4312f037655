// The routes the dashboard relies on beyond the data API: the token's scope and
// the authenticated live event stream.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "route_fakes.h"

namespace hs::web {
namespace {

namespace json = boost::json;

class DashboardRoutesTest : public ::testing::Test, protected test::ApiHarness {};

TEST_F(DashboardRoutesTest, WhoamiTellsAdminFromViewer) {
  auto admin = call("GET", "/api/performance/auth/whoami");
  ASSERT_EQ(admin.status, 200) << admin.body;
  auto a = json::parse(admin.body).as_object();
  EXPECT_EQ(a.at("scope").as_string(), "admin");
  EXPECT_TRUE(a.at("can_mutate").as_bool());

  auto viewer = call("GET", "/api/performance/auth/whoami", {}, "", "viewer-token");
  ASSERT_EQ(viewer.status, 200);
  auto v = json::parse(viewer.body).as_object();
  EXPECT_EQ(v.at("scope").as_string(), "viewer");
  EXPECT_FALSE(v.at("can_mutate").as_bool());
}

TEST_F(DashboardRoutesTest, WhoamiNeedsAValidToken) {
  EXPECT_EQ(call("GET", "/api/performance/auth/whoami", {}, "", "").status, 401);
  EXPECT_EQ(call("GET", "/api/performance/auth/whoami", {}, "", "nope").status, 401);
  EXPECT_EQ(call("GET", "/api/performance/auth/whoami", {{"x", "1"}}).status, 400);
  EXPECT_EQ(call("POST", "/api/performance/auth/whoami").status, 405);
}

TEST_F(DashboardRoutesTest, EventStreamIsAuthenticatedAndStartsWithHello) {
  EXPECT_EQ(call("GET", "/api/performance/events", {}, "", "").status, 401);
  auto r = call("GET", "/api/performance/events", {}, "", "viewer-token");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.event_stream);
  EXPECT_EQ(r.body.rfind("retry: 3000\n\n", 0), 0u) << r.body;
  auto at = r.body.find("event: hello\ndata: ");
  ASSERT_NE(at, std::string::npos) << r.body;
  auto data = r.body.substr(at + 19);
  ASSERT_GE(data.size(), 2u);
  EXPECT_EQ(data.substr(data.size() - 2), "\n\n");
  EXPECT_EQ(json::parse(data).as_object().at("scope").as_string(), "viewer");
}

}  // namespace
}  // namespace hs::web
