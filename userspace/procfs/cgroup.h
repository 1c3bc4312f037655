// /proc/<pid>/cgroup: which cgroup, container and systemd unit a process belongs to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hs::procfs {

inline constexpr std::size_t kContainerIdLen = 64;

struct CgroupInfo {
  std::string path;          // e.g. "/system.slice/nginx.service"; empty when nothing parsed
  std::string container_id;  // full 64 lowercase hex chars, or empty
  std::string systemd_unit;  // e.g. "nginx.service", or empty
};

// Picks the cgroup v2 line ("0::/..."); with v1-only hierarchies the name=systemd
// line, else the first well-formed line. Container ids are recognised in
// docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>[.scope], libpod-<id>.scope,
// "<runtime>:<id>" (containerd's systemd driver) and a bare <id> component
// (/docker/<id>, /kubepods/.../pod<uid>/<id>); the deepest match wins, conmon scopes
// are not containers. The systemd unit is the deepest *.service / *.scope component
// that is not a container scope. Malformed input yields an empty CgroupInfo.
CgroupInfo parse_cgroup(std::string_view text);

// The cgroup v2 id (as bpf_get_current_cgroup_id() reports it) is the inode number
// of the cgroup's directory. Rejects "..", NUL and non-directories.
std::optional<std::uint64_t> cgroup_id_for_path(const std::string& cgroup_fs_root, const std::string& path);

// Where the cgroup v2 hierarchy is mounted, from /proc/self/mounts text: the first
// "cgroup2" mount ("/sys/fs/cgroup" on pure v2 hosts, "/sys/fs/cgroup/unified" on
// hybrid ones). nullopt when there is none.
std::optional<std::string> cgroup2_mount_point(std::string_view mounts_text);

}  // namespace hs::procfs
