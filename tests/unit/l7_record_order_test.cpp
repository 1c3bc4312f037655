// The order in which records of several per-CPU rings are handed on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <new>
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

// Per-CPU rings as the reader sees them: records in ring order, each at the
// position where it ends; a pass notes what lies past each ring's consumer
// position, and a release moves that position.
class FakeRings {
 public:
  explicit FakeRings(std::size_t n) : rings_(n) {}

  // Writes a record of connection `conn` answered at resp_ns, its request naming it.
  void write(std::size_t ring, std::uint64_t conn, std::uint64_t resp_ns, const std::string& request,
             const std::string& response = "+OK\r\n") {
    auto& words = storage_.emplace_back(sizeof(hs_l7_record) / 8 + 1);
    auto* rec = new (words.data()) hs_l7_record{};
    rec->conn_id = conn;
    rec->req_ns = resp_ns - 10;
    rec->resp_ns = resp_ns;
    std::size_t size = l7_record_fill(*rec, request, response);
    ASSERT_TRUE(l7_record_valid(rec, size));
    put(ring, {rec, false, false}, size);
  }
  void write_skipped(std::size_t ring, bool malformed) { put(ring, {nullptr, true, malformed}, 40); }

  std::vector<Handed> pass(L7RecordOrder& order, std::uint64_t cutoff) {
    order.begin(rings_.size());
    for (std::size_t r = 0; r < rings_.size(); ++r) {
      for (const Item& it : rings_[r].items) {
        if (it.end <= rings_[r].consumed) continue;
        if (it.rec) {
          order.add(r, *it.rec, it.end);
        } else {
          order.add_skipped(r, it.end, it.malformed);
        }
      }
    }
    std::vector<Handed> out;
    last_ = order.release(cutoff, [&](const hs_l7_record& r) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&r) % alignof(hs_l7_record), 0u);
      out.push_back({r.conn_id, r.resp_ns, std::string(l7_request(r)), std::string(l7_response(r))});
    });
    for (std::size_t r = 0; r < rings_.size(); ++r) {
      const std::uint64_t to = order.released_to(r);
      if (to == 0) continue;
      EXPECT_GT(to, rings_[r].consumed) << "ring " << r << " released backwards";
      rings_[r].consumed = to;
    }
    return out;
  }
  std::uint64_t consumed(std::size_t ring) const { return rings_[ring].consumed; }
  std::uint64_t end_of(std::size_t ring, std::size_t index) const { return rings_[ring].items[index].end; }
  const L7RecordOrder::Released& last() const { return last_; }

 private:
  struct Item {
    const hs_l7_record* rec;
    bool skipped;
    bool malformed;
    std::uint64_t end = 0;
  };
  struct Ring {
    std::vector<Item> items;
    std::uint64_t written = 0, consumed = 0;
  };
  void put(std::size_t ring, Item it, std::size_t size) {
    Ring& r = rings_[ring];
    r.written += 8 + ((size + 7) & ~std::size_t{7});
    it.end = r.written;
    r.items.push_back(it);
  }
  std::vector<Ring> rings_;
  std::deque<std::vector<std::uint64_t>> storage_;  // records, 8-byte aligned, never moved
  L7RecordOrder::Released last_;
};

std::vector<std::uint64_t> times(const std::vector<Handed>& h) {
  std::vector<std::uint64_t> t;
  for (const auto& x : h) t.push_back(x.resp_ns);
  return t;
}

// Two rings read one after the other: the second ring's records interleave with
// the first's by response time, as the kernel emitted them; both rings are
// released to their ends.
TEST(L7RecordOrderTest, RecordsOfTwoRingsComeOutInResponseOrder) {
  L7RecordOrder order;
  FakeRings rings(2);
  rings.write(0, 1, 100, "GET a");
  rings.write(0, 1, 300, "GET c");
  rings.write(1, 2, 150, "SET b");
  rings.write(1, 1, 200, "GET b");
  auto out = rings.pass(order, 1000);
  EXPECT_EQ(times(out), (std::vector<std::uint64_t>{100, 150, 200, 300}));
  EXPECT_EQ(out[0].request, "GET a");
  EXPECT_EQ(out[1].request, "SET b");
  EXPECT_EQ(out[2].request, "GET b");
  EXPECT_EQ(out[3].request, "GET c");
  EXPECT_EQ(out[3].response, "+OK\r\n");
  EXPECT_EQ(order.waiting(), 0u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 1));
  EXPECT_EQ(rings.consumed(1), rings.end_of(1, 1));
  EXPECT_EQ(rings.last().handed, 4u);
}

