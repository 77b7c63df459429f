#include "feeds/sim_publisher.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>
#include <utility>

#include "core/json_writer.hpp"
#include "core/text_format.hpp"
#include "core/wall_clock.hpp"

namespace ballast::feeds {
namespace {

using Clock = std::chrono::steady_clock;

// Short enough that Ctrl-C feels immediate, long enough not to spin.
constexpr auto kStopCheckInterval = std::chrono::milliseconds(50);

bool parse_double(std::string_view s, double& out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

/// Epoch seconds in plain decimal, exact to the nanosecond ("1700000000",
/// "1763908200.5"); shortest-double output would print "1.7e+09".
std::string format_epoch_seconds(core::TimeNs ts) {
  const bool negative = ts < 0;
  // Work on the magnitude as unsigned so the most negative value cannot overflow.
  const auto magnitude = negative ? 0ULL - static_cast<unsigned long long>(ts) : static_cast<unsigned long long>(ts);
  const unsigned long long whole = magnitude / 1'000'000'000ULL;
  const unsigned long long frac = magnitude % 1'000'000'000ULL;
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  if (frac != 0) {
    char digits[10];
    std::snprintf(digits, sizeof digits, "%09llu", frac);
    std::string_view f(digits, 9);
    while (!f.empty() && f.back() == '0') f.remove_suffix(1);
    out.push_back('.');
    out.append(f);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Rendering

std::string render_tick_json(std::string_view symbol, double price, core::TimeNs ts) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.field("symbol", symbol);
  w.field("price", price);
  w.key("ts").raw(format_epoch_seconds(ts));
  w.end_object();
  return out;
}

std::vector<std::string> render_tick_frames(std::string_view symbol, double price, core::TimeNs ts,
                                            core::Framing framing) {
  std::string json = render_tick_json(symbol, price, ts);
  if (framing == core::Framing::multipart) return {std::string(symbol), std::move(json)};
  std::string frame;
  frame.reserve(symbol.size() + 1 + json.size());
  frame.append(symbol);
  frame.push_back(' ');
  frame.append(json);
  return {std::move(frame)};
}

std::string check_publishable_symbols(const std::vector<std::string>& symbols, core::Framing framing) {
  for (const std::string& s : symbols) {
    if (s.empty()) return "empty symbol";
    if (framing == core::Framing::topic_json &&
        std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; })) {
      return "symbol '" + s + "' contains whitespace, which topic-json framing cannot carry";
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// TickPublisher

TickPublisher::TickPublisher(const PublisherOptions& options) : options_(options), context_(1) {}

std::unique_ptr<TickPublisher> TickPublisher::open(const PublisherOptions& options, std::string& error) {
  std::unique_ptr<TickPublisher> pub(new TickPublisher(options));
  try {
    pub->socket_ = zmq::socket_t(pub->context_, options.wait_for_subscriber ? zmq::socket_type::xpub
                                                                            : zmq::socket_type::pub);
    pub->socket_.set(zmq::sockopt::linger, static_cast<int>(options.linger.count()));
    if (options.curve) net::make_curve_client(pub->socket_, *options.curve);
    // A publisher reads only subscriptions.
    net::cap_messages(pub->socket_, net::kMaxControlBytes);
    if (options.connect) {
      pub->socket_.connect(options.endpoint);
    } else {
      pub->socket_.bind(options.endpoint);
    }
    pub->endpoint_ = pub->socket_.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    error = std::string(options.connect ? "cannot connect to " : "cannot bind ") + options.endpoint + ": " + e.what();
    return nullptr;
  }
  if (pub->endpoint_.empty()) pub->endpoint_ = options.endpoint;
  if (options.on_ready) options.on_ready(pub->endpoint_);
  return pub;
}

bool TickPublisher::drain_subscriptions() {
  if (!options_.wait_for_subscriber) return false;
  bool subscribed = false;
  try {
    zmq::message_t msg;
    while (socket_.recv(msg, zmq::recv_flags::dontwait)) {
      // XPUB delivers subscribe as \x01topic, unsubscribe as \x00topic.
      if (msg.size() > 0 && *static_cast<const unsigned char*>(msg.data()) == 1) subscribed = true;
    }
  } catch (const zmq::error_t&) {
    // EINTR from a signal: the caller's loop looks at the stop flag next.
  }
  return subscribed;
}

void TickPublisher::warm_up(const std::atomic<bool>& stop) {
  if (options_.warmup.count() <= 0) return;
  const auto deadline = Clock::now() + options_.warmup;
  if (!options_.wait_for_subscriber) {
    wait_until(deadline, stop);
    return;
  }
  while (!stop.load() && Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    zmq_pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    const long timeout_ms = std::clamp<long>(static_cast<long>(left.count()), 0, kStopCheckInterval.count());
    if (zmq_poll(&item, 1, timeout_ms) > 0 && drain_subscriptions()) return;
  }
}

bool TickPublisher::wait_until(Clock::time_point deadline, const std::atomic<bool>& stop) {
  while (true) {
    if (stop.load()) return false;
    drain_subscriptions();
    const auto now = Clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kStopCheckInterval));
  }
}

bool TickPublisher::send(std::string_view symbol, double price, core::TimeNs ts) {
  std::vector<std::string> frames = render_tick_frames(symbol, price, ts, options_.framing);
  try {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      // A PUB never blocks: past the high-water mark ZeroMQ drops the tick,
      // which is the right thing for prices (a newer one follows).
      socket_.send(zmq::buffer(frames[i]), flags | zmq::send_flags::dontwait);
    }
  } catch (const zmq::error_t& e) {
    last_error_ = std::string("send failed: ") + e.what();
    return false;
  }
  ++ticks_sent_;
  return true;
}

// ---------------------------------------------------------------------------
// The simulator

double sim_step_years(const SimOptions& options) { return options.speed / options.rate / kSimSecondsPerYear; }

std::optional<GbmAsset> parse_sim_asset(std::string_view spec, std::string& error) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() != 1 && parts.size() != 2 && parts.size() != 4) {
    error = "symbol '" + std::string(spec) + "': expected SYM, SYM:PRICE or SYM:PRICE:MU:SIGMA";
    return std::nullopt;
  }
  GbmAsset asset;
  asset.symbol = std::string(parts[0]);
  asset.drift = 0.05;
  asset.volatility = 0.2;
  if (asset.symbol.empty()) {
    error = "symbol '" + std::string(spec) + "': empty symbol name";
    return std::nullopt;
  }
  const auto number = [&](std::size_t i, const char* what, double& out) {
    if (parse_double(parts[i], out)) return true;
    error = "symbol '" + std::string(spec) + "': " + what + " '" + std::string(parts[i]) + "' is not a number";
    return false;
  };
  if (parts.size() >= 2) {
    if (!number(1, "price", asset.start_price)) return std::nullopt;
    if (asset.start_price <= 0) {
      error = "symbol '" + std::string(spec) + "': price must be > 0";
      return std::nullopt;
    }
  }
  if (parts.size() == 4) {
    if (!number(2, "drift", asset.drift) || !number(3, "volatility", asset.volatility)) return std::nullopt;
    if (asset.volatility < 0) {
      error = "symbol '" + std::string(spec) + "': volatility must be >= 0";
      return std::nullopt;
    }
  }
  return asset;
}

