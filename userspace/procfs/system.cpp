#include "procfs/system.h"

#include <algorithm>
#include <cerrno>
#include <exception>
#include <dirent.h>
#include <sys/stat.h>

#include "procfs/file_io.h"
#include "procfs/guard.h"
#include "procfs/text.h"

namespace hs::procfs {
namespace {

using text::delta;

struct CpuDelta {
  std::uint64_t busy = 0, steal = 0, iowait = 0, total = 0;
};

CpuDelta cpu_delta(const CpuTimes& a, const CpuTimes& b) {
  CpuDelta d;
  using text::sat_add;
  d.busy = sat_add(sat_add(sat_add(delta(a.user, b.user), delta(a.nice, b.nice)), delta(a.system, b.system)),
                   sat_add(delta(a.irq, b.irq), delta(a.softirq, b.softirq)));
  d.steal = delta(a.steal, b.steal);
  d.iowait = delta(a.iowait, b.iowait);
  d.total = sat_add(sat_add(d.busy, d.steal), sat_add(d.iowait, delta(a.idle, b.idle)));
  return d;
}

// part <= total. The ratio first: (100 * part) / total can round to just over 100
// when the two are equal and large; part / total cannot exceed 1.
double percent(std::uint64_t part, std::uint64_t total) {
  if (total == 0) return 0.0;
  return std::min(100.0, 100.0 * (static_cast<double>(part) / static_cast<double>(total)));
}

const CoreTimes* find_core(const std::vector<CoreTimes>& cores, int cpu) {
  auto it = std::lower_bound(cores.begin(), cores.end(), cpu, [](const CoreTimes& c, int v) { return c.cpu < v; });
  return it != cores.end() && it->cpu == cpu ? &*it : nullptr;
}

const DiskStat* find_disk(const std::vector<DiskStat>& disks, const std::string& name) {
  auto it = std::lower_bound(disks.begin(), disks.end(), name,
                             [](const DiskStat& d, const std::string& v) { return d.name < v; });
  return it != disks.end() && it->name == name ? &*it : nullptr;
}

bool dir_has_entries(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return false;
  bool any = false;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      any = true;
      break;
    }
  }
  ::closedir(d);
  return any;
}

bool is_missing(const Status& s) { return s.err() == ENOENT || s.err() == ENOTDIR || s.err() == EOPNOTSUPP; }

Result<Psi> read_pressure(const std::string& path) {
  auto raw = read_file(path);
  if (!raw) {
    if (is_missing(raw.status())) return Psi{};
    return raw.status();
  }
  return parse_pressure(*raw);
}

}  // namespace

bool is_whole_disk(const std::string& sys_root, std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('\0') != std::string_view::npos) return false;
  for (std::string_view virt : {"loop", "ram", "zram"}) {
    if (text::starts_with(name, virt)) return false;
  }
  // The kernel shows "cciss/c0d0" in diskstats but names the sysfs entry "cciss!c0d0".
  std::string sys_name(name);
  std::replace(sys_name.begin(), sys_name.end(), '/', '!');
  std::string dir = sys_root + "/block/" + sys_name;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  return !dir_has_entries(dir + "/slaves");
}

SystemReader::SystemReader(std::string proc_root, std::string sys_root)
    : proc_root_(std::move(proc_root)), sys_root_(std::move(sys_root)) {}

Result<SystemSnapshot> SystemReader::read(std::int64_t mono_ns) const {
  return guarded("procfs/system", [&]() -> Result<SystemSnapshot> {
    SystemSnapshot snap;
    snap.mono_ns = mono_ns;

    auto stat_raw = read_file(proc_root_ + "/stat");
    if (!stat_raw) return stat_raw.status();
    auto stat = parse_proc_stat(*stat_raw);
    if (!stat) return stat.status();
    snap.stat = std::move(*stat);

    auto mem_raw = read_file(proc_root_ + "/meminfo");
    if (!mem_raw) return mem_raw.status();
    auto mem = parse_meminfo(*mem_raw);
    if (!mem) return mem.status();
    snap.mem = *mem;

    auto load_raw = read_file(proc_root_ + "/loadavg");
    if (!load_raw) return load_raw.status();
    auto load = parse_loadavg(*load_raw);
    if (!load) return load.status();
    snap.load = *load;

    struct {
      const char* file;
      Psi* out;
    } psi[] = {{"cpu", &snap.psi_cpu}, {"memory", &snap.psi_memory}, {"io", &snap.psi_io}};
    for (auto& p : psi) {
      auto r = read_pressure(proc_root_ + "/pressure/" + p.file);
      if (!r) return r.status();
      *p.out = *r;
    }

    auto disk_raw = read_file(proc_root_ + "/diskstats");
    if (!disk_raw && !is_missing(disk_raw.status())) return disk_raw.status();
    if (disk_raw) {
      auto disks = parse_diskstats(*disk_raw);
      if (!disks) return disks.status();
      snap.disks = std::move(*disks);
      for (auto& d : snap.disks) d.whole_disk = is_whole_disk(sys_root_, d.name);
    }
    return snap;
  });
}

