#include "feeds/zmq_reader.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>

namespace test_zmq_reader {

using ballast::feeds::ZmqReader;
using ballast::feeds::ZmqReaderOptions;

namespace {

using Clock = std::chrono::steady_clock;

std::string text(const zmq::message_t& m) { return std::string(static_cast<const char*>(m.data()), m.size()); }

// Runs the io_context in short slices until `done` holds or the deadline passes.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

struct Received {
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::vector<std::size_t> frame_counts;

  ZmqReader::Handler handler() {
    return [this](std::span<zmq::message_t> frames, std::size_t frame_count) {
      frame_counts.push_back(frame_count);
      first.push_back(frames.empty() ? std::string() : text(frames[0]));
      second.push_back(frames.size() > 1 ? text(frames[1]) : std::string());
    };
  }
};

}  // namespace

TEST_CASE("a PULL reader over tcp delivers a burst of 10,000 messages in order") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("tcp://127.0.0.1:*");
  const std::string endpoint = pull.get(zmq::sockopt::last_endpoint);

  boost::asio::io_context io;
  Received got;
  ZmqReader reader(io, std::move(pull), got.handler());
  reader.start();

  constexpr int kCount = 10'000;
  // The sender blocks at the high-water mark until the reader drains, as a
  // real publisher would; it runs on its own thread with its own socket.
  std::thread sender([&ctx, endpoint] {
    zmq::socket_t push(ctx, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 5000);
    push.connect(endpoint);
    for (int i = 0; i < kCount; ++i) {
      const std::string topic = "SYM" + std::to_string(i % 7);
      const std::string body = R"({"price": )" + std::to_string(i + 1) + "}";
      push.send(zmq::buffer(topic), zmq::send_flags::sndmore);
      push.send(zmq::buffer(body), zmq::send_flags::none);
    }
  });
  const bool all = run_until(io, [&] { return got.first.size() >= static_cast<std::size_t>(kCount); });
  sender.join();
  REQUIRE(all);
  CHECK(got.first.size() == static_cast<std::size_t>(kCount));
  CHECK(reader.messages() == static_cast<std::uint64_t>(kCount));
  bool in_order = true;
  for (int i = 0; i < kCount; ++i) {
    in_order = in_order && got.first[i] == "SYM" + std::to_string(i % 7) &&
               got.second[i] == R"({"price": )" + std::to_string(i + 1) + "}" && got.frame_counts[i] == 2;
  }
  CHECK(in_order);
  CHECK(reader.error() == 0);
}

TEST_CASE("a SUB reader over tcp receives what it subscribed to") {
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::sndhwm, 0);
  pub.bind("tcp://127.0.0.1:*");
  const std::string endpoint = pub.get(zmq::sockopt::last_endpoint);

  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, 0);
  sub.set(zmq::sockopt::subscribe, "SPY");
  sub.connect(endpoint);

  boost::asio::io_context io;
  Received got;
  ZmqReader reader(io, std::move(sub), got.handler());
  reader.start();

  // A subscription takes effect asynchronously: publish a probe until it arrives.
  const auto probe_deadline = Clock::now() + std::chrono::seconds(20);
  while (got.first.empty() && Clock::now() < probe_deadline) {
    pub.send(zmq::str_buffer("SPY probe"), zmq::send_flags::none);
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(got.first.empty());
  got = Received{};
  // The probe loop may have left more probes in flight; the burst starts after them.
  constexpr int kCount = 5'000;
  for (int i = 0; i < kCount; ++i) {
    pub.send(zmq::buffer("AGG {\"price\": 1}"), zmq::send_flags::none);  // filtered out
    pub.send(zmq::buffer("SPY " + std::to_string(i)), zmq::send_flags::none);
  }
  REQUIRE(run_until(io, [&] { return !got.first.empty() && got.first.back() == "SPY " + std::to_string(kCount - 1); }));
  std::vector<std::string> burst;
  for (const auto& m : got.first)
    if (m != "SPY probe") burst.push_back(m);
  REQUIRE(burst.size() == static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) CHECK(burst[i] == "SPY " + std::to_string(i));
}

TEST_CASE("messages queued before start are delivered without a new edge") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("inproc://queued-before-start");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://queued-before-start");
  for (int i = 0; i < 3; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);

  boost::asio::io_context io;
  Received got;
  ZmqReader reader(io, std::move(pull), got.handler());
  reader.start();
  REQUIRE(run_until(io, [&] { return got.first.size() == 3; }));
  CHECK(got.first == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("over-long messages are drained whole and reported with their frame count") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("inproc://multi-frame");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://multi-frame");

  boost::asio::io_context io;
  Received got;
  ZmqReader reader(io, std::move(pull), got.handler(), ZmqReaderOptions{2, 512});
  reader.start();

  push.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  push.send(zmq::str_buffer("b"), zmq::send_flags::sndmore);
  push.send(zmq::str_buffer("c"), zmq::send_flags::sndmore);
  push.send(zmq::str_buffer("d"), zmq::send_flags::none);
  push.send(zmq::str_buffer("single"), zmq::send_flags::none);
  push.send(zmq::str_buffer("topic"), zmq::send_flags::sndmore);
  push.send(zmq::str_buffer("{}"), zmq::send_flags::none);

  REQUIRE(run_until(io, [&] { return got.first.size() == 3; }));
  CHECK(got.frame_counts == std::vector<std::size_t>{4, 1, 2});
  CHECK(got.first == std::vector<std::string>{"a", "single", "topic"});
  CHECK(got.second == std::vector<std::string>{"b", "", "{}"});
}

