#include <doctest/doctest.h>

#include "tests/support/temp_file.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <simdjson.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "core/time.hpp"
#include "feeds/gbm_simulator.hpp"
#include "feeds/replay_publisher.hpp"
#include "feeds/sim_publisher.hpp"

namespace test_publishers {

using namespace std::chrono_literals;
using ballast::core::Framing;
using ballast::core::kNanosPerSecond;
using ballast::core::parse_iso8601;
using ballast::core::TimeNs;
namespace feeds = ballast::feeds;

namespace {

TimeNs wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Runs a publisher on its own thread; the destructor stops and joins it so a
/// failed assertion never leaves a thread running.
class PublisherThread {
 public:
  explicit PublisherThread(std::function<feeds::PublishSummary(const std::atomic<bool>&)> body)
      : thread_([this, body = std::move(body)] { summary_ = body(stop_); }) {}
  ~PublisherThread() {
    stop();
    join();
  }
  void stop() { stop_ = true; }
  const feeds::PublishSummary& join() {
    if (thread_.joinable()) thread_.join();
    return summary_;
  }

 private:
  std::atomic<bool> stop_{false};
  feeds::PublishSummary summary_;
  std::thread thread_;
};

/// The endpoint a publisher reports through on_ready.
struct ReadyEndpoint {
  std::promise<std::string> promise;
  std::future<std::string> future = promise.get_future();
  std::function<void(const std::string&)> callback() {
    return [this](const std::string& e) { promise.set_value(e); };
  }
  std::string wait() {
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }
};

/// Receives one message (all its frames) or nothing by the deadline.
std::optional<std::vector<std::string>> receive(zmq::socket_t& socket, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq_pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, static_cast<long>(left.count())) <= 0) continue;
    std::vector<std::string> frames;
    zmq::message_t msg;
    do {
      if (!socket.recv(msg, zmq::recv_flags::dontwait)) break;
      frames.emplace_back(msg.to_string());
    } while (msg.more());
    return frames;
  }
}

std::vector<std::vector<std::string>> receive_n(zmq::socket_t& socket, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<std::vector<std::string>> out;
  while (out.size() < n) {
    auto m = receive(socket, deadline);
    if (!m) break;
    out.push_back(std::move(*m));
  }
  return out;
}

struct ParsedTick {
  std::string topic;
  std::string symbol;
  double price = 0;
  double ts = 0;
};

ParsedTick parse_tick(const std::vector<std::string>& frames, Framing framing) {
  ParsedTick t;
  std::string json;
  if (framing == Framing::multipart) {
    REQUIRE(frames.size() == 2);
    t.topic = frames[0];
    json = frames[1];
  } else {
    REQUIRE(frames.size() == 1);
    const auto space = frames[0].find(' ');
    REQUIRE(space != std::string::npos);
    t.topic = frames[0].substr(0, space);
    json = frames[0].substr(space + 1);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  t.symbol = std::string(std::string_view(doc["symbol"]));
  t.price = double(doc["price"]);
  t.ts = double(doc["ts"]);
  return t;
}

using ballast::testing::TempFile;

feeds::SimOptions two_symbol_sim() {
  feeds::SimOptions o;
  o.assets = {{"SPY", 500.0, 0.10, 0.20}, {"AGG", 100.0, 0.03, 0.10}};
  o.correlation = 0.3;
  o.seed = 99;
  return o;
}

}  // namespace

// ---------------------------------------------------------------------------
// Pure parts

TEST_CASE("tick frames in multipart framing are topic then JSON") {
  const TimeNs ts = 1'763'908'200LL * kNanosPerSecond + 500'000'000;
  const auto frames = feeds::render_tick_frames("SPY", 589.2, ts, Framing::multipart);
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == "SPY");
  CHECK(frames[1] == R"({"symbol":"SPY","price":589.2,"ts":1763908200.5})");
}

