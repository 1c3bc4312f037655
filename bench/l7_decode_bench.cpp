// The daemon's userspace cost per captured L7 exchange: ConnectionTable::decode
// (protocol decoders, readings) and MonitoringEngine::ingest_l7, on synthetic
// records shaped like what redis-benchmark, pgbench and an HTTP client produce,
// both sides of each connection (client and server processes), with the two
// ends on different hosts (each decoded) or on this one (decoded once, see
// ConnectionTable).
//
//   build/bench/l7_decode_bench [exchanges per workload, default 200000] [name filter]
//
// Prints ns per exchange and per operation for decode alone and decode + ingest,
// with capture_literals off (the default) and on, fastest of 5 runs. No root,
// no kernel.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/l7_record.h"
#include "l7/connection_table.h"
#include "monitoring/monitoring_engine.h"

namespace {

using hs::protocols::L7Reading;

class Inspector final : public hs::monitoring::ProcessInspector {
 public:
  std::optional<hs::monitoring::ProcessMeta> inspect(std::uint32_t pid) override {
    hs::monitoring::ProcessMeta m;
    m.pid = pid;
    m.comm = pid == 100 ? "client" : "server";
    m.start_time_ticks = 1;
    return m;
  }
  bool alive(std::uint32_t, std::uint64_t) override { return true; }
};

struct Workload {
  const char* name;
  std::uint8_t protocol;
  std::string request;
  std::string response;
  int ops_per_exchange;
};

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string pg_message(char type, const std::string& body) {
  std::string m(1, type);
  auto len = static_cast<std::uint32_t>(body.size() + 4);
  for (int shift = 24; shift >= 0; shift -= 8) m += static_cast<char>((len >> shift) & 0xff);
  return m + body;
}

std::vector<Workload> workloads() {
  const std::string set = "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n";
  const std::string get = "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n";
  const std::string pg_query = pg_message('Q', std::string("SELECT abalance FROM pgbench_accounts WHERE aid = 4711;") + '\0');
  const std::string pg_reply = pg_message('T', std::string(30, 'r')) + pg_message('D', std::string(12, 'd')) +
                               pg_message('C', std::string("SELECT 1") + '\0') + pg_message('Z', "I");
  return {
      {"redis SET -P 1", HS_L7_REDIS, set, "+OK\r\n", 1},
      {"redis GET -P 1", HS_L7_REDIS, get, "$3\r\nxxx\r\n", 1},
      {"redis SET -P 16", HS_L7_REDIS, repeat(set, 16), repeat("+OK\r\n", 16).substr(0, HS_L7_RESP_MAX), 16},
      {"redis GET -P 16", HS_L7_REDIS, repeat(get, 16), repeat("$3\r\nxxx\r\n", 16).substr(0, HS_L7_RESP_MAX), 16},
      {"pgbench -S (simple)", HS_L7_POSTGRESQL, pg_query, pg_reply, 1},
      {"http GET keep-alive", HS_L7_HTTP, "GET /items/12345 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n",
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1},
  };
}

// A record of connection `pair`'s client or server end; on one host, both ends
// name the same client port.
hs_l7_record record_for(const Workload& w, std::uint64_t pair, bool server, bool one_host) {
  hs_l7_record rec{};
  const std::uint64_t conn = (server ? 5000 : 1000) + pair;
  rec.conn_id = conn;
  rec.role = server ? HS_NET_ROLE_SERVER : HS_NET_ROLE_CLIENT;
  rec.protocol = w.protocol;
  rec.family = HS_AF_INET;
  rec.port = 6379;
  rec.client_port = one_host ? static_cast<std::uint16_t>(40000 + pair) : 0;
  rec.addr[0] = 127;
  rec.addr[3] = 1;
  rec.tgid = server ? 200 : 100;
  rec.tid = rec.tgid;
  rec.req_bytes = w.request.size();
  rec.resp_bytes = static_cast<std::uint32_t>(w.response.size());
  hs::l7_record_fill(rec, w.request, w.response);
  return rec;
}

struct Result {
  double decode_ns = 0;  // per exchange
  double total_ns = 0;   // per exchange, decode + ingest
};

// Feeds `n` exchanges over 50 connections, both sides, in batches like the daemon's.
Result run(const Workload& w, std::size_t n, bool literals, bool one_host) {
  constexpr std::uint64_t kConns = 50;
  constexpr std::size_t kBatch = 4096;
  std::vector<hs_l7_record> recs;
  for (std::uint64_t c = 0; c < kConns; ++c) {
    recs.push_back(record_for(w, c, false, one_host));
    recs.push_back(record_for(w, c, true, one_host));
  }
  hs::FakeClock clock;
  Inspector inspector;
  hs::monitoring::EngineSettings settings;
  settings.capture_literals = literals;
  hs::monitoring::MonitoringEngine engine(clock, inspector, settings);
  hs::l7::ConnectionTable table;
  table.set_keep_texts(literals);
  std::vector<L7Reading> batch;
  std::chrono::nanoseconds decode{0}, ingest{0};
  std::uint64_t t = 1'000'000;
  for (std::size_t done = 0; done < n;) {
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < kBatch && done < n; ++i, ++done) {
      hs_l7_record& rec = recs[done % recs.size()];
      rec.req_ns = t;
      rec.resp_ns = t + 20'000 + (done % 7) * 3'000;
      t += 1'000;
      table.decode(rec, hs::l7_request(rec), hs::l7_response(rec), t, batch);
    }
    auto t1 = std::chrono::steady_clock::now();
    engine.ingest_l7(batch);
    auto t2 = std::chrono::steady_clock::now();
    batch.clear();
    decode += t1 - t0;
    ingest += t2 - t1;
  }
  return {static_cast<double>(decode.count()) / static_cast<double>(n),
          static_cast<double>((decode + ingest).count()) / static_cast<double>(n)};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  if (n == 0) n = 200'000;
  const char* only = argc > 2 ? argv[2] : "";  // a part of the workload names to run
  std::printf("| workload | literals | ends | decode ns/exchange | decode+ingest ns/exchange | ns/operation |\n");
  std::printf("|---|---|---|---:|---:|---:|\n");
  for (const Workload& w : workloads()) {
    if (!std::strstr(w.name, only)) continue;
    for (bool literals : {false, true}) {
      for (bool one_host : {false, true}) {
        // Fastest of 5: this is about the code's cost, not the machine's noise.
        Result r = run(w, n, literals, one_host);
        for (int rep = 1; rep < 5; ++rep) {
          Result again = run(w, n, literals, one_host);
          if (again.total_ns < r.total_ns) r = again;
        }
        std::printf("| %s | %s | %s | %.0f | %.0f | %.0f |\n", w.name, literals ? "on" : "off",
                    one_host ? "one host" : "two hosts", r.decode_ns, r.total_ns, r.total_ns / w.ops_per_exchange);
      }
    }
  }
  return 0;
}