TEST_CASE("a long backlog yields to other handlers on the io_context") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvhwm, 0);
  pull.bind("inproc://fairness");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, 0);
  push.connect("inproc://fairness");
  constexpr int kCount = 10'000;
  for (int i = 0; i < kCount; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);

  boost::asio::io_context io;
  Received got;
  ZmqReader reader(io, std::move(pull), got.handler(), ZmqReaderOptions{2, 512});
  reader.start();
  std::size_t seen_by_other_work = kCount;
  boost::asio::post(io, [&] { seen_by_other_work = got.first.size(); });

  REQUIRE(run_until(io, [&] { return got.first.size() == static_cast<std::size_t>(kCount); }));
  CHECK(seen_by_other_work < static_cast<std::size_t>(kCount));
  CHECK(seen_by_other_work <= 512);
  CHECK(got.first.back() == std::to_string(kCount - 1));
}

TEST_CASE("stop pauses delivery and start resumes with what was queued") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("inproc://stop-start");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://stop-start");

  boost::asio::io_context io;
  Received got;
  ZmqReader* self = nullptr;
  ZmqReader reader(io, std::move(pull), [&](std::span<zmq::message_t> frames, std::size_t) {
    got.first.push_back(text(frames[0]));
    if (got.first.size() == 2) self->stop();  // stopping from inside the handler
  });
  self = &reader;
  reader.start();
  for (int i = 0; i < 5; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);
  REQUIRE(run_until(io, [&] { return got.first.size() >= 2; }));
  io.restart();
  io.run_for(std::chrono::milliseconds(50));  // nothing more may arrive while stopped
  CHECK(got.first.size() == 2);
  CHECK_FALSE(reader.running());

  reader.start();
  REQUIRE(run_until(io, [&] { return got.first.size() == 5; }));
  CHECK(got.first == std::vector<std::string>{"0", "1", "2", "3", "4"});
}

TEST_CASE("destroying a reader with a wait pending leaves the io_context and ZeroMQ intact") {
  zmq::context_t ctx;
  boost::asio::io_context io;
  std::string endpoint;
  {
    zmq::socket_t pull(ctx, zmq::socket_type::pull);
    pull.bind("tcp://127.0.0.1:*");
    endpoint = pull.get(zmq::sockopt::last_endpoint);
    Received got;
    ZmqReader reader(io, std::move(pull), got.handler());
    reader.start();
    io.run_for(std::chrono::milliseconds(20));  // now an async_wait is pending
  }
  {
    // Started but never run: the posted first drain outlives the reader.
    zmq::socket_t pull(ctx, zmq::socket_type::pull);
    pull.bind("inproc://destroyed-before-run");
    Received got;
    ZmqReader reader(io, std::move(pull), got.handler());
    reader.start();
  }
  io.restart();
  io.run_for(std::chrono::milliseconds(20));

  // A fresh socket and reader on the same context still work.
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("inproc://after-destroy");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://after-destroy");
  Received got;
  ZmqReader reader(io, std::move(pull), got.handler());
  reader.start();
  push.send(zmq::str_buffer("alive"), zmq::send_flags::none);
  REQUIRE(run_until(io, [&] { return got.first.size() == 1; }));
  CHECK(got.first[0] == "alive");
}

TEST_CASE("a throwing handler surfaces from run() and the reader keeps going") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.bind("inproc://throwing");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.connect("inproc://throwing");

  boost::asio::io_context io;
  std::vector<std::string> got;
  ZmqReader reader(io, std::move(pull), [&](std::span<zmq::message_t> frames, std::size_t) {
    got.push_back(text(frames[0]));
    if (got.size() == 1) throw std::runtime_error("handler failed");
  });
  reader.start();
  for (int i = 0; i < 3; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);
  bool threw = false;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (got.size() < 3 && Clock::now() < deadline) {
    try {
      io.restart();
      io.run_for(std::chrono::milliseconds(20));
    } catch (const std::runtime_error&) {
      threw = true;
    }
  }
  CHECK(threw);
  CHECK(got == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("the end of a burst is announced once, after its messages, and not when the fairness cap yields") {
  zmq::context_t ctx;
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvhwm, 0);
  pull.bind("inproc://drained");
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, 0);
  push.connect("inproc://drained");

  boost::asio::io_context io;
  // What happened, in order: "m" per message, "|" per end of a burst.
  std::string events;
  ZmqReaderOptions options;
  options.fairness_cap = 4;
  options.on_drained = [&] { events += '|'; };
  ZmqReader reader(io, std::move(pull), [&](std::span<zmq::message_t>, std::size_t) { events += 'm'; },
                   std::move(options));
  // Ten queued before start: three wake-ups of at most four, one end.
  for (int i = 0; i < 10; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);
  reader.start();
  REQUIRE(run_until(io, [&] { return events.find('|') != std::string::npos; }));
  CHECK(events == "mmmmmmmmmm|");

  // Nothing more arrives: no further announcement.
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  CHECK(events == "mmmmmmmmmm|");

  // A second burst is its own.
  for (int i = 0; i < 2; ++i) push.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);
  REQUIRE(run_until(io, [&] { return events.size() >= 14 && events.back() == '|'; }));
  CHECK(events == "mmmmmmmmmm|mm|");
}

}  // namespace test_zmq_reader