std::optional<Eigen::MatrixXd> parse_correlation_matrix(std::string_view text, std::string& error) {
  std::vector<std::vector<double>> rows;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view row_text = text.substr(start, end - start);
    std::vector<double> row;
    std::size_t i = 0;
    while (i < row_text.size()) {
      while (i < row_text.size() && (row_text[i] == ' ' || row_text[i] == ',' || row_text[i] == '\t')) ++i;
      const std::size_t token_start = i;
      while (i < row_text.size() && row_text[i] != ' ' && row_text[i] != ',' && row_text[i] != '\t') ++i;
      if (i == token_start) break;
      double v = 0;
      const std::string_view token = row_text.substr(token_start, i - token_start);
      if (!parse_double(token, v)) {
        error = "correlation: '" + std::string(token) + "' is not a number";
        return std::nullopt;
      }
      row.push_back(v);
    }
    if (!row.empty()) rows.push_back(std::move(row));
    start = end + 1;
  }
  if (rows.empty()) {
    error = "correlation: empty matrix";
    return std::nullopt;
  }
  const std::size_t n = rows.size();
  Eigen::MatrixXd m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t r = 0; r < n; ++r) {
    if (rows[r].size() != n) {
      error = "correlation: row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) +
              " entries, expected " + std::to_string(n) + " (a square matrix)";
      return std::nullopt;
    }
    for (std::size_t c = 0; c < n; ++c) m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
  }
  return m;
}

