// StaticFiles: content types, strong ETags with 304 revalidation, gzip copies
// chosen by Accept-Encoding, and what the Api serves without a token.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "route_fakes.h"
#include "web/routes/static_files.h"

namespace hs::web {
namespace {

namespace fs = std::filesystem;

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - zs.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("hs-static-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "js");
    js_.clear();
    for (int i = 0; i < 200; ++i) js_ += "export const value" + std::to_string(i) + " = " + std::to_string(i) + ";\n";
    write("index.html", "<!doctype html><title>x</title>");
    write("js/app.js", js_);
    write("style.css", std::string(2000, ' ') + "body{}");
    write(".gitignore", "*\n");
    ASSERT_TRUE(files_.load(root_.string()).ok());
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& body) { std::ofstream(root_ / rel, std::ios::binary) << body; }

  Request get(const std::string& path, std::map<std::string, std::string> headers = {}) {
    Request r;
    r.method = "GET";
    r.path = path;
    r.headers = std::move(headers);
    return r;
  }

  fs::path root_;
  std::string js_;
  StaticFiles files_;
};

TEST_F(StaticFilesTest, ServesIndexAtRootWithTypesAndNoDotfiles) {
  EXPECT_EQ(files_.size(), 3u);
  auto index = files_.lookup(get("/"));
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->body, "<!doctype html><title>x</title>");
  EXPECT_EQ(header(*index, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(*index, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(files_.lookup(get("/js/app.js"))->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files_.lookup(get("/style.css"))->content_type, "text/css; charset=utf-8");
  EXPECT_FALSE(files_.lookup(get("/.gitignore")));
  EXPECT_FALSE(files_.lookup(get("/missing.js")));
}

TEST_F(StaticFilesTest, GzipOnlyWhenAcceptedAndWorthIt) {
  auto plain = files_.lookup(get("/js/app.js"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body, js_);
  EXPECT_EQ(header(*plain, "Content-Encoding"), "");
  EXPECT_EQ(header(*plain, "Vary"), "Accept-Encoding");

  auto gz = files_.lookup(get("/js/app.js", {{"accept-encoding", "gzip, deflate, br"}}));
  ASSERT_TRUE(gz);
  EXPECT_EQ(header(*gz, "Content-Encoding"), "gzip");
  EXPECT_LT(gz->body.size(), js_.size() / 3);
  EXPECT_EQ(gunzip(gz->body), js_);
  EXPECT_EQ(files_.encoded_size("/js/app.js", true), gz->body.size());
  EXPECT_NE(header(*gz, "ETag"), header(*plain, "ETag"));  // two representations, two tags

  // gzip refused explicitly, or not offered: identity.
  EXPECT_EQ(header(*files_.lookup(get("/js/app.js", {{"accept-encoding", "gzip;q=0, *"}})), "Content-Encoding"), "");
  EXPECT_EQ(header(*files_.lookup(get("/js/app.js", {{"accept-encoding", "br"}})), "Content-Encoding"), "");
  // A tiny file is never compressed, and says nothing about Vary.
  auto small = files_.lookup(get("/", {{"accept-encoding", "gzip"}}));
  EXPECT_EQ(header(*small, "Content-Encoding"), "");
  EXPECT_EQ(header(*small, "Vary"), "");
}

TEST_F(StaticFilesTest, AcceptEncodingParsing) {
  EXPECT_TRUE(StaticFiles::accepts_gzip("gzip"));
  EXPECT_TRUE(StaticFiles::accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(StaticFiles::accepts_gzip("*"));
  EXPECT_TRUE(StaticFiles::accepts_gzip("x-gzip"));
  EXPECT_FALSE(StaticFiles::accepts_gzip(""));
  EXPECT_FALSE(StaticFiles::accepts_gzip("identity"));
  EXPECT_FALSE(StaticFiles::accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(StaticFiles::accepts_gzip("*;q=0"));
  EXPECT_FALSE(StaticFiles::accepts_gzip("gzip;q=0, *;q=1"));
  EXPECT_FALSE(StaticFiles::accepts_gzip("gzip;q=zz"));
}

TEST_F(StaticFilesTest, IfNoneMatchGives304ForTheSameRepresentationOnly) {
  auto plain = files_.lookup(get("/js/app.js"));
  const std::string tag = header(*plain, "ETag");
  ASSERT_EQ(tag.front(), '"');
  auto again = files_.lookup(get("/js/app.js", {{"if-none-match", tag}}));
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(header(*again, "ETag"), tag);
  EXPECT_EQ(files_.lookup(get("/js/app.js", {{"if-none-match", "\"other\", W/" + tag}}))->status, 304);
  EXPECT_EQ(files_.lookup(get("/js/app.js", {{"if-none-match", "*"}}))->status, 304);
  EXPECT_EQ(files_.lookup(get("/js/app.js", {{"if-none-match", "\"other\""}}))->status, 200);
  // The identity tag does not validate the gzip copy.
  auto gz = files_.lookup(get("/js/app.js", {{"accept-encoding", "gzip"}, {"if-none-match", tag}}));
  EXPECT_EQ(gz->status, 200);
  auto gz304 = files_.lookup(get("/js/app.js", {{"accept-encoding", "gzip"}, {"if-none-match", header(*gz, "ETag")}}));
  EXPECT_EQ(gz304->status, 304);
}

TEST_F(StaticFilesTest, ChangedContentChangesTheTag) {
  const std::string before = header(*files_.lookup(get("/js/app.js")), "ETag");
  write("js/app.js", js_ + "// edited\n");
  ASSERT_TRUE(files_.load(root_.string()).ok());
  EXPECT_NE(header(*files_.lookup(get("/js/app.js")), "ETag"), before);
}

TEST_F(StaticFilesTest, MissingRootIsEmptyNotAnError) {
  StaticFiles none;
  EXPECT_TRUE(none.load((root_ / "absent").string()).ok());
  EXPECT_EQ(none.size(), 0u);
}

TEST(StaticFilesApi, ApiServesFilesWithoutATokenAndNegotiates) {
  const fs::path root = fs::temp_directory_path() / ("hs-static-api-" + std::to_string(::getpid()));
  fs::create_directories(root);
  std::ofstream(root / "app.js") << std::string(4000, 'a');
  test::ApiHarness h;
  StaticFiles files;
  ASSERT_TRUE(files.load(root.string()).ok());
  h.ctx.static_files = &files;
  Request r;
  r.method = "GET";
  r.path = "/app.js";
  r.headers["accept-encoding"] = "gzip";
  Response res = h.api.handle(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(header(res, "Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(res.body), std::string(4000, 'a'));
  r.headers["if-none-match"] = header(res, "ETag");
  EXPECT_EQ(h.api.handle(r).status, 304);
  fs::remove_all(root);
}

}  // namespace
}  // namespace hs::web
