#pragma once
// Prometheus text exposition (format 0.0.4) for GET /metrics, without a client
// library. The daemon is single-threaded, so instruments are plain numbers;
// families are registered once at start and their series are looked up once
// and kept by reference, so that updating a metric on the tick path is an add.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::daemon {

/// The Content-Type of a rendered registry.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class Counter {
 public:
  /// Negative and NaN increments are ignored: a counter never goes down.
  void inc(double by = 1.0) {
    if (by > 0.0) value_ += by;
  }
  double value() const { return value_; }
  /// Follows a running total kept elsewhere (read when metrics are collected);
  /// a total below the counter's value leaves it as it is.
  void advance_to(double total) {
    if (total > value_) value_ = total;
  }

 private:
  double value_ = 0.0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void inc(double by = 1.0) { value_ += by; }
  void dec(double by = 1.0) { value_ -= by; }
  double value() const { return value_; }

 private:
  double value_ = 0.0;
};

/// Fixed buckets chosen at registration; observe() is a binary search and an
/// increment, with no allocation.
class Histogram {
 public:
  /// `upper_bounds` strictly ascending and finite (a trailing +Inf is dropped,
  /// it is always implied); std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> upper_bounds);

  /// Counts `v` in the first bucket whose bound is >= v. NaN is ignored, so
  /// that one bad sample cannot turn the sum into NaN for good.
  void observe(double v);

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  const std::vector<double>& upper_bounds() const { return bounds_; }
  /// Observations in (upper_bounds()[bucket - 1], upper_bounds()[bucket]];
  /// bucket == upper_bounds().size() is the +Inf bucket.
  std::uint64_t bucket_count(std::size_t bucket) const { return counts_.at(bucket); }
  /// Observations <= upper_bounds()[bucket]; bucket == upper_bounds().size()
  /// is the +Inf bucket, equal to count().
  std::uint64_t cumulative_count(std::size_t bucket) const;

  /// Estimates the q-quantile (q clamped to [0, 1]) by linear interpolation
  /// inside the bucket that holds it, as Prometheus' histogram_quantile does:
  /// the lowest bucket starts at 0 (or at its bound when that is <= 0), and a
  /// rank in the +Inf bucket returns the highest finite bound. NaN when empty.
  double quantile(double q) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; the last is +Inf
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
};

/// `count` bounds start, start + width, ...
std::vector<double> linear_buckets(double start, double width, std::size_t count);
/// `count` bounds start, start * factor, ... (start > 0, factor > 1).
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);

namespace detail {

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, bool histogram);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  /// Appends HELP, TYPE and every series.
  virtual void render(std::string& out) const = 0;

 protected:
  /// `a="x",b="y"` with values escaped; std::invalid_argument when the count
  /// of values differs from the count of label names.
  std::string label_text(const std::vector<std::string>& label_values) const;
  void render_header(std::string& out, std::string_view type) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

template <class Metric>
class SeriesFamily : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  /// The series for these label values (in label-name order), created on
  /// first use. The reference stays valid as long as the registry.
  Metric& with(const std::vector<std::string>& label_values);

 protected:
  struct Series {
    std::string labels;  // label_text() of the values
    Metric metric;
  };
  virtual Metric make_metric() const = 0;

  std::deque<Series> series_;  // insertion order is render order; a deque keeps references stable
  std::map<std::vector<std::string>, Metric*> index_;
};

// Defined in metrics.cpp for the three instruments.
extern template class SeriesFamily<Counter>;
extern template class SeriesFamily<Gauge>;
extern template class SeriesFamily<Histogram>;

}  // namespace detail

class CounterFamily final : public detail::SeriesFamily<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void render(std::string& out) const override;

 private:
  Counter make_metric() const override { return Counter{}; }
};

class GaugeFamily final : public detail::SeriesFamily<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void render(std::string& out) const override;

 private:
  Gauge make_metric() const override { return Gauge{}; }
};

class HistogramFamily final : public detail::SeriesFamily<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);
  void render(std::string& out) const override;

 private:
  Histogram make_metric() const override { return prototype_; }
  Histogram prototype_;          // validated bounds, copied into each series
  std::vector<std::string> le_;  // rendered bounds, "+Inf" last
};

/// Owns the families and renders them in registration order. Registering an
/// invalid name (Prometheus' [a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':' and
/// not starting with "__", no "le" on a histogram) or a name twice throws
/// std::invalid_argument: those are programming errors, found at start.
class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  CounterFamily& counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  GaugeFamily& gauge_family(std::string name, std::string help, std::vector<std::string> label_names);
  HistogramFamily& histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                    std::vector<double> upper_bounds);

  /// A family without labels and its single series.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);

  /// Runs before every render, for values that are derived rather than
  /// counted (uptime, the age of the last tick).
  void on_collect(std::function<void()> hook);

  std::string render() const;
  void render_to(std::string& out) const;

 private:
  template <class Family, class... Args>
  Family& add(Args&&... args);

  std::vector<std::unique_ptr<detail::FamilyBase>> families_;
  std::vector<std::function<void()>> collect_hooks_;
};

/// Appends a sample value as the exposition format spells it: "+Inf", "-Inf",
/// "NaN", otherwise the shortest decimal that reads back to the same double.
void append_prometheus_number(std::string& out, double v);

}  // namespace ballast::daemon
