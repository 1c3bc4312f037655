#include "web/routes/router.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "web/routes/json_error.h"

namespace hs::web {
namespace {

Router::Handler tag(std::string name) {
  return [name](const Request& req) {
    Response r;
    r.content_type = "text/plain";
    r.body = name;
    for (const auto& [k, v] : req.params) r.body += " " + k + "=" + v;
    return r;
  };
}

Response call(const Router& router, std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  return router.dispatch(req);
}

Router api() {
  Router r;
  r.add("GET", "/api/performance/alerts", tag("list"));
  r.add("POST", "/api/performance/alerts", tag("create"));
  r.add("PUT", "/api/performance/alerts/:id/acknowledge", tag("ack"));
  r.add("GET", "/api/performance/bottlenecks/:id", tag("bottleneck"));
  r.add("GET", "/api/performance/bottlenecks/thresholds", tag("thresholds"));
  r.add("GET", "/a/:x/b/:y", tag("two"));
  r.add("GET", "/", tag("root"));
  return r;
}

TEST(RouterDispatch, MatchesLiteralRoutesByMethod) {
  const Router r = api();
  EXPECT_EQ(call(r, "GET", "/api/performance/alerts").body, "list");
  EXPECT_EQ(call(r, "POST", "/api/performance/alerts").body, "create");
  EXPECT_EQ(call(r, "GET", "/").body, "root");
  EXPECT_EQ(r.size(), 7u);
}

TEST(RouterDispatch, FillsCaptures) {
  const Router r = api();
  Request req;
  req.method = "PUT";
  req.path = "/api/performance/alerts/al-42/acknowledge";
  req.params["stale"] = "x";
  EXPECT_EQ(r.dispatch(req).body, "ack id=al-42");
  ASSERT_EQ(req.params.size(), 1u);
  EXPECT_EQ(req.params.at("id"), "al-42");
  EXPECT_EQ(call(r, "GET", "/a/1/b/2").body, "two x=1 y=2");
}

TEST(RouterDispatch, LiteralSegmentBeatsCapture) {
  const Router r = api();
  EXPECT_EQ(call(r, "GET", "/api/performance/bottlenecks/thresholds").body, "thresholds");
  EXPECT_EQ(call(r, "GET", "/api/performance/bottlenecks/b-7").body, "bottleneck id=b-7");
}

TEST(RouterDispatch, TrailingSlashIsIgnored) {
  const Router r = api();
  EXPECT_EQ(call(r, "GET", "/api/performance/alerts/").body, "list");
}

TEST(RouterDispatch, UnknownPathIs404Json) {
  const Router r = api();
  const Response res = call(r, "GET", "/api/nope");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, R"({"error":{"code":"not_found","message":"no endpoint GET /api/nope"}})");
  EXPECT_TRUE(res.headers.empty());
}

TEST(RouterDispatch, CaptureNeverMatchesAnEmptySegment) {
  const Router r = api();
  EXPECT_EQ(call(r, "PUT", "/api/performance/alerts//acknowledge").status, 404);
  EXPECT_EQ(call(r, "GET", "/a/1/b").status, 404);
  EXPECT_EQ(call(r, "GET", "/a/1/b/2/3").status, 404);
}

TEST(RouterDispatch, KnownPathWrongMethodIs405WithAllow) {
  const Router r = api();
  const Response res = call(r, "DELETE", "/api/performance/alerts");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.body,
            R"j({"error":{"code":"method_not_allowed","message":"DELETE is not allowed on /api/performance/alerts (allowed: GET, POST)"}})j");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "GET, POST");

  const Response put = call(r, "POST", "/api/performance/bottlenecks/thresholds");
  EXPECT_EQ(put.status, 405);
  ASSERT_EQ(put.headers.size(), 1u);
  EXPECT_EQ(put.headers[0].second, "GET");
}

TEST(RouterDispatch, MethodsAreCaseSensitive) {
  const Router r = api();
  EXPECT_EQ(call(r, "get", "/api/performance/alerts").status, 405);
}

TEST(RouterDispatch, HandlerExceptionsPropagate) {
  Router r;
  r.add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("x"); });
  EXPECT_THROW(call(r, "GET", "/boom"), std::runtime_error);
}

