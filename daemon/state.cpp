#include "daemon/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace hs::daemon {
namespace {

constexpr const char* kConfigKey = "monitoring_config";

Status write_secret(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::error("state/token-file", tmp + ": " + std::strerror(errno), errno);
  std::string data = content + "\n";
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::fchmod(fd, 0600);
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::error("state/token-file", path + ": " + std::strerror(errno), errno);
  return {};
}

}  // namespace

Status ensure_state_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error("state/dir", dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return {};
}

Status Tokens::bootstrap(const std::string& state_dir) {
  for (auto scope : {storage::Scope::admin, storage::Scope::viewer}) {
    auto n = db_.count_tokens(scope);
    if (!n.ok()) return n.status();
    std::string file = state_dir + "/" + std::string(storage::scope_name(scope)) + ".token";
    if (n.value() > 0 && std::filesystem::exists(file)) continue;
    std::string token = storage::generate_token();
    if (Status st = db_.add_token(token, scope, "bootstrap"); !st.ok()) return st;
    if (Status st = write_secret(file, token); !st.ok()) return st;
    spdlog::info("wrote a new {} token to {}", storage::scope_name(scope), file);
  }
  return {};
}

web::Scope Tokens::scope_of(std::string_view token) {
  if (token.empty() || token.size() > 256) return web::Scope::none;
  auto found = db_.find_token(token);
  if (!found.ok() || !found.value()) return web::Scope::none;
  return *found.value() == storage::Scope::admin ? web::Scope::admin : web::Scope::viewer;
}

Result<config::MonitoringConfig> load_persisted_config(storage::StateDb& db, const config::MonitoringConfig& base) {
  auto raw = db.get_setting(kConfigKey);
  if (!raw.ok()) return raw.status();
  if (!raw.value()) return base;
  auto parsed = config::monitoring_config_from_json(base, *raw.value());
  if (auto* err = std::get_if<config::FieldError>(&parsed)) {
    // A stored config that no longer validates is ignored, loudly, not fatal.
    spdlog::warn("ignoring persisted monitoring config ({}: {})", err->field, err->message);
    return base;
  }
  return std::get<config::MonitoringConfig>(parsed);
}

Status persist_config(storage::StateDb& db, const config::MonitoringConfig& cfg) {
  return db.put_setting(kConfigKey, boost::json::serialize(config::to_json(cfg)));
}

}  // namespace hs::daemon
