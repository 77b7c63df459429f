#include "daemon/metrics.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace test_metrics {

using ballast::daemon::Histogram;
using ballast::daemon::MetricsRegistry;

TEST_CASE("a small registry renders the exact exposition text") {
  MetricsRegistry registry;
  auto& ticks = registry.counter_family("ballast_ticks_total", "Ticks accepted, by feed.", {"feed"});
  auto& rejected =
      registry.counter_family("ballast_ticks_rejected_total", "Ticks dropped, by feed and reason.", {"feed", "reason"});
  auto& paused = registry.gauge("ballast_paused", "1 while rebalancing is paused.");
  auto& latency = registry.histogram("ballast_tick_to_order_seconds", "Tick receipt to order sent.", {0.001, 0.01, 0.1});

  ticks.with({"primary"}).inc(1000);
  ticks.with({"backup"}).inc();
  rejected.with({"primary", "malformed"}).inc(2);
  paused.set(1);
  latency.observe(0.0005);
  latency.observe(0.001);  // on a bound: counted in that bucket
  latency.observe(0.05);
  latency.observe(3.0);

  CHECK(registry.render() ==
        "# HELP ballast_ticks_total Ticks accepted, by feed.\n"
        "# TYPE ballast_ticks_total counter\n"
        "ballast_ticks_total{feed=\"primary\"} 1000\n"
        "ballast_ticks_total{feed=\"backup\"} 1\n"
        "# HELP ballast_ticks_rejected_total Ticks dropped, by feed and reason.\n"
        "# TYPE ballast_ticks_rejected_total counter\n"
        "ballast_ticks_rejected_total{feed=\"primary\",reason=\"malformed\"} 2\n"
        "# HELP ballast_paused 1 while rebalancing is paused.\n"
        "# TYPE ballast_paused gauge\n"
        "ballast_paused 1\n"
        "# HELP ballast_tick_to_order_seconds Tick receipt to order sent.\n"
        "# TYPE ballast_tick_to_order_seconds histogram\n"
        "ballast_tick_to_order_seconds_bucket{le=\"0.001\"} 2\n"
        "ballast_tick_to_order_seconds_bucket{le=\"0.01\"} 2\n"
        "ballast_tick_to_order_seconds_bucket{le=\"0.1\"} 3\n"
        "ballast_tick_to_order_seconds_bucket{le=\"+Inf\"} 4\n"
        "ballast_tick_to_order_seconds_sum 3.0515\n"
        "ballast_tick_to_order_seconds_count 4\n");
}

TEST_CASE("labelled histograms put le after the family's labels") {
  MetricsRegistry registry;
  auto& family = registry.histogram_family("ballast_decode_seconds", "Decode time.", {"feed"}, {1, 2});
  family.with({"a"}).observe(1.5);
  CHECK(registry.render() ==
        "# HELP ballast_decode_seconds Decode time.\n"
        "# TYPE ballast_decode_seconds histogram\n"
        "ballast_decode_seconds_bucket{feed=\"a\",le=\"1\"} 0\n"
        "ballast_decode_seconds_bucket{feed=\"a\",le=\"2\"} 1\n"
        "ballast_decode_seconds_bucket{feed=\"a\",le=\"+Inf\"} 1\n"
        "ballast_decode_seconds_sum{feed=\"a\"} 1.5\n"
        "ballast_decode_seconds_count{feed=\"a\"} 1\n");
}

TEST_CASE("label values and help text are escaped") {
  MetricsRegistry registry;
  auto& family = registry.gauge_family("ballast_x", "Back\\slash and\nnewline \"quoted\".", {"name"});
  family.with({"a\"b\\c\nd"}).set(-2.5);
  CHECK(registry.render() ==
        "# HELP ballast_x Back\\\\slash and\\nnewline \"quoted\".\n"
        "# TYPE ballast_x gauge\n"
        "ballast_x{name=\"a\\\"b\\\\c\\nd\"} -2.5\n");
}

TEST_CASE("a family without series still renders HELP and TYPE") {
  MetricsRegistry registry;
  registry.counter_family("ballast_orders_total", "Orders sent.", {"portfolio"});
  CHECK(registry.render() == "# HELP ballast_orders_total Orders sent.\n# TYPE ballast_orders_total counter\n");
}

TEST_CASE("the same label values give the same series") {
  MetricsRegistry registry;
  auto& family = registry.counter_family("ballast_c_total", "c", {"a", "b"});
  auto& first = family.with({"x", "y"});
  auto& other = family.with({"y", "x"});
  for (int i = 0; i < 100; ++i) family.with({"k" + std::to_string(i), "v"});  // references must survive growth
  first.inc();
  CHECK(&family.with({"x", "y"}) == &first);
  CHECK(&family.with({"y", "x"}) == &other);
  CHECK(first.value() == 1);
  CHECK(other.value() == 0);
}

TEST_CASE("counters ignore negative and NaN increments; gauges move both ways") {
  MetricsRegistry registry;
  auto& counter = registry.counter("ballast_c_total", "c");
  counter.inc(2);
  counter.inc(-1);
  counter.inc(std::numeric_limits<double>::quiet_NaN());
  CHECK(counter.value() == 2);

  // Following a running total: exactly its value, never down, never NaN.
  auto& followed = registry.counter("ballast_f_total", "f");
  followed.advance_to(17.85);
  followed.advance_to(30.1);
  CHECK(followed.value() == 30.1);
  followed.advance_to(12);
  followed.advance_to(std::numeric_limits<double>::quiet_NaN());
  CHECK(followed.value() == 30.1);

  auto& gauge = registry.gauge("ballast_g", "g");
  gauge.inc(3);
  gauge.dec(5);
  CHECK(gauge.value() == -2);
}

