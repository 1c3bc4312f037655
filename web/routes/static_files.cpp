#include "web/routes/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hs::web {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxFiles = 256;
constexpr std::uintmax_t kMaxTotalBytes = 8u << 20;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string StaticFiles::content_type_for(const std::string& path) {
  if (ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".js") || ends_with(path, ".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(path, ".css")) return "text/css; charset=utf-8";
  if (ends_with(path, ".svg")) return "image/svg+xml";
  if (ends_with(path, ".png")) return "image/png";
  if (ends_with(path, ".json")) return "application/json";
  if (ends_with(path, ".ico")) return "image/x-icon";
  return "application/octet-stream";
}

Status StaticFiles::load(const std::string& root) {
  files_.clear();
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return {};
  std::uintmax_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (files_.size() >= kMaxFiles) return Status::error("static", "more than 256 files under " + root);
    total += it->file_size(ec);
    if (total > kMaxTotalBytes) return Status::error("static", "more than 8 MiB under " + root);
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    std::string rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    files_[rel] = File{body.str(), content_type_for(rel)};
  }
  if (ec) return Status::error("static", root + ": " + ec.message());
  return {};
}

std::optional<Response> StaticFiles::lookup(const std::string& path) const {
  auto it = files_.find(path == "/" ? "/index.html" : path);
  if (it == files_.end()) return std::nullopt;
  Response r;
  r.content_type = it->second.content_type;
  r.body = it->second.body;
  // index.html must be revalidated so a new daemon's UI shows at once; assets are small.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  return r;
}

}  // namespace hs::web
