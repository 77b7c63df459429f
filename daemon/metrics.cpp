#include "daemon/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/number_text.hpp"

namespace ballast::daemon {

namespace {

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_valid_name(std::string_view name, bool allow_colon) {
  if (name.empty() || !is_name_start(name.front(), allow_colon)) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
  });
}

void append_escaped(std::string& out, std::string_view s, bool escape_quote) {
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, ptr);
}

/// `name{labels} ` or `name ` — the part of a sample line before its value.
void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        std::string_view labels) {
  out += name;
  out += suffix;
  if (!labels.empty()) {
    out.push_back('{');
    out += labels;
    out.push_back('}');
  }
  out.push_back(' ');
}

}  // namespace

void append_prometheus_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    core::append_shortest(out, v);
  }
}

// ---------------------------------------------------------------- Histogram

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i])) throw std::invalid_argument("histogram bucket bounds must be finite");
    if (i > 0 && !(bounds_[i - 1] < bounds_[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly ascending");
    }
  }
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  ++counts_[bucket];
  ++count_;
  sum_ += v;
}

std::uint64_t Histogram::cumulative_count(std::size_t bucket) const {
  const std::size_t last = std::min(bucket, counts_.size() - 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= last; ++i) total += counts_[i];
  return total;
}

double Histogram::quantile(double q) const {
  if (count_ == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count_);

  // The first bucket that reaches the rank and holds something, so that the
  // interpolation below never divides by an empty bucket.
  std::uint64_t below = 0;
  std::size_t bucket = 0;
  for (; bucket < counts_.size(); ++bucket) {
    const std::uint64_t cumulative = below + counts_[bucket];
    if (counts_[bucket] > 0 && static_cast<double>(cumulative) >= rank) break;
    below = cumulative;
  }
  if (bucket >= bounds_.size()) {
    return bounds_.empty() ? std::numeric_limits<double>::quiet_NaN() : bounds_.back();
  }
  const double upper = bounds_[bucket];
  double lower = 0.0;
  if (bucket > 0) {
    lower = bounds_[bucket - 1];
  } else if (upper <= 0.0) {
    return upper;
  }
  const double in_bucket = static_cast<double>(counts_[bucket]);
  const double fraction = std::clamp((rank - static_cast<double>(below)) / in_bucket, 0.0, 1.0);
  return lower + (upper - lower) * fraction;
}

std::vector<double> linear_buckets(double start, double width, std::size_t count) {
  std::vector<double> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(start + width * static_cast<double>(i));
  return out;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (!(start > 0.0) || !(factor > 1.0)) {
    throw std::invalid_argument("exponential buckets need start > 0 and factor > 1");
  }
  std::vector<double> out;
  out.reserve(count);
  double bound = start;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(bound);
    bound *= factor;
  }
  return out;
}

// ---------------------------------------------------------------- families

namespace detail {

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
                       bool histogram)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!is_valid_name(name_, true)) throw std::invalid_argument("invalid metric name '" + name_ + "'");
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    const std::string& label = label_names_[i];
    if (!is_valid_name(label, false) || label.rfind("__", 0) == 0) {
      throw std::invalid_argument("invalid label name '" + label + "' on " + name_);
    }
    if (histogram && label == "le") {
      throw std::invalid_argument("a histogram cannot have a label 'le' (" + name_ + ")");
    }
    if (std::find(label_names_.begin(), label_names_.begin() + static_cast<std::ptrdiff_t>(i), label) !=
        label_names_.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::invalid_argument("label '" + label + "' given twice on " + name_);
    }
  }
}

std::string FamilyBase::label_text(const std::vector<std::string>& label_values) const {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + " has " + std::to_string(label_names_.size()) + " labels, got " +
                                std::to_string(label_values.size()) + " values");
  }
  std::string out;
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += label_names_[i];
    out += "=\"";
    append_escaped(out, label_values[i], true);
    out.push_back('"');
  }
  return out;
}

void FamilyBase::render_header(std::string& out, std::string_view type) const {
  out += "# HELP ";
  out += name_;
  out.push_back(' ');
  append_escaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out.push_back(' ');
  out += type;
  out.push_back('\n');
}

template <class Metric>
Metric& SeriesFamily<Metric>::with(const std::vector<std::string>& label_values) {
  if (const auto it = index_.find(label_values); it != index_.end()) return *it->second;
  Series& series = series_.emplace_back(Series{label_text(label_values), make_metric()});
  index_.emplace(label_values, &series.metric);
  return series.metric;
}

template class SeriesFamily<Counter>;
template class SeriesFamily<Gauge>;
template class SeriesFamily<Histogram>;

}  // namespace detail

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names), false) {}

void CounterFamily::render(std::string& out) const {
  render_header(out, "counter");
  for (const Series& s : series_) {
    append_series_name(out, name_, "", s.labels);
    append_prometheus_number(out, s.metric.value());
    out.push_back('\n');
  }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names), false) {}

void GaugeFamily::render(std::string& out) const {
  render_header(out, "gauge");
  for (const Series& s : series_) {
    append_series_name(out, name_, "", s.labels);
    append_prometheus_number(out, s.metric.value());
    out.push_back('\n');
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : SeriesFamily(std::move(name), std::move(help), std::move(label_names), true),
      prototype_(std::move(upper_bounds)) {
  for (const double bound : prototype_.upper_bounds()) {
    std::string text;
    append_prometheus_number(text, bound);
    le_.push_back(std::move(text));
  }
  le_.emplace_back("+Inf");
}

void HistogramFamily::render(std::string& out) const {
  render_header(out, "histogram");
  for (const Series& s : series_) {
    const Histogram& h = s.metric;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < le_.size(); ++i) {
      cumulative += h.bucket_count(i);
      out += name_;
      out += "_bucket{";
      if (!s.labels.empty()) {
        out += s.labels;
        out.push_back(',');
      }
      out += "le=\"";
      out += le_[i];
      out += "\"} ";
      append_uint(out, cumulative);
      out.push_back('\n');
    }
    append_series_name(out, name_, "_sum", s.labels);
    append_prometheus_number(out, h.sum());
    out.push_back('\n');
    append_series_name(out, name_, "_count", s.labels);
    append_uint(out, h.count());
    out.push_back('\n');
  }
}

// ---------------------------------------------------------------- registry

template <class Family, class... Args>
Family& MetricsRegistry::add(Args&&... args) {
  auto family = std::make_unique<Family>(std::forward<Args>(args)...);
  for (const auto& existing : families_) {
    if (existing->name() == family->name()) {
      throw std::invalid_argument("metric '" + family->name() + "' registered twice");
    }
  }
  Family& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

CounterFamily& MetricsRegistry::counter_family(std::string name, std::string help,
                                               std::vector<std::string> label_names) {
  return add<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
}

GaugeFamily& MetricsRegistry::gauge_family(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  return add<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
}

HistogramFamily& MetricsRegistry::histogram_family(std::string name, std::string help,
                                                   std::vector<std::string> label_names,
                                                   std::vector<double> upper_bounds) {
  return add<HistogramFamily>(std::move(name), std::move(help), std::move(label_names),
                              std::move(upper_bounds));
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help, std::vector<double> upper_bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(upper_bounds)).with({});
}

void MetricsRegistry::on_collect(std::function<void()> hook) { collect_hooks_.push_back(std::move(hook)); }

std::string MetricsRegistry::render() const {
  std::string out;
  render_to(out);
  return out;
}

void MetricsRegistry::render_to(std::string& out) const {
  for (const auto& hook : collect_hooks_) hook();
  for (const auto& family : families_) family->render(out);
}

}  // namespace ballast::daemon
