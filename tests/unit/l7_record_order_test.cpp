// The order in which records of several per-CPU rings are handed on.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/l7_record.h"
#include "common/l7_record_order.h"

namespace hs {
namespace {

struct Handed {
  std::uint64_t conn_id;
  std::uint64_t resp_ns;
  std::string request;
  std::string response;
};

// Adds a record of connection `conn` answered at resp_ns, its request naming it.
void add(L7RecordOrder& order, std::uint64_t conn, std::uint64_t resp_ns, const std::string& request,
         const std::string& response = "+OK\r\n") {
  hs_l7_record rec{};
  rec.conn_id = conn;
  rec.req_ns = resp_ns - 10;
  rec.resp_ns = resp_ns;
  std::size_t size = l7_record_fill(rec, request, response);
  ASSERT_TRUE(l7_record_valid(&rec, size));
  order.add(rec, size);
}

std::vector<Handed> release(L7RecordOrder& order, std::uint64_t cutoff) {
  std::vector<Handed> out;
  order.release(cutoff, [&](const hs_l7_record& r) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&r) % alignof(hs_l7_record), 0u);
    out.push_back({r.conn_id, r.resp_ns, std::string(l7_request(r)), std::string(l7_response(r))});
  });
  return out;
}

std::vector<std::uint64_t> times(const std::vector<Handed>& h) {
  std::vector<std::uint64_t> t;
  for (const auto& x : h) t.push_back(x.resp_ns);
  return t;
}

// Two rings read one after the other: the second ring's records interleave with
// the first's by response time, as the kernel emitted them.
TEST(L7RecordOrderTest, RecordsOfTwoRingsComeOutInResponseOrder) {
  L7RecordOrder order;
  add(order, 1, 100, "GET a");  // ring 0
  add(order, 1, 300, "GET c");
  add(order, 2, 150, "SET b");  // ring 1
  add(order, 1, 200, "GET b");
  auto out = release(order, 1000);
  EXPECT_EQ(times(out), (std::vector<std::uint64_t>{100, 150, 200, 300}));
  EXPECT_EQ(out[0].request, "GET a");
  EXPECT_EQ(out[1].request, "SET b");
  EXPECT_EQ(out[2].request, "GET b");
  EXPECT_EQ(out[3].request, "GET c");
  EXPECT_EQ(out[3].response, "+OK\r\n");
  EXPECT_EQ(order.waiting(), 0u);
}

// A record answered after the cutoff waits; a record read in the next pass that
// was answered before it still comes out first (the case the cutoff is for: it
// was being written to a ring already read).
TEST(L7RecordOrderTest, RecordsPastTheCutoffWaitAndKeepTheirPlace) {
  L7RecordOrder order;
  add(order, 1, 100, "Q1");
  add(order, 1, 900, "Q3 with an odd length");
  add(order, 2, 950, "Q4");
  EXPECT_EQ(times(release(order, 500)), (std::vector<std::uint64_t>{100}));
  EXPECT_EQ(order.waiting(), 2u);
  add(order, 1, 700, "Q2");
  add(order, 2, 1200, "Q5");
  auto out = release(order, 1000);
  EXPECT_EQ(times(out), (std::vector<std::uint64_t>{700, 900, 950}));
  EXPECT_EQ(out[1].request, "Q3 with an odd length");  // kept whole across the move
  EXPECT_EQ(out[2].request, "Q4");
  EXPECT_EQ(order.waiting(), 1u);
  out = release(order, 1100);
  EXPECT_TRUE(out.empty());
  out.clear();
  order.release_all(
      [&](const hs_l7_record& r) { out.push_back({r.conn_id, r.resp_ns, std::string(l7_request(r)), {}}); });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request, "Q5");
  EXPECT_EQ(order.waiting(), 0u);
}

// Records answered at the same time leave in the order they were read.
TEST(L7RecordOrderTest, TiesKeepTheOrderTheyWereRead) {
  L7RecordOrder order;
  for (int i = 0; i < 50; ++i) add(order, static_cast<std::uint64_t>(i), 500, "R" + std::to_string(i));
  auto out = release(order, 500);
  ASSERT_EQ(out.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)].conn_id, static_cast<std::uint64_t>(i));
}

// Seven rings read in turn, their times overlapping, some equal: the same order
// as a stable sort of everything read.
TEST(L7RecordOrderTest, ManyRingsMergeLikeAStableSort) {
  L7RecordOrder order;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reference;  // (time, read index)
  std::uint64_t index = 0;
  for (std::uint64_t ring = 0; ring < 7; ++ring) {
    std::uint64_t t = 100 + ring * 13;
    for (std::uint64_t i = 0; i < 20 + ring * 3; ++i) {
      t += (i * 7 + ring) % 5;  // steps of 0..4: ties within and across rings
      add(order, index, t, "R" + std::to_string(index));
      reference.emplace_back(t, index++);
    }
  }
  std::stable_sort(reference.begin(), reference.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto out = release(order, UINT64_MAX);
  ASSERT_EQ(out.size(), reference.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].resp_ns, reference[i].first) << i;
    EXPECT_EQ(out[i].conn_id, reference[i].second) << i;
    EXPECT_EQ(out[i].request, "R" + std::to_string(reference[i].second)) << i;
  }
}

// Many passes, each holding back its newest records: every record comes out
// exactly once and in order, and what waits stays small.
TEST(L7RecordOrderTest, ManyPassesHandOnEachRecordOnceInOrder) {
  L7RecordOrder order;
  std::vector<std::uint64_t> seen;
  std::uint64_t t = 1000;
  for (int pass = 0; pass < 100; ++pass) {
    for (int i = 0; i < 40; ++i) {
      t += 7;
      add(order, static_cast<std::uint64_t>(i % 3), t, std::string(static_cast<std::size_t>(i % 13), 'x'));
    }
    for (auto x : times(release(order, t - 50))) seen.push_back(x);
    EXPECT_LE(order.waiting(), 8u);
  }
  for (auto x : times(release(order, UINT64_MAX))) seen.push_back(x);
  ASSERT_EQ(seen.size(), 4000u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1007 + 7 * i);
}

}  // namespace
}  // namespace hs
