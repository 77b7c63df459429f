#include "feeds/replay_publisher.hpp"

#include <chrono>
#include <cmath>
#include <ostream>

#include "core/text_format.hpp"
#include "core/wall_clock.hpp"

namespace ballast::feeds {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

core::DurationNs replay_loop_span(const PriceTable& table) {
  const std::size_t n = table.times.size();
  if (n < 2) return core::kNanosPerSecond;
  return table.times[n - 1] - table.times[0] + (table.times[n - 1] - table.times[n - 2]);
}

ReplayStep replay_step(const PriceTable& table, const ReplayOptions& options, std::uint64_t n) {
  ReplayStep step;
  const std::uint64_t rows = table.times.size();
  step.row = static_cast<std::size_t>(n % rows);
  const auto pass = static_cast<core::DurationNs>(n / rows);
  step.ts = table.times[step.row] + pass * replay_loop_span(table);
  if (options.speed > 0) {
    step.wall_offset_s = core::to_seconds(step.ts - table.times[0]) / options.speed;
  } else if (options.rate > 0) {
    step.wall_offset_s = static_cast<double>(n) / options.rate;
  }
  return step;
}

PublishSummary publish_replay(const PriceTable& table, const ReplayOptions& options, const std::atomic<bool>& stop) {
  PublishSummary summary;
  if (!std::isfinite(options.speed) || options.speed < 0) {
    summary.exit_code = 2;
    summary.error = "speed must be a number >= 0 (data seconds per wall second)";
    return summary;
  }
  if (!std::isfinite(options.rate) || options.rate < 0) {
    summary.exit_code = 2;
    summary.error = "rate must be a number >= 0 (rows per second)";
    return summary;
  }
  if (table.rows() == 0 || table.cols() == 0) {
    summary.exit_code = 1;
    summary.error = "no prices to replay";
    return summary;
  }
  std::unique_ptr<TickPublisher> pub = open_for(options.publisher, table.symbols, stop, summary);
  if (!pub) return summary;

  if (options.sync && options.sync->start) {
    if (std::string error = options.sync->start(); !error.empty()) {
      summary.exit_code = 1;
      summary.error = std::move(error);
      return summary;
    }
  }
  const auto start = Clock::now();
  for (std::uint64_t n = 0;; ++n) {
    if (options.count != 0 && n >= options.count) break;
    if (!options.loop && n >= table.rows()) break;
    const ReplayStep step = replay_step(table, options, n);
    const auto deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(step.wall_offset_s));
    if (!pub->wait_until(deadline, stop)) {
      summary.stopped = true;
      break;
    }
    const core::TimeNs ts = options.wall_clock_ts ? core::wall_clock_now() : step.ts;
    const std::span<const double> row(table.prices.data() + step.row * table.cols(), table.cols());
    if (!send_step(*pub, table.symbols, row, ts, summary)) break;
    if (options.sync && options.sync->after_row) {
      const bool last = (options.count != 0 && n + 1 >= options.count) || (!options.loop && n + 1 >= table.rows());
      if (std::string error = options.sync->after_row(pub->ticks_sent(), last); !error.empty()) {
        summary.exit_code = 1;
        summary.error = std::move(error);
        break;
      }
    }
  }
  finish_summary(*pub, start, stop, summary);
  return summary;
}

PublishSummary publish_replay(const ReplayOptions& options, const std::atomic<bool>& stop) {
  PriceTableResult loaded = load_price_table(options.path);
  if (!loaded.ok()) {
    PublishSummary summary;
    summary.exit_code = 1;
    for (std::size_t i = 0; i < loaded.errors.size(); ++i) {
      if (i > 0) summary.error += '\n';
      summary.error += loaded.errors[i];
    }
    return summary;
  }
  return publish_replay(loaded.table, options, stop);
}

int run_replay_publisher(const ReplayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                         std::ostream& err) {
  PriceTableResult loaded = load_price_table(options.path);
  if (!loaded.ok()) {
    for (const std::string& e : loaded.errors) err << e << '\n';
    err.flush();
    return 1;
  }
  const PriceTable& table = loaded.table;
  ReplayOptions opts = options;
  const auto user_on_ready = options.publisher.on_ready;
  opts.publisher.on_ready = [&](const std::string& endpoint) {
    out << "feed replay: " << table.rows() << " rows of " << table.cols() << " symbols from " << opts.path << " on "
        << endpoint << " (" << (opts.publisher.framing == core::Framing::multipart ? "multipart" : "topic-json");
    if (opts.speed > 0) {
      out << ", " << opts.speed << " data s per s";
    } else if (opts.rate > 0) {
      out << ", " << opts.rate << " rows/s";
    } else {
      out << ", unpaced";
    }
    out << (opts.loop ? ", looping" : "") << (opts.wall_clock_ts ? ", wall-clock ts" : "")
        << (opts.sync ? ", in lock-step" : "")
        << (opts.publisher.curve ? ", CURVE" : "") << ")" << std::endl;
    if (user_on_ready) user_on_ready(endpoint);
  };
  const PublishSummary s = publish_replay(table, opts, stop);
  if (s.exit_code != 0) {
    err << "feed replay: " << s.error << std::endl;
    return s.exit_code;
  }
  out << "feed replay: published " << s.ticks << " ticks (" << s.steps << " rows) on " << s.endpoint << " in "
      << core::printf_string("%.1f", s.elapsed_s) << " s" << (s.stopped ? ", stopped" : "") << std::endl;
  return 0;
}

}  // namespace ballast::feeds