TEST_CASE("special values render as +Inf, -Inf and NaN") {
  MetricsRegistry registry;
  registry.gauge("ballast_a", "a").set(std::numeric_limits<double>::infinity());
  registry.gauge("ballast_b", "b").set(-std::numeric_limits<double>::infinity());
  registry.gauge("ballast_c", "c").set(std::numeric_limits<double>::quiet_NaN());
  registry.gauge("ballast_d", "d").set(1e21);
  registry.gauge("ballast_e", "e").set(0.1);
  const std::string text = registry.render();
  CHECK(text.find("ballast_a +Inf\n") != std::string::npos);
  CHECK(text.find("ballast_b -Inf\n") != std::string::npos);
  CHECK(text.find("ballast_c NaN\n") != std::string::npos);
  CHECK(text.find("ballast_d 1e+21\n") != std::string::npos);
  CHECK(text.find("ballast_e 0.1\n") != std::string::npos);
}

TEST_CASE("histogram buckets are cumulative and NaN is not observed") {
  Histogram h({1, 2, 4});
  for (const double v : {0.5, 1.0, 1.5, 2.0, 3.0, 100.0, -7.0}) h.observe(v);
  h.observe(std::numeric_limits<double>::quiet_NaN());
  CHECK(h.count() == 7);
  CHECK(h.sum() == doctest::Approx(101.0));
  CHECK(h.cumulative_count(0) == 3);  // -7, 0.5, 1.0
  CHECK(h.cumulative_count(1) == 5);
  CHECK(h.cumulative_count(2) == 6);
  CHECK(h.cumulative_count(3) == 7);
  CHECK(h.bucket_count(3) == 1);
}

TEST_CASE("histogram bounds must be finite and strictly ascending; a trailing +Inf is dropped") {
  CHECK_THROWS_AS(Histogram({2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Histogram({1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Histogram({std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  CHECK_THROWS_AS(Histogram({-std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
  Histogram h({1, std::numeric_limits<double>::infinity()});
  CHECK(h.upper_bounds().size() == 1);
  Histogram only_inf({});
  only_inf.observe(5);
  CHECK(only_inf.cumulative_count(0) == 1);
}

TEST_CASE("histogram quantiles interpolate inside the bucket") {
  Histogram h(ballast::daemon::linear_buckets(10, 10, 10));  // 10, 20, ..., 100
  CHECK(std::isnan(h.quantile(0.5)));
  for (int i = 1; i <= 100; ++i) h.observe(i);  // 10 per bucket
  CHECK(h.quantile(0.5) == doctest::Approx(50));
  CHECK(h.quantile(0.95) == doctest::Approx(95));
  CHECK(h.quantile(0.0) == doctest::Approx(0));
  CHECK(h.quantile(1.0) == doctest::Approx(100));
  CHECK(h.quantile(2.0) == doctest::Approx(100));

  h.observe(1000);  // in +Inf: the highest finite bound is the best estimate
  CHECK(h.quantile(1.0) == doctest::Approx(100));

  Histogram sparse({1, 2, 4, 8});
  sparse.observe(3);
  CHECK(sparse.quantile(0.0) == doctest::Approx(2));
  CHECK(sparse.quantile(0.5) == doctest::Approx(3));
  CHECK(sparse.quantile(0.99) == doctest::Approx(3.98));
}

TEST_CASE("bucket helpers") {
  CHECK(ballast::daemon::linear_buckets(0.5, 0.5, 3) == std::vector<double>{0.5, 1.0, 1.5});
  CHECK(ballast::daemon::exponential_buckets(1e-6, 10, 3) ==
        std::vector<double>{1e-6, 1e-6 * 10, 1e-6 * 10 * 10});
  CHECK_THROWS_AS(ballast::daemon::exponential_buckets(0, 2, 3), std::invalid_argument);
  CHECK_THROWS_AS(ballast::daemon::exponential_buckets(1, 1, 3), std::invalid_argument);
}

TEST_CASE("registration refuses invalid or repeated names and wrong label counts") {
  MetricsRegistry registry;
  CHECK_THROWS_AS(registry.counter("1abc", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("a-b", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter_family("ok_total", "x", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter_family("ok_total", "x", {"a:b"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter_family("ok_total", "x", {"a", "a"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram_family("h", "x", {"le"}, {1}), std::invalid_argument);

  auto& family = registry.counter_family("ballast:ok_total", "x", {"a"});
  CHECK_THROWS_AS(registry.gauge("ballast:ok_total", "again"), std::invalid_argument);
  CHECK_THROWS_AS(family.with({}), std::invalid_argument);
  CHECK_THROWS_AS(family.with({"1", "2"}), std::invalid_argument);
  // refused registrations leave nothing behind
  CHECK(registry.render() == "# HELP ballast:ok_total x\n# TYPE ballast:ok_total counter\n");
}

TEST_CASE("collect hooks run before every render") {
  MetricsRegistry registry;
  auto& uptime = registry.gauge("ballast_uptime_seconds", "Seconds since start.");
  double now = 5;
  registry.on_collect([&] { uptime.set(now); });
  CHECK(registry.render().find("ballast_uptime_seconds 5\n") != std::string::npos);
  now = 7.5;
  CHECK(registry.render().find("ballast_uptime_seconds 7.5\n") != std::string::npos);
}

}  // namespace test_metrics
