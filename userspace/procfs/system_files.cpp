#include "procfs/system_files.h"

#include <algorithm>
#include <array>
#include <optional>

#include "procfs/guard.h"
#include "procfs/text.h"

namespace hs::procfs {
namespace {

using text::next_line;
using text::next_token;

constexpr std::size_t kMaxDisks = 65536;
constexpr std::size_t kMaxDiskName = 255;

Status bad(const char* file, std::string msg) { return Status::error(std::string("procfs/") + file, std::move(msg)); }

// Parses the numeric fields after "cpu"/"cpuN"; fewer than 4 is malformed.
std::optional<CpuTimes> parse_cpu_fields(std::string_view rest) {
  std::array<std::uint64_t, 8> v{};
  std::size_t n = 0;
  for (std::string_view tok = next_token(rest); !tok.empty() && n < v.size(); tok = next_token(rest)) {
    auto x = text::parse_u64(tok);
    if (!x) return std::nullopt;
    v[n++] = *x;
  }
  if (n < 4) return std::nullopt;
  return CpuTimes{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view in) {
  return guarded("procfs/parse_proc_stat", [&]() -> Result<ProcStat> {
    ProcStat out;
    bool have_total = false;
    std::string_view line;
    while (next_line(in, line)) {
      std::string_view rest = line;
      std::string_view key = next_token(rest);
      if (key == "cpu") {
        if (have_total) return bad("stat", "duplicate cpu line");
        auto t = parse_cpu_fields(rest);
        if (!t) return bad("stat", "malformed cpu line");
        out.total = *t;
        have_total = true;
      } else if (text::starts_with(key, "cpu")) {
        auto idx = text::parse_u32(key.substr(3));
        if (!idx || *idx >= static_cast<std::uint32_t>(kMaxCpus)) return bad("stat", "malformed cpuN name");
        if (out.cores.size() >= static_cast<std::size_t>(kMaxCpus)) return bad("stat", "too many cpu lines");
        auto t = parse_cpu_fields(rest);
        if (!t) return bad("stat", "malformed cpuN line");
        out.cores.push_back(CoreTimes{static_cast<int>(*idx), *t});
      } else if (key == "ctxt") {
        auto v = text::parse_u64(next_token(rest));
        if (!v) return bad("stat", "malformed ctxt");
        out.ctxt = *v;
      } else if (key == "procs_running" || key == "procs_blocked") {
        auto v = text::parse_u32(next_token(rest));
        if (!v) return bad("stat", "malformed procs line");
        (key == "procs_running" ? out.procs_running : out.procs_blocked) = *v;
      }
    }
    if (!have_total) return bad("stat", "no aggregate cpu line");
    std::sort(out.cores.begin(), out.cores.end(), [](const CoreTimes& a, const CoreTimes& b) { return a.cpu < b.cpu; });
    auto dup = std::adjacent_find(out.cores.begin(), out.cores.end(),
                                  [](const CoreTimes& a, const CoreTimes& b) { return a.cpu == b.cpu; });
    if (dup != out.cores.end()) return bad("stat", "duplicate cpuN line");
    return out;
  });
}

Result<MemInfo> parse_meminfo(std::string_view in) {
  return guarded("procfs/parse_meminfo", [&]() -> Result<MemInfo> {
    struct Field {
      std::string_view key;
      std::uint64_t MemInfo::*member;
      bool seen;
    };
    std::array<Field, 7> fields{{{"MemTotal", &MemInfo::mem_total, false},
                                 {"MemFree", &MemInfo::mem_free, false},
                                 {"MemAvailable", &MemInfo::mem_available, false},
                                 {"Buffers", &MemInfo::buffers, false},
                                 {"Cached", &MemInfo::cached, false},
                                 {"SwapTotal", &MemInfo::swap_total, false},
                                 {"SwapFree", &MemInfo::swap_free, false}}};
    MemInfo out;
    std::string_view line;
    while (next_line(in, line)) {
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view key = line.substr(0, colon);
      auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.key == key; });
      if (f == fields.end()) continue;
      if (f->seen) return bad("meminfo", "duplicate " + std::string(key));
      std::string_view rest = line.substr(colon + 1);
      auto kib = text::parse_u64(next_token(rest));
      std::string_view unit = next_token(rest);
      if (!kib || unit != "kB" || !next_token(rest).empty()) return bad("meminfo", "malformed " + std::string(key));
      if (*kib > UINT64_MAX / 1024) return bad("meminfo", std::string(key) + " overflows bytes");
      out.*(f->member) = *kib * 1024;
      f->seen = true;
    }
    if (!fields[0].seen || !fields[1].seen) return bad("meminfo", "MemTotal or MemFree missing");
    out.has_mem_available = fields[2].seen;
    if (!out.has_mem_available) {
      // Pre-3.14 estimate; clamped so "used" can never go negative.
      out.mem_available = std::min(out.mem_total, text::sat_add(out.mem_free, text::sat_add(out.buffers, out.cached)));
    }
    return out;
  });
}

Result<LoadAvg> parse_loadavg(std::string_view in) {
  return guarded("procfs/parse_loadavg", [&]() -> Result<LoadAvg> {
    LoadAvg out;
    auto l1 = text::parse_nonneg_double(next_token(in));
    auto l5 = text::parse_nonneg_double(next_token(in));
    auto l15 = text::parse_nonneg_double(next_token(in));
    std::string_view tasks = next_token(in);
    std::size_t slash = tasks.find('/');
    if (!l1 || !l5 || !l15 || slash == std::string_view::npos) return bad("loadavg", "malformed");
    auto running = text::parse_u32(tasks.substr(0, slash));
    auto total = text::parse_u32(tasks.substr(slash + 1));
    if (!running || !total) return bad("loadavg", "malformed task counts");
    out.load1 = *l1;
    out.load5 = *l5;
    out.load15 = *l15;
    out.running = *running;
    out.total = *total;
    return out;
  });
}

namespace {

std::optional<PsiLine> parse_psi_line(std::string_view rest) {
  PsiLine out;
  unsigned seen = 0;
  for (std::string_view tok = next_token(rest); !tok.empty(); tok = next_token(rest)) {
    std::size_t eq = tok.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view k = tok.substr(0, eq), v = tok.substr(eq + 1);
    if (k == "total") {
      auto t = text::parse_u64(v);
      if (!t) return std::nullopt;
      out.total_us = *t;
      seen |= 8;
      continue;
    }
    auto d = text::parse_nonneg_double(v);
    if (!d || *d > 100.0) return std::nullopt;
    if (k == "avg10") {
      out.avg10 = *d, seen |= 1;
    } else if (k == "avg60") {
      out.avg60 = *d, seen |= 2;
    } else if (k == "avg300") {
      out.avg300 = *d, seen |= 4;
    }
  }
  if (seen != 15) return std::nullopt;
  return out;
}

}  // namespace

Result<Psi> parse_pressure(std::string_view in) {
  return guarded("procfs/parse_pressure", [&]() -> Result<Psi> {
    Psi out;
    bool have_some = false;
    std::string_view line;
    while (next_line(in, line)) {
      std::string_view rest = line;
      std::string_view kind = next_token(rest);
      if (kind != "some" && kind != "full") continue;
      bool some = kind == "some";
      if (some ? have_some : out.has_full) return bad("pressure", "duplicate line");
      auto l = parse_psi_line(rest);
      if (!l) return bad("pressure", "malformed line");
      (some ? out.some : out.full) = *l;
      (some ? have_some : out.has_full) = true;
    }
    if (!have_some) return bad("pressure", "no some line");
    out.available = true;
    return out;
  });
}

Result<std::vector<DiskStat>> parse_diskstats(std::string_view in) {
  return guarded("procfs/parse_diskstats", [&]() -> Result<std::vector<DiskStat>> {
    std::vector<DiskStat> out;
    std::string_view line;
    while (next_line(in, line)) {
      std::string_view rest = line;
      std::string_view major = next_token(rest);
      if (major.empty()) continue;  // blank line
      auto ma = text::parse_u32(major);
      auto mi = text::parse_u32(next_token(rest));
      std::string_view name = next_token(rest);
      if (!ma || !mi || name.empty() || name.size() > kMaxDiskName) return bad("diskstats", "malformed device");
      std::array<std::uint64_t, 11> v{};
      for (auto& x : v) {
        auto n = text::parse_u64(next_token(rest));
        if (!n) return bad("diskstats", "malformed counters for " + std::string(name));
        x = *n;
      }
      if (out.size() >= kMaxDisks) return bad("diskstats", "too many devices");
      DiskStat d;
      d.name = std::string(name);
      d.major = *ma;
      d.minor = *mi;
      d.reads = v[0];
      d.sectors_read = v[2];
      d.writes = v[4];
      d.sectors_written = v[6];
      d.io_ticks_ms = v[9];
      out.push_back(std::move(d));
    }
    std::sort(out.begin(), out.end(), [](const DiskStat& a, const DiskStat& b) { return a.name < b.name; });
    return out;
  });
}

}  // namespace hs::procfs