TEST_CASE("tick frames in topic-json framing are one frame split at the first space") {
  const TimeNs ts = 1'700'000'000LL * kNanosPerSecond;
  const auto frames = feeds::render_tick_frames("BTC-USD", 42000.5, ts, Framing::topic_json);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == R"(BTC-USD {"symbol":"BTC-USD","price":42000.5,"ts":1700000000})");
}

TEST_CASE("tick JSON writes ts as plain epoch seconds, exact to the nanosecond") {
  CHECK(feeds::render_tick_json("X", 2.5, 1'763'908'200'123'456'789LL) ==
        R"({"symbol":"X","price":2.5,"ts":1763908200.123456789})");
  CHECK(feeds::render_tick_json("X", 2.5, -1'500'000'000LL) == R"({"symbol":"X","price":2.5,"ts":-1.5})");
}

TEST_CASE("tick JSON escapes symbols") {
  CHECK(feeds::render_tick_json("A\"B", 1.0, 0) == R"({"symbol":"A\"B","price":1,"ts":0})");
}

TEST_CASE("symbols with whitespace cannot be published in topic-json framing") {
  CHECK(feeds::check_publishable_symbols({"SPY", "BRK B"}, Framing::multipart).empty());
  CHECK_FALSE(feeds::check_publishable_symbols({"SPY", "BRK B"}, Framing::topic_json).empty());
  CHECK_FALSE(feeds::check_publishable_symbols({""}, Framing::multipart).empty());
}

TEST_CASE("sim asset specs give symbol, price, drift and volatility") {
  std::string error;
  auto a = feeds::parse_sim_asset("SPY", error);
  REQUIRE(a);
  CHECK(a->symbol == "SPY");
  CHECK(a->start_price == 100.0);
  CHECK(a->drift == 0.05);
  CHECK(a->volatility == 0.2);
  auto b = feeds::parse_sim_asset("AGG:98.5", error);
  REQUIRE(b);
  CHECK(b->start_price == 98.5);
  auto c = feeds::parse_sim_asset("BTC-USD:42000:0.3:-0", error);
  REQUIRE(c);
  CHECK(c->drift == 0.3);
  CHECK(c->volatility == 0.0);
  auto d = feeds::parse_sim_asset("X:1:-0.02:0.15", error);
  REQUIRE(d);
  CHECK(d->drift == -0.02);

  for (const char* bad : {"", ":100", "SPY:abc", "SPY:0", "SPY:-5", "SPY:1:2", "SPY:1:0.1:-0.2", "SPY:1:x:0.2",
                          "SPY:1:0.1:0.2:9", "SPY:nan"}) {
    error.clear();
    CHECK_MESSAGE(!feeds::parse_sim_asset(bad, error), bad);
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("correlation matrices parse from rows separated by semicolons") {
  std::string error;
  auto m = feeds::parse_correlation_matrix("1, 0.3; 0.3 1", error);
  REQUIRE_MESSAGE(m, error);
  REQUIRE(m->rows() == 2);
  CHECK((*m)(0, 1) == 0.3);
  CHECK((*m)(1, 1) == 1.0);
  CHECK_FALSE(feeds::parse_correlation_matrix("1,0.3;0.3", error));
  CHECK(error.find("row 2") != std::string::npos);
  CHECK_FALSE(feeds::parse_correlation_matrix("1,x;0.3,1", error));
  CHECK_FALSE(feeds::parse_correlation_matrix(" ; ", error));
}

TEST_CASE("sim step length follows speed and rate") {
  feeds::SimOptions o;
  CHECK(feeds::sim_step_years(o) == doctest::Approx(1.0 / 252.0 / 10.0));
  o.speed = feeds::kSimSecondsPerYear;
  o.rate = 4;
  CHECK(feeds::sim_step_years(o) == doctest::Approx(0.25));
}

TEST_CASE("replay steps follow rows, rate and speed") {
  feeds::PriceTable t;
  t.symbols = {"X"};
  t.times = {0, 60 * kNanosPerSecond, 180 * kNanosPerSecond};
  t.prices = {1, 2, 3};
  feeds::ReplayOptions o;

  o.rate = 4;
  CHECK(feeds::replay_step(t, o, 2).row == 2);
  CHECK(feeds::replay_step(t, o, 2).ts == 180 * kNanosPerSecond);
  CHECK(feeds::replay_step(t, o, 2).wall_offset_s == doctest::Approx(0.5));

  o.speed = 60;  // one data minute per wall second
  CHECK(feeds::replay_step(t, o, 1).wall_offset_s == doctest::Approx(1.0));
  CHECK(feeds::replay_step(t, o, 2).wall_offset_s == doctest::Approx(3.0));

  o.speed = 0;
  o.rate = 0;
  CHECK(feeds::replay_step(t, o, 2).wall_offset_s == 0.0);
}

TEST_CASE("looped replay shifts each pass so times keep increasing") {
  feeds::PriceTable t;
  t.symbols = {"X"};
  t.times = {100 * kNanosPerSecond, 160 * kNanosPerSecond, 200 * kNanosPerSecond};
  t.prices = {1, 2, 3};
  CHECK(feeds::replay_loop_span(t) == 140 * kNanosPerSecond);
  feeds::ReplayOptions o;
  o.loop = true;
  TimeNs previous = -1;
  for (std::uint64_t n = 0; n < 10; ++n) {
    const auto s = feeds::replay_step(t, o, n);
    CHECK(s.row == n % 3);
    CHECK(s.ts > previous);
    previous = s.ts;
  }
  CHECK(feeds::replay_step(t, o, 3).ts == 240 * kNanosPerSecond);

  feeds::PriceTable single;
  single.symbols = {"X"};
  single.times = {5};
  single.prices = {1};
  CHECK(feeds::replay_loop_span(single) == kNanosPerSecond);
}

// ---------------------------------------------------------------------------
// Over real sockets

TEST_CASE("sim publisher sends the seeded path to a real subscriber") {
  feeds::SimOptions o = two_symbol_sim();
  o.rate = 2000;
  o.count = 25;
  o.publisher.endpoint = "tcp://127.0.0.1:*";
  o.publisher.wait_for_subscriber = true;
  o.publisher.warmup = 10s;
  ReadyEndpoint ready;
  o.publisher.on_ready = ready.callback();

  const TimeNs started = wall_now();
  PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_sim(o, stop); });
  const std::string endpoint = ready.wait();
  CHECK(endpoint.rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK(endpoint != "tcp://127.0.0.1:*");

  zmq::context_t ctx;
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(endpoint);
  const auto messages = receive_n(sub, 50);
  const feeds::PublishSummary& summary = pub.join();
  const TimeNs finished = wall_now();

  CHECK(summary.exit_code == 0);
  CHECK(summary.ticks == 50);
  CHECK(summary.steps == 25);
  CHECK_FALSE(summary.stopped);
  REQUIRE(messages.size() == 50);

  // The same seed and step length reproduce every published price exactly.
  feeds::GbmParams p;
  p.assets = o.assets;
  p.common_correlation = o.correlation;
  p.seed = o.seed;
  auto reference = feeds::GbmSimulator::create(p);
  REQUIRE(reference.simulator);
  for (std::size_t k = 0; k < 25; ++k) {
    if (k > 0) reference.simulator->step(feeds::sim_step_years(o));
    for (std::size_t i = 0; i < 2; ++i) {
      const ParsedTick t = parse_tick(messages[2 * k + i], Framing::multipart);
      CHECK(t.topic == o.assets[i].symbol);
      CHECK(t.symbol == o.assets[i].symbol);
      CHECK(t.price == reference.simulator->prices()[i]);
      CHECK(t.ts >= ballast::core::to_seconds(started) - 1e-3);
      CHECK(t.ts <= ballast::core::to_seconds(finished) + 1e-3);
    }
  }
}

TEST_CASE("replay publisher connects to a bound subscriber and stamps the data's time") {
  TempFile csv("date,SPY,AGG\n2024-01-02,470,\n2024-01-03,471,98\n");
  zmq::context_t ctx;
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "");
  sub.bind("tcp://127.0.0.1:*");
  const std::string endpoint = sub.get(zmq::sockopt::last_endpoint);

  feeds::ReplayOptions o;
  o.path = csv.path();
  o.rate = 0;
  o.publisher.endpoint = endpoint;
  o.publisher.connect = true;
  o.publisher.framing = Framing::topic_json;
  o.publisher.wait_for_subscriber = true;
  o.publisher.warmup = 10s;

  SUBCASE("one pass") {
    PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_replay(o, stop); });
    const auto messages = receive_n(sub, 3);
    const auto& summary = pub.join();
    CHECK(summary.exit_code == 0);
    CHECK(summary.steps == 2);
    CHECK(summary.ticks == 3);
    REQUIRE(messages.size() == 3);
    const ParsedTick a = parse_tick(messages[0], Framing::topic_json);
    const ParsedTick b = parse_tick(messages[1], Framing::topic_json);
    const ParsedTick c = parse_tick(messages[2], Framing::topic_json);
    CHECK(a.topic == "SPY");
    CHECK(a.price == 470.0);
    CHECK(a.ts == ballast::core::to_seconds(*parse_iso8601("2024-01-02")));
    CHECK(b.symbol == "SPY");
    CHECK(b.price == 471.0);
    CHECK(c.symbol == "AGG");
    CHECK(c.price == 98.0);
    CHECK(c.ts == ballast::core::to_seconds(*parse_iso8601("2024-01-03")));
  }
  SUBCASE("looping with a count") {
    o.loop = true;
    o.count = 5;
    PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_replay(o, stop); });
    const auto messages = receive_n(sub, 7);
    const auto& summary = pub.join();
    CHECK(summary.steps == 5);
    CHECK(summary.ticks == 7);
    REQUIRE(messages.size() == 7);
    double previous_spy_ts = 0;
    int spy_ticks = 0;
    for (const auto& m : messages) {
      const ParsedTick t = parse_tick(m, Framing::topic_json);
      if (t.symbol != "SPY") continue;
      CHECK(t.ts > previous_spy_ts);
      previous_spy_ts = t.ts;
      ++spy_ticks;
    }
    CHECK(spy_ticks == 5);
    CHECK(previous_spy_ts == ballast::core::to_seconds(*parse_iso8601("2024-01-06")));
  }
  SUBCASE("in lock-step: the hooks see each row's ticks and the last row; an error stops the replay") {
    std::vector<std::string> calls;
    o.loop = true;
    o.count = 3;
    o.sync = feeds::ReplaySync{[&] {
                                 calls.push_back("start");
                                 return std::string();
                               },
                               [&](std::uint64_t ticks, bool last) {
                                 calls.push_back(std::to_string(ticks) + (last ? " last" : ""));
                                 return std::string();
                               }};
    {
      PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_replay(o, stop); });
      receive_n(sub, 4);
      CHECK(pub.join().exit_code == 0);
    }
    CHECK(calls == std::vector<std::string>{"start", "1", "3", "4 last"});
    o.sync->after_row = [](std::uint64_t, bool) { return std::string("the consumer is gone"); };
    PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_replay(o, stop); });
    receive_n(sub, 1);
    const auto& summary = pub.join();
    CHECK(summary.exit_code == 1);
    CHECK(summary.error == "the consumer is gone");
    CHECK(summary.steps == 1);
  }
  SUBCASE("wall-clock stamps") {
    o.wall_clock_ts = true;
    const TimeNs started = wall_now();
    PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_replay(o, stop); });
    const auto messages = receive_n(sub, 3);
    pub.join();
    REQUIRE(messages.size() == 3);
    CHECK(parse_tick(messages[0], Framing::topic_json).ts >= ballast::core::to_seconds(started) - 1e-3);
  }
}