// A record answered after the cutoff stays in its ring, and so does what follows
// it there; a record read in the next pass that was answered before it still
// comes out first (the case the cutoff is for: it was being written to a ring
// already read).
TEST(L7RecordOrderTest, RecordsPastTheCutoffStayInTheirRingsAndKeepTheirPlace) {
  L7RecordOrder order;
  FakeRings rings(3);
  rings.write(0, 1, 100, "Q1");
  rings.write(0, 1, 900, "Q3 with an odd length");
  rings.write(1, 2, 950, "Q4");
  EXPECT_EQ(times(rings.pass(order, 500)), (std::vector<std::uint64_t>{100}));
  EXPECT_EQ(order.waiting(), 2u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 0));
  EXPECT_EQ(rings.consumed(1), 0u);
  rings.write(2, 1, 700, "Q2");
  rings.write(1, 2, 1200, "Q5");
  auto out = rings.pass(order, 1000);
  EXPECT_EQ(times(out), (std::vector<std::uint64_t>{700, 900, 950}));
  EXPECT_EQ(out[1].request, "Q3 with an odd length");
  EXPECT_EQ(out[2].request, "Q4");
  EXPECT_EQ(order.waiting(), 1u);
  EXPECT_EQ(rings.consumed(1), rings.end_of(1, 0));
  EXPECT_TRUE(rings.pass(order, 1100).empty());
  out = rings.pass(order, UINT64_MAX);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request, "Q5");
  EXPECT_EQ(order.waiting(), 0u);
  EXPECT_EQ(rings.consumed(1), rings.end_of(1, 1));
}

// A writer preempted between its clock reading and its record leaves a ring out
// of order. What stays in that ring (from its first record past the cutoff on)
// includes a record answered before the cutoff, so the cutoff falls below it:
// nothing answered after a record left behind is handed on before it.
TEST(L7RecordOrderTest, ARingOutOfOrderLowersTheCutoff) {
  L7RecordOrder order;
  FakeRings rings(2);
  rings.write(0, 1, 100, "A");
  rings.write(0, 2, 600, "F");
  rings.write(0, 3, 300, "C");  // written after F, answered before it
  rings.write(1, 4, 200, "B");
  rings.write(1, 5, 400, "D");
  EXPECT_EQ(times(rings.pass(order, 500)), (std::vector<std::uint64_t>{100, 200}));
  EXPECT_EQ(order.waiting(), 3u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 0));
  EXPECT_EQ(rings.consumed(1), rings.end_of(1, 0));
  EXPECT_EQ(times(rings.pass(order, UINT64_MAX)), (std::vector<std::uint64_t>{300, 400, 600}));
}

// Discarded and malformed records are passed over with the records around them;
// a malformed one is counted once, when its ring is released past it.
TEST(L7RecordOrderTest, SkippedRecordsAreReleasedWithTheirRingAndCountedOnce) {
  L7RecordOrder order;
  FakeRings rings(1);
  rings.write_skipped(0, /*malformed=*/false);
  rings.write(0, 1, 100, "A");
  rings.write(0, 1, 200, "B");
  rings.write_skipped(0, /*malformed=*/true);
  rings.write(0, 1, 300, "C");
  EXPECT_EQ(times(rings.pass(order, 150)), (std::vector<std::uint64_t>{100}));
  EXPECT_EQ(rings.last().malformed, 0u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 1));
  EXPECT_EQ(times(rings.pass(order, 250)), (std::vector<std::uint64_t>{200}));
  EXPECT_EQ(rings.last().malformed, 1u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 3));
  EXPECT_EQ(times(rings.pass(order, 350)), (std::vector<std::uint64_t>{300}));
  EXPECT_EQ(rings.last().malformed, 0u);
  EXPECT_EQ(rings.consumed(0), rings.end_of(0, 4));
}