SystemMetrics derive(const SystemSnapshot& prev, const SystemSnapshot& cur) {
  SystemMetrics m;
  CpuDelta all = cpu_delta(prev.stat.total, cur.stat.total);
  m.cpu_percent = percent(all.busy, all.total);
  m.steal_percent = percent(all.steal, all.total);
  m.iowait_percent = percent(all.iowait, all.total);

  try {
    m.cores.reserve(cur.stat.cores.size());
    for (const CoreTimes& c : cur.stat.cores) {
      // A core that just came online has no previous sample: compare it with itself (0 %).
      const CoreTimes* p = find_core(prev.stat.cores, c.cpu);
      CpuDelta d = cpu_delta(p ? p->times : c.times, c.times);
      m.cores.push_back(CoreUsage{c.cpu, percent(d.busy, d.total), percent(d.steal, d.total)});
    }
  } catch (const std::exception&) {
    m.cores.clear();  // out of memory: the aggregate figures are still right
  }

  const MemInfo& mem = cur.mem;
  m.mem_total_bytes = mem.mem_total;
  m.mem_available_bytes = mem.mem_available;
  m.mem_used_bytes = delta(mem.mem_available, mem.mem_total);
  m.swap_total_bytes = mem.swap_total;
  m.swap_used_bytes = delta(mem.swap_free, mem.swap_total);

  m.load1 = cur.load.load1;
  m.load5 = cur.load.load5;
  m.load15 = cur.load.load15;

  m.psi_available = cur.psi_cpu.available && cur.psi_memory.available && cur.psi_io.available;
  m.psi_cpu_some = cur.psi_cpu.some.avg10;
  m.psi_mem_some = cur.psi_memory.some.avg10;
  m.psi_mem_full = cur.psi_memory.full.avg10;
  m.psi_io_some = cur.psi_io.some.avg10;
  m.psi_io_full = cur.psi_io.full.avg10;

  std::uint64_t read_sectors = 0, write_sectors = 0, d_read = 0, d_write = 0;
  for (const DiskStat& d : cur.disks) {
    if (!d.whole_disk) continue;
    read_sectors = text::sat_add(read_sectors, d.sectors_read);
    write_sectors = text::sat_add(write_sectors, d.sectors_written);
    // Per-device deltas, so a disk appearing or vanishing does not look like a burst or a reset.
    if (const DiskStat* p = find_disk(prev.disks, d.name)) {
      d_read = text::sat_add(d_read, delta(p->sectors_read, d.sectors_read));
      d_write = text::sat_add(d_write, delta(p->sectors_written, d.sectors_written));
    }
  }
  m.disk_read_bytes = text::sat_mul(read_sectors, kSectorBytes);
  m.disk_write_bytes = text::sat_mul(write_sectors, kSectorBytes);
  if (cur.mono_ns > prev.mono_ns) {
    // In double: the int64 difference of two hostile timestamps could overflow.
    double secs = (static_cast<double>(cur.mono_ns) - static_cast<double>(prev.mono_ns)) / 1e9;
    m.disk_read_bytes_per_s = static_cast<double>(d_read) * static_cast<double>(kSectorBytes) / secs;
    m.disk_write_bytes_per_s = static_cast<double>(d_write) * static_cast<double>(kSectorBytes) / secs;
  }

  m.context_switches = cur.stat.ctxt;
  m.procs_running = cur.stat.procs_running;
  m.procs_blocked = cur.stat.procs_blocked;
  return m;
}

}  // namespace hs::procfs