TEST_CASE("sim publisher without a count runs until stopped") {
  feeds::SimOptions o = two_symbol_sim();
  o.rate = 1000;
  o.publisher.endpoint = "tcp://127.0.0.1:*";
  o.publisher.wait_for_subscriber = true;
  o.publisher.warmup = 10s;
  ReadyEndpoint ready;
  o.publisher.on_ready = ready.callback();
  PublisherThread pub([o](const std::atomic<bool>& stop) { return feeds::publish_sim(o, stop); });
  zmq::context_t ctx;
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "AGG");
  sub.connect(ready.wait());
  const auto messages = receive_n(sub, 10);
  CHECK(messages.size() == 10);
  for (const auto& m : messages) CHECK(m[0] == "AGG");
  pub.stop();
  const auto& summary = pub.join();
  CHECK(summary.exit_code == 0);
  CHECK(summary.stopped);
  CHECK(summary.ticks >= 20);
}

TEST_CASE("a publisher honours a stop flag set during its warmup") {
  feeds::SimOptions o = two_symbol_sim();
  o.publisher.endpoint = "tcp://127.0.0.1:*";
  o.publisher.warmup = 60s;
  std::atomic<bool> stop{true};
  const auto t0 = std::chrono::steady_clock::now();
  const auto summary = feeds::publish_sim(o, stop);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(summary.exit_code == 0);
  CHECK(summary.stopped);
  CHECK(summary.ticks == 0);
}

