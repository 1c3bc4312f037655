#include "web/routes/static_files.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hs::web {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxFiles = 256;
constexpr std::uintmax_t kMaxTotalBytes = 8u << 20;
// Below this, gzip's header and the extra round of negotiation buy nothing.
constexpr std::size_t kMinCompressBytes = 256;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool compressible(std::string_view content_type) {
  return content_type.rfind("text/", 0) == 0 || content_type.rfind("application/json", 0) == 0 ||
         content_type.rfind("image/svg+xml", 0) == 0;
}

// FNV-1a over the bytes: a content hash is all a strong validator needs here.
std::string etag_of(std::string_view body) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"", static_cast<unsigned long long>(h), body.size());
  return buf;
}

std::string gz_tag(const std::string& etag) { return etag.substr(0, etag.size() - 1) + "-gz\""; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Calls f(item) for each comma-separated, trimmed, non-empty item.
template <typename F>
void for_each_item(std::string_view list, F&& f) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// The q value of one Accept-Encoding item ("gzip;q=0.5"); 1 when absent, 0 when malformed.
double q_value(std::string_view params) {
  double q = 1.0;
  for (std::size_t semi; !params.empty();) {
    semi = params.find(';');
    std::string_view p = trim(params.substr(0, semi));
    if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      try {
        q = std::stod(std::string(p.substr(2)));
      } catch (...) {
        q = 0;
      }
    }
    if (semi == std::string_view::npos) break;
    params.remove_prefix(semi + 1);
  }
  return q;
}

}  // namespace

std::string gzip_compress(std::string_view in) {
  z_stream zs{};
  // windowBits 15 + 16 asks zlib for the gzip wrapper instead of zlib's own.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

std::string StaticFiles::content_type_for(const std::string& path) {
  if (ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".js") || ends_with(path, ".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(path, ".css")) return "text/css; charset=utf-8";
  if (ends_with(path, ".svg")) return "image/svg+xml";
  if (ends_with(path, ".png")) return "image/png";
  if (ends_with(path, ".json")) return "application/json";
  if (ends_with(path, ".ico")) return "image/x-icon";
  if (ends_with(path, ".txt") || ends_with(path, ".md")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool StaticFiles::accepts_gzip(std::string_view accept_encoding) {
  bool gzip_named = false, gzip_ok = false, star_ok = false;
  for_each_item(accept_encoding, [&](std::string_view item) {
    std::size_t semi = item.find(';');
    std::string_view name = trim(item.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : q_value(item.substr(semi + 1));
    if (iequals(name, "gzip") || iequals(name, "x-gzip")) {
      gzip_named = true;
      gzip_ok = gzip_ok || q > 0;
    } else if (name == "*") {
      star_ok = q > 0;
    }
  });
  // An explicit "gzip;q=0" wins over "*".
  return gzip_named ? gzip_ok : star_ok;
}

bool StaticFiles::etag_matches(std::string_view if_none_match, std::string_view etag) {
  bool match = false;
  for_each_item(if_none_match, [&](std::string_view tag) {
    if (tag == "*") match = true;
    if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);  // If-None-Match uses the weak comparison
    if (tag == etag) match = true;
  });
  return match;
}

Status StaticFiles::load(const std::string& root) {
  files_.clear();
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return {};
  std::uintmax_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    std::string rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    // Dotfiles (.gitignore and the like) are repository plumbing, not dashboard assets.
    if (rel.find("/.") != std::string::npos) continue;
    if (files_.size() >= kMaxFiles) return Status::error("static", "more than 256 files under " + root);
    total += it->file_size(ec);
    if (total > kMaxTotalBytes) return Status::error("static", "more than 8 MiB under " + root);
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    File f{body.str(), {}, content_type_for(rel), {}};
    f.etag = etag_of(f.body);
    if (compressible(f.content_type) && f.body.size() >= kMinCompressBytes) {
      std::string gz = gzip_compress(f.body);
      if (!gz.empty() && gz.size() < f.body.size()) f.gzip = std::move(gz);
    }
    files_[rel] = std::move(f);
  }
  if (ec) return Status::error("static", root + ": " + ec.message());
  return {};
}

const StaticFiles::File* StaticFiles::find(const std::string& path) const {
  auto it = files_.find(path == "/" ? "/index.html" : path);
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticFiles::make_response(const File& f, bool gzip, int status) {
  Response r;
  r.status = status;
  r.content_type = f.content_type;
  if (status == 200) r.body = gzip ? f.gzip : f.body;
  // Revalidate every time (a new daemon's UI shows at once); the ETag makes that a 304.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", gzip ? gz_tag(f.etag) : f.etag);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  if (!f.gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  return r;
}

std::optional<Response> StaticFiles::lookup(const std::string& path) const {
  const File* f = find(path);
  if (!f) return std::nullopt;
  return make_response(*f, false, 200);
}

std::optional<Response> StaticFiles::lookup(const Request& req) const {
  const File* f = find(req.path);
  if (!f) return std::nullopt;
  const bool gzip = !f->gzip.empty() && accepts_gzip(req.header("accept-encoding"));
  const std::string etag = gzip ? gz_tag(f->etag) : f->etag;
  const std::string& inm = req.header("if-none-match");
  if (!inm.empty() && etag_matches(inm, etag)) return make_response(*f, gzip, 304);
  return make_response(*f, gzip, 200);
}

std::size_t StaticFiles::encoded_size(const std::string& path, bool gzip) const {
  const File* f = find(path);
  if (!f) return 0;
  return gzip && !f->gzip.empty() ? f->gzip.size() : f->body.size();
}

}  // namespace hs::web
