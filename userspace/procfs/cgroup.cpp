#include "procfs/cgroup.h"

#include <array>
#include <exception>
#include <sys/stat.h>

#include "procfs/text.h"

namespace hs::procfs {
namespace {

constexpr std::size_t kMaxCgroupPath = 4096;  // PATH_MAX: a longer path is not a real cgroup

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_container_id(std::string_view s) {
  if (s.size() != kContainerIdLen) return false;
  for (char c : s) {
    if (!is_hex(c)) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The container id named by one path component, or empty.
std::string_view container_id_of(std::string_view comp) {
  static constexpr std::array<std::string_view, 5> kPrefixes{"", "docker-", "cri-containerd-", "crio-", "libpod-"};
  static constexpr std::array<std::string_view, 3> kRuntimes{"cri-containerd", "docker", "crio"};
  std::string_view body = comp;
  if (text::ends_with(body, ".scope")) body.remove_suffix(6);
  for (std::string_view p : kPrefixes) {
    if (text::starts_with(body, p) && is_container_id(body.substr(p.size()))) return body.substr(p.size());
  }
  // containerd/cri-o with the systemd driver: "kubepods-besteffort-pod<uid>.slice:cri-containerd:<id>".
  std::size_t last = comp.rfind(':');
  if (last != std::string_view::npos) {
    std::string_view head = comp.substr(0, last);
    std::size_t prev = head.rfind(':');
    std::string_view runtime = prev == std::string_view::npos ? head : head.substr(prev + 1);
    std::string_view id = comp.substr(last + 1);
    for (std::string_view r : kRuntimes) {
      if (runtime == r && is_container_id(id)) return id;
    }
  }
  return {};
}

bool is_unit(std::string_view comp) {
  return text::ends_with(comp, ".service") || text::ends_with(comp, ".scope");
}

// Splits "hierarchy-id:controllers:path"; the path itself may contain ':'.
bool split_line(std::string_view line, std::string_view& id, std::string_view& controllers, std::string_view& path) {
  std::size_t c1 = line.find(':');
  if (c1 == std::string_view::npos) return false;
  std::size_t c2 = line.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  id = line.substr(0, c1);
  controllers = line.substr(c1 + 1, c2 - c1 - 1);
  path = line.substr(c2 + 1);
  return text::parse_u32(id).has_value() && !path.empty() && path.front() == '/' && path.size() <= kMaxCgroupPath;
}

bool has_controller(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

CgroupInfo parse_cgroup(std::string_view in) {
  std::string_view chosen, first, systemd;
  std::string_view line;
  while (text::next_line(in, line)) {
    std::string_view id, controllers, path;
    if (!split_line(line, id, controllers, path)) continue;
    if (id == "0" && controllers.empty()) {
      chosen = path;
      break;
    }
    if (first.empty()) first = path;
    if (systemd.empty() && has_controller(controllers, "name=systemd")) systemd = path;
  }
  if (chosen.empty()) chosen = !systemd.empty() ? systemd : first;

  CgroupInfo info;
  if (chosen.empty()) return info;
  try {
    info.path = std::string(chosen);
    // Walk components deepest first.
    std::string_view rest = chosen;
    while (!rest.empty() && (info.container_id.empty() || info.systemd_unit.empty())) {
      std::size_t slash = rest.rfind('/');
      std::string_view comp = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(0, slash);
      if (comp.empty()) continue;
      std::string_view cid = container_id_of(comp);
      if (!cid.empty()) {
        if (info.container_id.empty()) info.container_id = lower(cid);
      } else if (info.systemd_unit.empty() && is_unit(comp)) {
        info.systemd_unit = std::string(comp);
      }
    }
  } catch (const std::exception&) {
    return CgroupInfo{};
  }
  return info;
}

std::optional<std::uint64_t> cgroup_id_for_path(const std::string& cgroup_fs_root, const std::string& path) {
  if (path.size() > kMaxCgroupPath || path.find('\0') != std::string::npos ||
      cgroup_fs_root.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = path;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    if (rest.substr(0, slash) == "..") return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  try {
    std::string full = cgroup_fs_root;
    if (!path.empty() && path.front() != '/') full += '/';
    full += path;
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
    return static_cast<std::uint64_t>(st.st_ino);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> cgroup2_mount_point(std::string_view mounts_text) {
  // Each line: device mountpoint fstype options dump pass (octal escapes in the path).
  while (!mounts_text.empty()) {
    std::size_t nl = mounts_text.find('\n');
    std::string_view line = mounts_text.substr(0, nl);
    mounts_text = nl == std::string_view::npos ? std::string_view{} : mounts_text.substr(nl + 1);
    std::size_t a = line.find(' ');
    if (a == std::string_view::npos) continue;
    std::size_t b = line.find(' ', a + 1);
    if (b == std::string_view::npos) continue;
    std::size_t c = line.find(' ', b + 1);
    std::string_view fstype = line.substr(b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1);
    std::string_view mount = line.substr(a + 1, b - a - 1);
    if (fstype == "cgroup2" && !mount.empty() && mount.front() == '/' && mount.find('\\') == std::string_view::npos)
      return std::string(mount);
  }
  return std::nullopt;
}

}  // namespace hs::procfs