// Records answered at the same time leave in the order they were noted.
TEST(L7RecordOrderTest, TiesKeepTheOrderTheyWereRead) {
  L7RecordOrder order;
  FakeRings rings(2);
  for (int i = 0; i < 50; ++i) rings.write(static_cast<std::size_t>(i / 25), static_cast<std::uint64_t>(i), 500,
                                           "R" + std::to_string(i));
  auto out = rings.pass(order, 500);
  ASSERT_EQ(out.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)].conn_id, static_cast<std::uint64_t>(i));
}

// Seven rings read in turn, their times overlapping, some equal: the same order
// as a stable sort of everything read.
TEST(L7RecordOrderTest, ManyRingsMergeLikeAStableSort) {
  L7RecordOrder order;
  FakeRings rings(7);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reference;  // (time, read index)
  std::uint64_t index = 0;
  for (std::uint64_t ring = 0; ring < 7; ++ring) {
    std::uint64_t t = 100 + ring * 13;
    for (std::uint64_t i = 0; i < 20 + ring * 3; ++i) {
      t += (i * 7 + ring) % 5;  // steps of 0..4: ties within and across rings
      rings.write(ring, index, t, "R" + std::to_string(index));
      reference.emplace_back(t, index++);
    }
  }
  std::stable_sort(reference.begin(), reference.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto out = rings.pass(order, UINT64_MAX);
  ASSERT_EQ(out.size(), reference.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].resp_ns, reference[i].first) << i;
    EXPECT_EQ(out[i].conn_id, reference[i].second) << i;
    EXPECT_EQ(out[i].request, "R" + std::to_string(reference[i].second)) << i;
  }
}

// Many passes over three rings, each holding back its newest records: every
// record comes out exactly once and in order, and what waits stays small.
TEST(L7RecordOrderTest, ManyPassesHandOnEachRecordOnceInOrder) {
  L7RecordOrder order;
  FakeRings rings(3);
  std::vector<std::uint64_t> seen;
  std::uint64_t t = 1000;
  for (int pass = 0; pass < 100; ++pass) {
    for (int i = 0; i < 40; ++i) {
      t += 7;
      rings.write(static_cast<std::size_t>((i * 5 + pass) % 3), static_cast<std::uint64_t>(i % 3), t,
                  std::string(static_cast<std::size_t>(i % 13), 'x'));
    }
    for (auto x : times(rings.pass(order, t - 50))) seen.push_back(x);
    EXPECT_LE(order.waiting(), 8u);
  }
  for (auto x : times(rings.pass(order, UINT64_MAX))) seen.push_back(x);
  ASSERT_EQ(seen.size(), 4000u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1007 + 7 * i);
}

// Randomised: four rings, each written out of order now and then (a record
// answered up to 3 ticks before the one written ahead of it), passes at random
// moments with a cutoff no later record can precede. Every record is handed on
// exactly once, and all of them in response order, across the passes.
TEST(L7RecordOrderTest, RandomDisorderAndPassesKeepTheOrderAndLoseNothing) {
  constexpr std::uint64_t kDisorder = 3;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::srand(seed);
    L7RecordOrder order;
    FakeRings rings(4);
    std::vector<Handed> out;
    std::uint64_t t = 100, written = 0;
    for (int step = 0; step < 400; ++step) {
      t += static_cast<std::uint64_t>(std::rand() % 3);
      const std::uint64_t resp = t - static_cast<std::uint64_t>(std::rand() % (kDisorder + 1));
      rings.write(static_cast<std::size_t>(std::rand() % 4), written++, resp, "R");
      if (std::rand() % 10 == 0) {
        // Everything written from now on is answered after t - kDisorder.
        for (auto& h : rings.pass(order, t - kDisorder - 1)) out.push_back(h);
      }
    }
    for (auto& h : rings.pass(order, UINT64_MAX)) out.push_back(h);
    ASSERT_EQ(out.size(), written) << "seed " << seed;
    std::vector<bool> seen(written, false);
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_FALSE(seen[out[i].conn_id]) << "seed " << seed << ": record " << out[i].conn_id << " twice";
      seen[out[i].conn_id] = true;
      if (i > 0) ASSERT_LE(out[i - 1].resp_ns, out[i].resp_ns) << "seed " << seed << ", position " << i;
    }
  }
}

}  // namespace
}  // namespace hs
