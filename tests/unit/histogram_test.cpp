#include "common/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>
#include <algorithm>

namespace hs {
namespace {

TEST(HistogramSlots, EverySlotLowerBoundMapsBackToItself) {
  for (std::uint32_t s = 0; s < Histogram::kSlots; ++s) {
    EXPECT_EQ(Histogram::slot_of(Histogram::slot_lower(s)), s) << s;
    if (s + 1 < Histogram::kSlots) {
      EXPECT_EQ(Histogram::slot_of(Histogram::slot_upper(s) - 1), s) << s;
    }
  }
}

TEST(HistogramSlots, SlotWidthIsAtMostAQuarterOfItsLowerBound) {
  for (std::uint32_t s = HS_HIST_SUBS; s + 1 < Histogram::kSlots; ++s) {
    double lo = static_cast<double>(Histogram::slot_lower(s));
    double width = static_cast<double>(Histogram::slot_upper(s)) - lo;
    EXPECT_LE(width / lo, 0.25 + 1e-12) << s;
  }
}

TEST(HistogramSlots, KnownValues) {
  EXPECT_EQ(Histogram::slot_of(0), 0u);
  EXPECT_EQ(Histogram::slot_of(3), 3u);
  EXPECT_EQ(Histogram::slot_of(4), 4u);
  EXPECT_EQ(Histogram::slot_of(8), 8u);
  EXPECT_EQ(Histogram::slot_of(9), 8u);
  EXPECT_EQ(Histogram::slot_of(10), 9u);
  EXPECT_EQ(Histogram::slot_of(1024), 36u);
  EXPECT_EQ(Histogram::slot_of(1ull << 40), Histogram::kSlots - 1);
  EXPECT_EQ(Histogram::slot_of(~0ull), Histogram::kSlots - 1);
}

TEST(HistogramPercentile, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.percentile(0.5), 0u);
}

TEST(HistogramPercentile, ErrorBoundAgainstExactQuantiles) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(50'000.0), 1.5);
  std::vector<std::uint64_t> values;
  Histogram h;
  for (int i = 0; i < 100'000; ++i) {
    auto v = static_cast<std::uint64_t>(dist(rng)) + 1;
    values.push_back(v);
    h.add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    auto rank = static_cast<std::size_t>(std::ceil(q * values.size()));
    double exact = static_cast<double>(values[rank - 1]);
    double got = static_cast<double>(h.percentile(q));
    EXPECT_LE(std::fabs(got - exact) / exact, 0.125 + 1e-9) << "q=" << q;
  }
}

TEST(HistogramPercentile, FixedValueIsWithinHalfSlot) {
  Histogram h;
  h.add(50'000'000, 10);  // 50 ms
  double got = static_cast<double>(h.percentile(0.5));
  EXPECT_NEAR(got, 50e6, 50e6 * 0.125);
  EXPECT_EQ(h.count(), 10u);
}

TEST(HistogramMerge, AddsCountsSlotBySlot) {
  Histogram a, b;
  a.add(100, 3);
  b.add(100, 2);
  b.add(1'000'000, 5);
  a.merge(b);
  EXPECT_EQ(a.count(), 10u);
  EXPECT_EQ(a.slots()[Histogram::slot_of(100)], 5u);
  EXPECT_EQ(a.count_below(Histogram::slot_upper(Histogram::slot_of(100))), 5u);
}

}  // namespace
}  // namespace hs
