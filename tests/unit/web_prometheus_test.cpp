#include "web/routes/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "promtool.h"

namespace hs::web::prom {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(PromFormat, ShortestRoundTripValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(1), "1");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(0.005), "0.005");
  EXPECT_EQ(format_value(2.5e-7), "2.5e-07");
  EXPECT_EQ(format_value(1e6), "1e+06");
  EXPECT_EQ(format_value(123456789), "123456789");
  EXPECT_EQ(format_value(kInf), "+Inf");
  EXPECT_EQ(format_value(-kInf), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(PromFormat, EveryFiniteValueRoundTrips) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mant(-1.0, 1.0);
  std::uniform_int_distribution<int> exp(-300, 300);
  for (int i = 0; i < 20000; ++i) {
    const double v = std::ldexp(mant(rng), exp(rng));
    const std::string s = format_value(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

TEST(PromNames, MetricAndLabelNameRules) {
  EXPECT_TRUE(valid_metric_name("hostscope_syscall_duration_seconds"));
  EXPECT_TRUE(valid_metric_name("job:rate5m"));
  EXPECT_TRUE(valid_metric_name("_x"));
  EXPECT_TRUE(valid_metric_name(":x"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("1x"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name("a b"));
  EXPECT_FALSE(valid_metric_name("caf\xC3\xA9"));

  EXPECT_TRUE(valid_label_name("comm"));
  EXPECT_TRUE(valid_label_name("_x9"));
  EXPECT_FALSE(valid_label_name(""));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("9a"));
  EXPECT_FALSE(valid_label_name("__name__"));
}

TEST(PromEscape, LabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)" "\nd"), R"(a\\b\"c\nd)");
  EXPECT_EQ(escape_label_value("tab\there"), "tab\there");
  EXPECT_EQ(escape_label_value("bad\xFF"), "bad\xEF\xBF\xBD");
  EXPECT_EQ(escape_help("line1\nline2 \\ \"quoted\""), R"(line1\nline2 \\ "quoted")");
}

TEST(PromExposition, CountersAndGaugesRenderGroupedInDeclarationOrder) {
  Exposition e;
  ASSERT_TRUE(e.family({"hostscope_tcp_retransmits_total", "TCP retransmits.", MetricType::counter}).ok());
  ASSERT_TRUE(e.family({"hostscope_alerts_active", "Active alerts by severity.", MetricType::gauge}).ok());
  ASSERT_TRUE(e.sample("hostscope_alerts_active", {{"severity", "critical"}}, 2).ok());
  ASSERT_TRUE(e.sample("hostscope_tcp_retransmits_total", {{"comm", "curl"}, {"remote", "10.0.0.1:443"}}, 17).ok());
  ASSERT_TRUE(e.sample("hostscope_alerts_active", {{"severity", "low"}}, 0).ok());
  ASSERT_TRUE(e.sample("hostscope_tcp_retransmits_total", {}, 3).ok());
  EXPECT_EQ(e.render(),
            "# HELP hostscope_tcp_retransmits_total TCP retransmits.\n"
            "# TYPE hostscope_tcp_retransmits_total counter\n"
            "hostscope_tcp_retransmits_total{comm=\"curl\",remote=\"10.0.0.1:443\"} 17\n"
            "hostscope_tcp_retransmits_total 3\n"
            "# HELP hostscope_alerts_active Active alerts by severity.\n"
            "# TYPE hostscope_alerts_active gauge\n"
            "hostscope_alerts_active{severity=\"critical\"} 2\n"
            "hostscope_alerts_active{severity=\"low\"} 0\n");
}

TEST(PromExposition, EmptyFamilyStillHasHelpAndType) {
  Exposition e;
  ASSERT_TRUE(e.family({"hostscope_bpf_dropped_events_total", "Drops.\nPer probe.", MetricType::counter}).ok());
  EXPECT_EQ(e.render(),
            "# HELP hostscope_bpf_dropped_events_total Drops.\\nPer probe.\n"
            "# TYPE hostscope_bpf_dropped_events_total counter\n");
  EXPECT_EQ(Exposition{}.render(), "");
}

TEST(PromExposition, LabelValuesAreEscaped) {
  Exposition e;
  ASSERT_TRUE(e.family({"q", "h", MetricType::gauge}).ok());
  ASSERT_TRUE(e.sample("q", {{"fingerprint", "SELECT \"a\\b\"\nFROM t"}}, 1.5).ok());
  EXPECT_EQ(e.render(), "# HELP q h\n# TYPE q gauge\nq{fingerprint=\"SELECT \\\"a\\\\b\\\"\\nFROM t\"} 1.5\n");
}

TEST(PromExposition, HistogramAppendsInfBucketSumAndCount) {
  Exposition e;
  ASSERT_TRUE(e.family({"hostscope_syscall_duration_seconds", "Syscall latency.", MetricType::histogram}).ok());
  ASSERT_TRUE(e.histogram("hostscope_syscall_duration_seconds", {{"comm", "nginx"}, {"syscall", "read"}},
                          {{1e-6, 3}, {1e-5, 7}, {0.001, 7}}, 0.0125, 9)
                  .ok());
  ASSERT_TRUE(e.histogram("hostscope_syscall_duration_seconds", {}, {}, 0, 0).ok());
  EXPECT_EQ(e.render(),
            "# HELP hostscope_syscall_duration_seconds Syscall latency.\n"
            "# TYPE hostscope_syscall_duration_seconds histogram\n"
            "hostscope_syscall_duration_seconds_bucket{comm=\"nginx\",syscall=\"read\",le=\"1e-06\"} 3\n"
            "hostscope_syscall_duration_seconds_bucket{comm=\"nginx\",syscall=\"read\",le=\"1e-05\"} 7\n"
            "hostscope_syscall_duration_seconds_bucket{comm=\"nginx\",syscall=\"read\",le=\"0.001\"} 7\n"
            "hostscope_syscall_duration_seconds_bucket{comm=\"nginx\",syscall=\"read\",le=\"+Inf\"} 9\n"
            "hostscope_syscall_duration_seconds_sum{comm=\"nginx\",syscall=\"read\"} 0.0125\n"
            "hostscope_syscall_duration_seconds_count{comm=\"nginx\",syscall=\"read\"} 9\n"
            "hostscope_syscall_duration_seconds_bucket{le=\"+Inf\"} 0\n"
            "hostscope_syscall_duration_seconds_sum 0\n"
            "hostscope_syscall_duration_seconds_count 0\n");
}

TEST(PromExposition, HistogramWithExplicitInfBucketIsNotDuplicated) {
  Exposition e;
  ASSERT_TRUE(e.family({"h", "x", MetricType::histogram}).ok());
  ASSERT_TRUE(e.histogram("h", {}, {{0.5, 1}, {kInf, 4}}, 2, 4).ok());
  EXPECT_EQ(e.render(),
            "# HELP h x\n# TYPE h histogram\n"
            "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 4\nh_sum 2\nh_count 4\n");
}

TEST(PromExposition, HistogramRejectsInconsistentBuckets) {
  Exposition e;
  ASSERT_TRUE(e.family({"h", "x", MetricType::histogram}).ok());
  EXPECT_FALSE(e.histogram("h", {}, {{0.5, 1}, {0.5, 2}}, 1, 2).ok());        // bounds must increase
  EXPECT_FALSE(e.histogram("h", {}, {{0.5, 1}, {0.1, 2}}, 1, 2).ok());
  EXPECT_FALSE(e.histogram("h", {}, {{0.1, 3}, {0.5, 2}}, 1, 3).ok());        // not cumulative
  EXPECT_FALSE(e.histogram("h", {}, {{0.1, 3}}, 1, 2).ok());                  // bucket > count
  EXPECT_FALSE(e.histogram("h", {}, {{0.1, 1}, {kInf, 2}}, 1, 3).ok());       // +Inf != count
  EXPECT_FALSE(e.histogram("h", {}, {{std::nan(""), 1}}, 1, 1).ok());
  EXPECT_FALSE(e.histogram("h", {{"le", "1"}}, {}, 0, 0).ok());               // le is reserved
  EXPECT_FALSE(e.sample("h", {}, 1).ok());                                     // not a plain sample
  EXPECT_EQ(e.render(), "# HELP h x\n# TYPE h histogram\n");                   // nothing half-written
}

TEST(PromExposition, RejectsBadNamesAndDuplicates) {
  Exposition e;
  EXPECT_FALSE(e.family({"bad-name", "x", MetricType::gauge}).ok());
  ASSERT_TRUE(e.family({"g", "x", MetricType::gauge}).ok());
  EXPECT_TRUE(e.family({"g", "other help", MetricType::gauge}).ok());   // same type: no-op
  EXPECT_FALSE(e.family({"g", "x", MetricType::counter}).ok());         // type clash
  ASSERT_TRUE(e.family({"lat", "x", MetricType::histogram}).ok());
  EXPECT_FALSE(e.family({"lat_count", "x", MetricType::gauge}).ok());   // collides with lat's series
  ASSERT_TRUE(e.family({"req_sum", "x", MetricType::gauge}).ok());
  EXPECT_FALSE(e.family({"req", "x", MetricType::histogram}).ok());     // would emit req_sum
  EXPECT_FALSE(e.sample("missing", {}, 1).ok());
  EXPECT_FALSE(e.sample("g", {{"a:b", "1"}}, 1).ok());
  EXPECT_FALSE(e.sample("g", {{"__x", "1"}}, 1).ok());
  EXPECT_FALSE(e.sample("g", {{"a", "1"}, {"a", "2"}}, 1).ok());
  ASSERT_TRUE(e.sample("g", {{"a", "1"}}, 1).ok());
  EXPECT_FALSE(e.sample("g", {{"a", "1"}}, 2).ok());                    // duplicate series
  EXPECT_TRUE(e.sample("g", {{"a", "2"}}, 2).ok());
  EXPECT_FALSE(e.histogram("g", {}, {}, 0, 0).ok());                    // not a histogram
  EXPECT_EQ(e.families(), 3u);
}

// The contract of §5.2: what we render passes `promtool check metrics`.
TEST(PromTool, RenderedExpositionPassesPromtoolCheck) {
  if (!hs::test::promtool_available()) GTEST_SKIP() << "promtool not installed";

  Exposition e;
  ASSERT_TRUE(e.family({"hostscope_syscall_duration_seconds", "Syscall latency.", MetricType::histogram}).ok());
  ASSERT_TRUE(e.family({"hostscope_tcp_retransmits_total", "TCP retransmits.", MetricType::counter}).ok());
  ASSERT_TRUE(e.family({"hostscope_bpf_dropped_events_total", "Dropped events.", MetricType::counter}).ok());
  ASSERT_TRUE(e.family({"hostscope_alerts_active", "Active alerts\nby \\severity.", MetricType::gauge}).ok());
  ASSERT_TRUE(e.histogram("hostscope_syscall_duration_seconds", {{"comm", "we\"ird\\co\nmm\xFF"}, {"syscall", "read"}},
                          {{1e-6, 1}, {2.5e-6, 4}, {0.001, 9}}, 0.004217, 10)
                  .ok());
  ASSERT_TRUE(e.histogram("hostscope_syscall_duration_seconds", {{"comm", "sshd"}, {"syscall", "write"}}, {}, 0, 0).ok());
  ASSERT_TRUE(e.sample("hostscope_tcp_retransmits_total", {{"comm", "curl"}}, 1e6).ok());
  ASSERT_TRUE(e.sample("hostscope_alerts_active", {{"severity", "critical"}}, 0).ok());
  ASSERT_TRUE(e.sample("hostscope_alerts_active", {{"severity", "high"}}, std::nan("")).ok());
  ASSERT_TRUE(e.sample("hostscope_alerts_active", {{"severity", "low"}}, kInf).ok());

  std::string output;
  EXPECT_EQ(hs::test::promtool_check(e.render(), output), 0) << output << "\n--- input:\n" << e.render();

  // The check is real: a counter without "_total" fails it.
  std::string bad_output;
  EXPECT_NE(hs::test::promtool_check("# HELP bad x\n# TYPE bad counter\nbad 1\n", bad_output), 0) << bad_output;
}

}  // namespace
}  // namespace hs::web::prom