std::unique_ptr<TickPublisher> open_for(const PublisherOptions& options, const std::vector<std::string>& symbols,
                                        const std::atomic<bool>& stop, PublishSummary& summary) {
  if (std::string e = check_publishable_symbols(symbols, options.framing); !e.empty()) {
    summary.exit_code = 2;
    summary.error = std::move(e);
    return nullptr;
  }
  std::string error;
  std::unique_ptr<TickPublisher> pub = TickPublisher::open(options, error);
  if (!pub) {
    summary.exit_code = 1;
    summary.error = std::move(error);
    return nullptr;
  }
  summary.endpoint = pub->endpoint();
  pub->warm_up(stop);
  return pub;
}

bool send_step(TickPublisher& pub, std::span<const std::string> symbols, std::span<const double> prices,
               core::TimeNs ts, PublishSummary& summary) {
  for (std::size_t i = 0; i < symbols.size() && i < prices.size(); ++i) {
    if (std::isnan(prices[i])) continue;
    if (!pub.send(symbols[i], prices[i], ts)) {
      summary.exit_code = 1;
      summary.error = pub.last_error();
      return false;
    }
  }
  ++summary.steps;
  return true;
}

void finish_summary(const TickPublisher& pub, std::chrono::steady_clock::time_point start,
                    const std::atomic<bool>& stop, PublishSummary& summary) {
  if (!summary.stopped && stop.load()) summary.stopped = true;
  summary.ticks = pub.ticks_sent();
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

PublishSummary publish_sim(const SimOptions& options, const std::atomic<bool>& stop) {
  PublishSummary summary;
  if (!std::isfinite(options.rate) || options.rate <= 0 || options.rate > 1e6) {
    summary.exit_code = 2;
    summary.error = "rate must be a number in (0, 1e6] ticks per second";
    return summary;
  }
  if (!std::isfinite(options.speed) || options.speed <= 0) {
    summary.exit_code = 2;
    summary.error = "speed must be a number > 0 (simulated seconds per wall second)";
    return summary;
  }
  GbmParams params;
  params.assets = options.assets;
  params.correlation = options.correlation_matrix;
  params.common_correlation = options.correlation;
  params.seed = options.seed;
  GbmCreateResult created = GbmSimulator::create(std::move(params));
  if (!created.simulator) {
    summary.exit_code = 2;
    summary.error = created.error;
    return summary;
  }
  GbmSimulator& sim = *created.simulator;
  std::unique_ptr<TickPublisher> pub = open_for(options.publisher, sim.symbols(), stop, summary);
  if (!pub) return summary;

  const double dt_years = sim_step_years(options);
  const auto start = Clock::now();
  const std::chrono::duration<double> period(1.0 / options.rate);
  for (std::uint64_t k = 0; options.count == 0 || k < options.count; ++k) {
    // Deadlines from the start, not sleeps between steps, so the rate holds
    // on average however long a step took.
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(k));
    if (!pub->wait_until(deadline, stop)) {
      summary.stopped = true;
      break;
    }
    if (k > 0) sim.step(dt_years);
    if (!send_step(*pub, sim.symbols(), sim.prices(), core::wall_clock_now(), summary)) break;
  }
  finish_summary(*pub, start, stop, summary);
  return summary;
}

int run_sim_publisher(const SimOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                      std::ostream& err) {
  SimOptions opts = options;
  const auto user_on_ready = options.publisher.on_ready;
  opts.publisher.on_ready = [&](const std::string& endpoint) {
    out << "feed sim: " << opts.assets.size() << " symbols on " << endpoint << " ("
        << (opts.publisher.framing == core::Framing::multipart ? "multipart" : "topic-json") << ", "
        << opts.rate << " ticks/s per symbol, " << opts.speed << " simulated s per s, seed " << opts.seed
        << (opts.publisher.curve ? ", CURVE" : "") << ")" << std::endl;
    if (user_on_ready) user_on_ready(endpoint);
  };
  const PublishSummary s = publish_sim(opts, stop);
  if (s.exit_code != 0) {
    err << "feed sim: " << s.error << std::endl;
    return s.exit_code;
  }
  out << "feed sim: published " << s.ticks << " ticks (" << s.steps << " steps) on " << s.endpoint << " in "
      << core::printf_string("%.1f", s.elapsed_s) << " s" << (s.stopped ? ", stopped" : "") << std::endl;
  return 0;
}

}  // namespace ballast::feeds