TEST(RouterAdd, RejectsMalformedPatterns) {
  Router r;
  EXPECT_THROW(r.add("GET", "no-slash", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a//b", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/:", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/:id/:id", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("", "/a", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a", nullptr), std::invalid_argument);
  r.add("GET", "/a/:id", tag("x"));
  EXPECT_THROW(r.add("GET", "/a/:other", tag("y")), std::invalid_argument);
  EXPECT_NO_THROW(r.add("PUT", "/a/:id", tag("z")));
}

// --- parse_target -------------------------------------------------------

struct Parsed {
  Status status;
  std::string path;
  std::map<std::string, std::string> query;
};

Parsed parse(std::string_view target) {
  Parsed p;
  p.path = "junk";
  p.query["junk"] = "1";
  p.status = parse_target(target, p.path, p.query);
  return p;
}

TEST(RouterParseTarget, SplitsPathAndQuery) {
  const Parsed p = parse("/api/performance/monitoring/metrics?type=syscall&pid=42&limit=10");
  ASSERT_TRUE(p.status.ok()) << p.status.text();
  EXPECT_EQ(p.path, "/api/performance/monitoring/metrics");
  EXPECT_EQ(p.query, (std::map<std::string, std::string>{{"type", "syscall"}, {"pid", "42"}, {"limit", "10"}}));
}

TEST(RouterParseTarget, PercentDecodesPathAndQuery) {
  const Parsed p = parse("/a%20b/c+d?q=x+y%2Bz&na%6De=%C3%A9&e=");
  ASSERT_TRUE(p.status.ok()) << p.status.text();
  EXPECT_EQ(p.path, "/a b/c+d");  // '+' is only a space in the query
  EXPECT_EQ(p.query.at("q"), "x y+z");
  EXPECT_EQ(p.query.at("name"), "\xC3\xA9");
  EXPECT_EQ(p.query.at("e"), "");
}

TEST(RouterParseTarget, LastDuplicateKeyWinsAndOddPairsAreTolerated) {
  const Parsed p = parse("/x?a=1&a=2&&flag&=orphan&b=c=d");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.query, (std::map<std::string, std::string>{{"a", "2"}, {"flag", ""}, {"b", "c=d"}}));
  EXPECT_TRUE(parse("/x?").status.ok());
  EXPECT_TRUE(parse("/x?").query.empty());
}

TEST(RouterParseTarget, IgnoresFragment) {
  const Parsed p = parse("/x?a=1#frag?b=2");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.path, "/x");
  EXPECT_EQ(p.query, (std::map<std::string, std::string>{{"a", "1"}}));
}

TEST(RouterParseTarget, RejectsMalformedEscapes) {
  for (const char* t : {"/%", "/%4", "/%zz", "/%g0", "/a%2", "/x?a=%", "/x?a=%4", "/x?%xy=1", "/x?a=1%"}) {
    const Parsed p = parse(t);
    EXPECT_FALSE(p.status.ok()) << t;
    EXPECT_EQ(p.status.where(), "http/target") << t;
    EXPECT_TRUE(p.path.empty()) << t;
    EXPECT_TRUE(p.query.empty()) << t;
  }
}

TEST(RouterParseTarget, RejectsNulRawOrDecoded) {
  EXPECT_FALSE(parse(std::string_view("/a\0b", 4)).status.ok());
  EXPECT_FALSE(parse("/a%00b").status.ok());
  EXPECT_FALSE(parse("/x?a=%00").status.ok());
  EXPECT_FALSE(parse("/x?%00=1").status.ok());
}

TEST(RouterParseTarget, RejectsTargetsNotStartingWithSlash) {
  EXPECT_FALSE(parse("").status.ok());
  EXPECT_FALSE(parse("*").status.ok());
  EXPECT_FALSE(parse("http://host/x").status.ok());
  EXPECT_FALSE(parse("x/y").status.ok());
  EXPECT_FALSE(parse("?a=1").status.ok());
}

TEST(RouterParseTarget, RejectsOverLongTargets) {
  std::string t = "/" + std::string(kMaxTargetBytes - 1, 'a');
  EXPECT_TRUE(parse(t).status.ok());
  t += "a";
  const Parsed p = parse(t);
  EXPECT_FALSE(p.status.ok());
  EXPECT_EQ(p.status.message(), "request target longer than 8 KiB");
}

TEST(RouterParseTarget, RejectsDotDotSegments) {
  EXPECT_FALSE(parse("/static/../etc/passwd").status.ok());
  EXPECT_FALSE(parse("/static/%2e%2E/x").status.ok());
  EXPECT_FALSE(parse("/..").status.ok());
  EXPECT_TRUE(parse("/a/..b/c.").status.ok());
  EXPECT_TRUE(parse("/x?p=../..").status.ok());  // only the path is a path
}

TEST(RouterPercentDecode, DecodesBothCases) {
  std::string out;
  ASSERT_TRUE(percent_decode("%41%6a%7E+", false, out));
  EXPECT_EQ(out, "Aj~+");
  ASSERT_TRUE(percent_decode("%41%6a%7E+", true, out));
  EXPECT_EQ(out, "Aj~ ");
}

// --- json_error -----------------------------------------------------------

TEST(WebJsonError, BuildsTheErrorShape) {
  const Response r = json_error(400, "bad_request", "field 'x' is not a number");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"bad_request","message":"field 'x' is not a number"}})");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_FALSE(r.event_stream);
}

TEST(WebJsonError, EscapesQuotesBackslashesAndControls) {
  const Response r = json_error(404, "not\"found", std::string("a\"b\\c\nd\te\x01\0", 11) + "</script>");
  EXPECT_EQ(r.body, R"({"error":{"code":"not\"found","message":"a\"b\\c\nd\te\u0001\u0000</script>"}})");
}

TEST(WebJsonError, ReplacesInvalidUtf8) {
  const Response r = json_error(400, "bad_request", "caf\xC3\xA9 \xFF\xC3 ok");
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"bad_request\",\"message\":\"caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD ok\"}}");
}

TEST(WebJsonError, ValidUtf8KeepsGoodSequencesAndRejectsBadOnes) {
  EXPECT_EQ(valid_utf8("a\xE2\x82\xAC\xF0\x9F\x98\x80z"), "a\xE2\x82\xAC\xF0\x9F\x98\x80z");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");              // overlong '/'
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80").size(), 12u);                      // > U+10FFFF
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");              // truncated
}

TEST(WebJsonError, JsonResponseSerializesValue) {
  boost::json::object o;
  o["alerts"] = boost::json::array{};
  o["total"] = 0;
  const Response r = json_response(201, o);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"alerts":[],"total":0})");
}

}  // namespace
}  // namespace hs::web