TEST_CASE("publishers refuse unusable options with exit codes") {
  std::atomic<bool> stop{false};
  SUBCASE("a correlation that is not positive definite is a usage error") {
    feeds::SimOptions o = two_symbol_sim();
    o.correlation = 1.0;
    o.publisher.endpoint = "tcp://127.0.0.1:*";
    const auto s = feeds::publish_sim(o, stop);
    CHECK(s.exit_code == 2);
    CHECK(s.error.find("positive definite") != std::string::npos);
  }
  SUBCASE("a zero rate is a usage error") {
    feeds::SimOptions o = two_symbol_sim();
    o.rate = 0;
    CHECK(feeds::publish_sim(o, stop).exit_code == 2);
  }
  SUBCASE("an endpoint that cannot be bound is a runtime error") {
    feeds::SimOptions o = two_symbol_sim();
    o.publisher.endpoint = "nonsense-endpoint";
    const auto s = feeds::publish_sim(o, stop);
    CHECK(s.exit_code == 1);
    CHECK(s.error.find("cannot bind nonsense-endpoint") == 0);
  }
  SUBCASE("a missing price file names the file") {
    feeds::ReplayOptions o;
    o.path = "/nonexistent/ballast/prices.csv";
    const auto s = feeds::publish_replay(o, stop);
    CHECK(s.exit_code == 1);
    CHECK(s.error.find("/nonexistent/ballast/prices.csv") == 0);
  }
  SUBCASE("a broken price file reports every located error and publishes nothing") {
    TempFile csv("date,SPY\n2024-01-02,x\n2024-01-01,1\n2024-01-03,-2\n");
    feeds::ReplayOptions o;
    o.path = csv.path();
    std::ostringstream out, err;
    CHECK(feeds::run_replay_publisher(o, stop, out, err) == 1);
    CHECK(out.str().empty());
    CHECK(err.str().find(csv.path() + ":2: ") != std::string::npos);
    CHECK(err.str().find(csv.path() + ":4: ") != std::string::npos);
  }
}

TEST_CASE("run_sim_publisher prints where it publishes and a summary") {
  feeds::SimOptions o = two_symbol_sim();
  o.publisher.endpoint = "tcp://127.0.0.1:*";
  o.rate = 1000;
  o.count = 3;
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  CHECK(feeds::run_sim_publisher(o, stop, out, err) == 0);
  CHECK(err.str().empty());
  CHECK(out.str().find("tcp://127.0.0.1:") != std::string::npos);
  CHECK(out.str().find("published 6 ticks (3 steps)") != std::string::npos);
}

}  // namespace test_publishers
