#include "tests/integration/support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ballast::testing {

int free_port() {
  // Ports below Linux's ephemeral range (32768 and up by default), so that an
  // outgoing connection of this or another test cannot take one between the
  // check here and the bind in the daemon; never the same port twice in a
  // process; bound once here to see that it is free now.
  static std::mutex mutex;
  static std::set<int> handed_out;
  static std::mt19937 pick{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<int> range(20000, 32000);
  for (;;) {
    const int port = range(pick);
    if (handed_out.contains(port)) continue;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (!free) continue;
    handed_out.insert(port);
    return port;
  }
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("ballast-test-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& text) const {
  std::ofstream(path_ / name, std::ios::binary) << text;
}

std::string TempDir::read(const std::string& name) const {
  std::ifstream in(path_ / name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Process::Process(const std::string& exe, const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    // Dies with the test (or benchmark) that started it, even when that is killed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (running()) {
    signal(SIGKILL);
    wait_exit(5s);
  }
}

void Process::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool Process::running() {
  if (status_ || pid_ <= 0) return false;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds within) {
  eventually([this] { return !running(); }, within);
  return status_;
}

RunResult run_command(const std::string& exe, const std::vector<std::string>& args) {
  TempDir dir;
  Process p(exe, args, dir.file("out.txt"));
  RunResult r;
  r.code = p.wait_exit(60s).value_or(-1);
  r.output = dir.read("out.txt");
  return r;
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

DaemonHarness::DaemonHarness(const std::string& config_body, const std::string& extra_feed,
                             const std::string& extra_execution, const std::string& extra_status, bool with_fills) {
  pub_.set(zmq::sockopt::linger, 0);
  pub_.set(zmq::sockopt::sndhwm, 0);
  pull_.set(zmq::sockopt::linger, 0);
  fills_.set(zmq::sockopt::linger, 0);
  pub_.bind(ports.feed_endpoint());
  pull_.connect(ports.orders_endpoint());
  std::ostringstream cfg;
  cfg << "[daemon]\nstate_dir = \"" << dir.file("state") << "\"\nlog_level = \"debug\"\n\n"
      << "[[feeds]]\nname = \"primary\"\nendpoint = \"" << ports.feed_endpoint() << "\"\n" << extra_feed << "\n\n"
      << "[execution]\nendpoint = \"" << ports.orders_endpoint() << "\"\n";
  if (with_fills) {
    cfg << "fills_endpoint = \"" << ports.fills_endpoint() << "\"\n";
    fills_.connect(ports.fills_endpoint());
  }
  cfg << extra_execution << "\n\n[status]\nlisten = \"127.0.0.1:" << ports.status << "\"\n" << extra_status << "\n\n"
      << config_body;
  config_path = dir.file("ballast.toml");
  dir.write("ballast.toml", cfg.str());
}

DaemonHarness::~DaemonHarness() {
  if (process && process->running()) {
    process->signal(SIGTERM);
    process->wait_exit(5s);
  }
}

void DaemonHarness::add_daemon_keys(const std::string& keys) {
  std::string text = dir.read("ballast.toml");
  text.insert(text.find("[daemon]\n") + 9, keys + "\n");
  dir.write("ballast.toml", text);
}

void DaemonHarness::start() {
  process = std::make_unique<Process>(BALLASTD_PATH, std::vector<std::string>{"--config", config_path},
                                      dir.file("ballastd.log"));
  const bool up = eventually([this] { return get("/status").status == 200; }, 15s);
  if (!up) throw std::runtime_error("ballastd did not come up:\n" + log());
}

void DaemonHarness::publish(const std::string& topic, const std::string& json) { publish_frames({topic, json}); }

void DaemonHarness::publish_frames(const std::vector<std::string>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    pub_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

void DaemonHarness::prime(const std::string& symbol, double price) {
  prime_frames({symbol, "{\"price\":" + std::to_string(price) + "}"});
}

void DaemonHarness::settle() {
  double last = -1;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (int still = 0; still < 3 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(30ms);
    const double now = num(status()["feeds"].at(0)["received"]);
    still = now == last ? still + 1 : 0;
    last = now;
  }
}

double DaemonHarness::ticks() { return num(status()["feeds"].at(0)["ticks"]); }

void DaemonHarness::prime_frames(const std::vector<std::string>& frames) {
  // The daemon's SUB connects after our bind: messages sent before the
  // subscription arrives are lost, so repeat the tick until it counts.
  const double before = ticks();
  const bool counted = eventually(
      [&] {
        publish_frames(frames);
        return ticks() > before;
      },
      15s);
  if (!counted) throw std::runtime_error("daemon never counted a tick:\n" + log());
}

std::vector<std::string> DaemonHarness::orders(std::size_t count, std::chrono::milliseconds within) {
  eventually(
      [&] {
        zmq::message_t msg;
        while (pull_.recv(msg, zmq::recv_flags::dontwait)) received_.push_back(msg.to_string());
        return received_.size() >= count;
      },
      within);
  return received_;
}

std::string DaemonHarness::next_order(std::chrono::milliseconds within) {
  pull_.set(zmq::sockopt::rcvtimeo, static_cast<int>(within.count()));
  zmq::message_t msg;
  if (!pull_.recv(msg)) return {};
  received_.push_back(msg.to_string());
  return received_.back();
}

void DaemonHarness::send_fill(const std::string& json) { fills_.send(zmq::buffer(json), zmq::send_flags::none); }

cli::HttpResult DaemonHarness::get(const std::string& path) const {
  return cli::http_request("GET", ports.url(path), "", "", 2s);
}

cli::HttpResult DaemonHarness::post(const std::string& path, const std::string& token) const {
  return cli::http_request("POST", ports.url(path), token, "", 2s);
}

simdjson::dom::element DaemonHarness::status() {
  const auto r = get("/status");
  if (r.status != 200) throw std::runtime_error("GET /status failed: " + r.error + "\n" + log());
  status_body_ = r.body;
  return parser_.parse(status_body_);
}

simdjson::dom::element asset(simdjson::dom::element status, std::size_t portfolio, const std::string& symbol) {
  for (auto a : status["portfolios"].at(portfolio)["assets"].get_array()) {
    if (std::string_view(a["symbol"]) == symbol) return a;
  }
  throw std::runtime_error("no asset " + symbol);
}

void import_accounts(DaemonHarness& d, const std::string& csv) {
  std::filesystem::create_directories(d.dir.file("state"));
  d.dir.write("accounts.csv", csv);
  const RunResult r = run_command(BALLAST_CLI_PATH, {"accounts", "import", d.dir.file("accounts.csv"), "--config",
                                                     d.config_path});
  if (r.code != 0) throw std::runtime_error("ballast accounts import failed:\n" + r.output);
}

}  // namespace ballast::testing
