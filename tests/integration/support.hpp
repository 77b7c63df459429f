#pragma once
// Running the real binaries on loopback: processes, ports, sockets, HTTP.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <simdjson.h>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "cli/http_client.hpp"
#include "tests/support/eventually.hpp"

namespace ballast::testing {

using namespace std::chrono_literals;

/// The tests' usual portfolio: 100 SPY, 300 AGG, 1000 cash, 60/40 in 5 % bands.
inline const std::string kSixtyForty = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }
min_trade_value = 50.0

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

/// A free TCP port on 127.0.0.1 at the time of asking.
int free_port();

/// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  void write(const std::string& name, const std::string& text) const;
  std::string read(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

/// A child process whose stdout and stderr go to a file.
class Process {
 public:
  Process(const std::string& exe, const std::vector<std::string>& args, const std::string& log_path);
  ~Process();
  void signal(int sig) const;
  /// The exit code once it has exited (128 + signal when killed), polling until the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds within = 10s);
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// Runs a command to completion and returns its exit code and output.
struct RunResult {
  int code = -1;
  std::string output;
};
RunResult run_command(const std::string& exe, const std::vector<std::string>& args);

/// The full path of `name` on PATH, or nullopt when it is not installed.
std::optional<std::string> find_program(const std::string& name);

/// Ports and a config for one daemon under test.
struct DaemonPorts {
  int feed = free_port();
  int orders = free_port();
  int fills = free_port();
  int status = free_port();
  std::string feed_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(feed); }
  std::string orders_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(orders); }
  std::string fills_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(fills); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(status) + path; }
};

/// A running ballastd with a market-data publisher, an order consumer and
/// (optionally) a fills sender, all real ZeroMQ sockets on loopback.
class DaemonHarness {
 public:
  /// `config_body` is the TOML after the [[feeds]], [execution], [status] and
  /// [daemon] tables the harness writes (portfolios, mostly).
  /// `extra_feed` and `extra_execution` add keys to those tables.
  explicit DaemonHarness(const std::string& config_body, const std::string& extra_feed = "",
                         const std::string& extra_execution = "", const std::string& extra_status = "",
                         bool with_fills = false);
  ~DaemonHarness();

  /// Adds keys to the [daemon] table of the config (before start).
  void add_daemon_keys(const std::string& keys);
  /// Starts ballastd and waits for its status socket.
  void start();
  void publish(const std::string& topic, const std::string& json);
  void publish_frames(const std::vector<std::string>& frames);
  /// Publishes a tick repeatedly until the daemon has counted one (ZeroMQ
  /// drops what is published before the daemon's subscription arrives).
  void prime(const std::string& symbol, double price);
  void prime_frames(const std::vector<std::string>& frames);
  /// Waits until the daemon has received every tick in flight (the count of
  /// received messages holds still), so repeated priming ticks cannot land later.
  void settle();
  /// The accepted-tick count of the first feed.
  double ticks();
  /// Orders received so far (JSON objects as text), waiting up to `within` for `count`.
  std::vector<std::string> orders(std::size_t count, std::chrono::milliseconds within = 5s);
  void send_fill(const std::string& json);
  /// Blocks up to `within` for the next order; empty when none came.
  std::string next_order(std::chrono::milliseconds within);
  /// Stops taking orders (before start), so that another consumer, such as
  /// the paper gateway, receives every one.
  void release_order_queue() { pull_.close(); }
  /// The market-data PUB (unlimited send queue: nothing is dropped on our side).
  zmq::socket_t& publisher() { return pub_; }

  cli::HttpResult get(const std::string& path) const;
  cli::HttpResult post(const std::string& path, const std::string& token = "") const;
  /// GET /status, parsed.
  simdjson::dom::element status();
  std::string log() const { return dir.read("ballastd.log"); }

  TempDir dir;
  DaemonPorts ports;
  std::string config_path;
  std::unique_ptr<Process> process;

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t pub_{ctx_, zmq::socket_type::pub};
  zmq::socket_t pull_{ctx_, zmq::socket_type::pull};
  zmq::socket_t fills_{ctx_, zmq::socket_type::push};
  std::vector<std::string> received_;
  simdjson::dom::parser parser_;
  std::string status_body_;
};

/// A field of a parsed JSON object (throws simdjson_error when absent: a test failure).
inline double num(simdjson::dom::element e) {
  if (e.is_int64()) return static_cast<double>(int64_t(e));
  if (e.is_uint64()) return static_cast<double>(uint64_t(e));
  return double(e);
}

/// The fleet tests' model: 60/40 SPY/AGG with a 5-point band, whole shares,
/// blocks leaving at once.
inline const std::string kFleetModels = R"(
[[models]]
id = "balanced"
targets = { SPY = 0.6, AGG = 0.4 }

[[models.triggers]]
kind = "threshold"
absolute = 0.05

[fleet]
window = "0s"
)";

/// Imports `csv` (the account book's CSV format) into the harness's state file
/// with the real `ballast accounts import`, before start(); a failed import fails the test.
void import_accounts(DaemonHarness& d, const std::string& csv);

/// The asset entry for `symbol` in portfolio `index` of a /status document.
simdjson::dom::element asset(simdjson::dom::element status, std::size_t portfolio, const std::string& symbol);

}  // namespace ballast::testing
