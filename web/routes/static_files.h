// The dashboard's static files, loaded into memory once at start (bounded), so
// serving them is a pure lookup with no file-system access per request. Each file
// carries a strong ETag and, for text types where it pays, a gzip copy made at load.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "web/routes/http_types.h"

namespace hs::web {

class StaticFiles {
 public:
  // Loads regular files under `root` (no symlinks followed, at most 256 files
  // and 8 MiB in all). A missing root leaves the set empty.
  Status load(const std::string& root);
  // The file for `path` ("/" is "/index.html") in identity encoding, or nullopt.
  std::optional<Response> lookup(const std::string& path) const;
  // Same, negotiated against the request: 304 when If-None-Match names the current
  // ETag, the gzip copy when Accept-Encoding allows it.
  std::optional<Response> lookup(const Request& req) const;
  std::size_t size() const { return files_.size(); }
  // Bytes served for `path` with or without gzip (0 when unknown): for tests and docs.
  std::size_t encoded_size(const std::string& path, bool gzip) const;

  static std::string content_type_for(const std::string& path);
  // True when an Accept-Encoding value admits gzip (by name or "*", q > 0).
  static bool accepts_gzip(std::string_view accept_encoding);
  // True when an If-None-Match value ("*" or a list of tags, weak or strong) names `etag`.
  static bool etag_matches(std::string_view if_none_match, std::string_view etag);

 private:
  struct File {
    std::string body;
    std::string gzip;  // empty when compression does not pay
    std::string content_type;
    std::string etag;  // quoted; the gzip copy is tagged etag + "-gz"
  };
  const File* find(const std::string& path) const;
  static Response make_response(const File& f, bool gzip, int status);

  std::map<std::string, File> files_;
};

// RFC 1952 gzip of `in` at the best compression level; empty on failure.
std::string gzip_compress(std::string_view in);

}  // namespace hs::web
