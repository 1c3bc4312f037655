// The dashboard's static files, loaded into memory once at start (bounded), so
// serving them is a pure lookup with no file-system access per request.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "web/routes/http_types.h"

namespace hs::web {

class StaticFiles {
 public:
  // Loads regular files under `root` (no symlinks followed, at most 256 files
  // and 8 MiB in all). A missing root leaves the set empty.
  Status load(const std::string& root);
  // The file for `path` ("/" is "/index.html"), or nullopt.
  std::optional<Response> lookup(const std::string& path) const;
  std::size_t size() const { return files_.size(); }

  static std::string content_type_for(const std::string& path);

 private:
  struct File {
    std::string body;
    std::string content_type;
  };
  std::map<std::string, File> files_;
};

}  // namespace hs::web
