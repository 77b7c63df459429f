// The state store's commit of a typical rebalance (1 portfolio row, 4
// positions, 4 new orders, 1 rebalance record, the counters) with
// Durability::full and ::normal, each also with the WAL checkpointed between
// commits rather than inside one, against a plain file in the same directory:
// write()+fsync() of as many bytes as SQLite wrote per commit, the same with
// fdatasync() (what SQLite calls on Linux), and write() alone.
//
//   ballast_bench_store [DIR] [COMMITS_FULL] [COMMITS_NORMAL]
//
// DIR (default: the current directory) decides the filesystem measured; a
// scratch directory is made in it and removed at the end.
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_common.hpp"
#include "store/state_store.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

constexpr int kWarmup = 50;
constexpr int kCalibration = 400;  // a few checkpoints' worth
constexpr int kRounds = 10;
constexpr int kCheckpointEvery = 40;  // SQLite's own comes every ~80 of these commits (1000 pages)

/// Bytes this process has handed to write()-like calls so far (/proc/self/io).
std::uint64_t bytes_written() {
  std::ifstream in("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

std::string filesystem_type(const std::string& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53: return "ext4 (or ext2/3)";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type));
      return std::string("f_type ") + hex;
    }
  }
}

/// The change one rebalance of a 4-asset portfolio commits: the portfolio's
/// row and positions, four new orders, the rebalance record, the counters.
store::Change rebalance_change(std::uint64_t n) {
  static const char* kSymbols[] = {"SPY", "AGG", "GLD", "VNQ"};
  const core::TimeNs now = 1'795'444'200'000'000'000 + static_cast<core::TimeNs>(n) * 1'000'000;
  char rebalance_id[48];
  std::snprintf(rebalance_id, sizeof rebalance_id, "bench-20261123-%06llu", static_cast<unsigned long long>(n));
  store::Change c;
  store::PortfolioRow p;
  p.id = "bench";
  p.cash = 1000.0 + static_cast<double>(n) * 0.37;
  p.rebalances = n;
  p.orders = 4 * n;
  p.costs_estimated = 0.01 * static_cast<double>(n);
  p.seed = "cash=1000;AGG=100;GLD=100;SPY=100;VNQ=100";
  c.portfolios.push_back(std::move(p));
  for (int i = 0; i < 4; ++i) {
    c.positions.push_back({"bench", kSymbols[i], 100.0 + static_cast<double>((n + static_cast<unsigned>(i)) % 7)});
    store::OrderRow o;
    char order_id[48];
    std::snprintf(order_id, sizeof order_id, "bench-20261123-%06llu",
                  static_cast<unsigned long long>(4 * n + static_cast<unsigned>(i)));
    o.order.order_id = order_id;
    o.order.portfolio = "bench";
    o.order.symbol = kSymbols[i];
    o.order.side = i == 0 ? core::Side::sell : core::Side::buy;
    o.order.quantity = 3 + i;
    o.order.reference_price = 100.25 + i;
    o.order.reason = "threshold";
    o.order.rebalance_id = rebalance_id;
    o.order.created_at = now;
    o.updated_at = now;
    c.orders.push_back(std::move(o));
  }
  store::RebalanceRow r;
  r.rebalance_id = rebalance_id;
  r.portfolio = "bench";
  r.reason = "threshold";
  r.detail = "SPY drift 0.031 over 0.03";
  r.at = now;
  r.value = 41000.5;
  r.max_abs_drift = 0.031;
  r.total_drift = 0.062;
  r.traded_value = 1800.75;
  r.cost = 0.9;
  r.orders = 4;
  c.rebalances.push_back(std::move(r));
  c.counters = store::Counters{4 * n + 5, n + 2};
  return c;
}

struct Figures {
  std::vector<double> us;  ///< per commit
  double seconds = 0;      ///< time spent in the timed calls
  std::uint64_t bytes = 0;  ///< passed to write()-like calls during the timed calls
  double bytes_per_commit() const { return us.empty() ? 0 : static_cast<double>(bytes) / static_cast<double>(us.size()); }
};

void print(const char* name, const Figures& f) {
  const double n = static_cast<double>(f.us.size());
  std::printf("%-34s %9.1f %9.1f %9.1f %9.1f %11.0f %10.0f\n", name, bench::percentile(f.us, 0.5),
              bench::percentile(f.us, 0.99), bench::percentile(f.us, 0.999),
              *std::max_element(f.us.begin(), f.us.end()), n / f.seconds, f.bytes_per_commit());
}

/// A store that commits one rebalance after another.
class StoreRun {
 public:
  /// `checkpoint_every` > 0: an untimed checkpoint() after that many commits,
  /// as a daemon would run one when idle.
  StoreRun(const std::string& path, store::Durability durability, int checkpoint_every = 0)
      : checkpoint_every_(checkpoint_every) {
    auto opened = store::StateStore::open(path, durability);
    if (auto* e = std::get_if<store::OpenError>(&opened)) {
      std::fprintf(stderr, "%s\n", e->message.c_str());
      std::exit(1);
    }
    store_.emplace(std::move(std::get<store::StateStore>(opened)));
  }
  void untimed(int commits) {
    for (int i = 0; i < commits; ++i) store_->commit(rebalance_change(n_++));
  }
  void timed(int commits, Figures& f) {
    for (int i = 0; i < commits; ++i) {
      const store::Change c = rebalance_change(n_++);  // built outside the timed part
      const std::uint64_t b0 = bytes_written();
      const auto t0 = steady_clock::now();
      store_->commit(c);
      const double us = duration<double, std::micro>(steady_clock::now() - t0).count();
      f.bytes += bytes_written() - b0;
      f.us.push_back(us);
      f.seconds += us / 1e6;
      if (checkpoint_every_ > 0 && n_ % static_cast<std::uint64_t>(checkpoint_every_) == 0) store_->checkpoint();
    }
  }

 private:
  std::optional<store::StateStore> store_;
  std::uint64_t n_ = 0;
  int checkpoint_every_;
};

enum class Sync { none, fsync, fdatasync };

/// A plain file that appends `bytes` per "commit", synced or not.
class PlainRun {
 public:
  PlainRun(const std::string& path, std::size_t bytes, Sync sync) : payload_(bytes, 'x'), sync_(sync) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      std::perror(path.c_str());
      std::exit(1);
    }
  }
  ~PlainRun() { ::close(fd_); }
  void untimed(int commits) {
    for (int i = 0; i < commits; ++i) one();
  }
  void timed(int commits, Figures& f) {
    for (int i = 0; i < commits; ++i) {
      const auto t0 = steady_clock::now();
      one();
      const double us = duration<double, std::micro>(steady_clock::now() - t0).count();
      f.bytes += payload_.size();
      f.us.push_back(us);
      f.seconds += us / 1e6;
    }
  }

 private:
  void one() {
    if (::write(fd_, payload_.data(), payload_.size()) != static_cast<ssize_t>(payload_.size())) std::exit(1);
    if (sync_ == Sync::fsync && ::fsync(fd_) != 0) std::exit(1);
    if (sync_ == Sync::fdatasync && ::fdatasync(fd_) != 0) std::exit(1);
  }
  std::string payload_;
  Sync sync_;
  int fd_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string base = argc > 1 ? argv[1] : ".";
  const int commits_full = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int commits_normal = argc > 3 ? std::atoi(argv[3]) : 20000;
  const std::filesystem::path dir =
      (std::filesystem::absolute(base) / ("ballast-bench-store-" + std::to_string(::getpid()))).lexically_normal();
  std::filesystem::create_directories(dir);

  std::printf("directory %s, filesystem %s\n", dir.c_str(), filesystem_type(dir.string()).c_str());
  std::printf("one commit: 1 portfolio row, 4 positions, 4 new orders, 1 rebalance, the counters\n");
  std::printf("%d synced commits and %d unsynced ones per row, in %d interleaved rounds\n\n", commits_full,
              commits_normal, kRounds);

  StoreRun full((dir / "full.db").string(), store::Durability::full);
  StoreRun normal((dir / "normal.db").string(), store::Durability::normal);
  StoreRun full_idle((dir / "full-idle.db").string(), store::Durability::full, kCheckpointEvery);
  StoreRun normal_idle((dir / "normal-idle.db").string(), store::Durability::normal, kCheckpointEvery);
  // The bytes SQLite writes per commit, checkpoints included, for the plain file to match.
  Figures calibration;
  full.untimed(kWarmup);
  full.timed(kCalibration, calibration);
  const auto bytes = static_cast<std::size_t>(calibration.bytes_per_commit() + 0.5);
  PlainRun plain_fsync((dir / "plain-fsync").string(), bytes, Sync::fsync);
  PlainRun plain_fdatasync((dir / "plain-fdatasync").string(), bytes, Sync::fdatasync);
  PlainRun plain_write((dir / "plain-write").string(), bytes, Sync::none);
  normal.untimed(kWarmup);
  full_idle.untimed(kWarmup);
  normal_idle.untimed(kWarmup);
  plain_fsync.untimed(kWarmup);
  plain_fdatasync.untimed(kWarmup);
  plain_write.untimed(kWarmup);

  // Round after round, each variant in turn: the disk of a shared machine
  // drifts over seconds, and interleaving lets every variant see the same drift.
  Figures f_full, f_full_idle, f_normal, f_normal_idle, f_fsync, f_fdatasync, f_write;
  for (int round = 0; round < kRounds; ++round) {
    full.timed(commits_full / kRounds, f_full);
    plain_fsync.timed(commits_full / kRounds, f_fsync);
    full_idle.timed(commits_full / kRounds, f_full_idle);
    plain_fdatasync.timed(commits_full / kRounds, f_fdatasync);
    normal.timed(commits_normal / kRounds, f_normal);
    plain_write.timed(commits_normal / kRounds, f_write);
    normal_idle.timed(commits_normal / kRounds, f_normal_idle);
  }

  std::printf("%-34s %9s %9s %9s %9s %11s %10s\n", "", "p50 us", "p99 us", "p99.9 us", "max us", "commits/s",
              "bytes");
  print("store, Durability::full", f_full);
  print("  checkpoint() when idle", f_full_idle);
  print("store, Durability::normal", f_normal);
  print("  checkpoint() when idle", f_normal_idle);
  print("plain file: write() + fsync()", f_fsync);
  print("plain file: write() + fdatasync()", f_fdatasync);
  print("plain file: write() only", f_write);
  std::printf("\nbytes: passed to write() per commit (/proc/self/io), checkpoints included; the plain file\n"
              "writes as many per commit as the store did with Durability::full. commits/s: one after another.\n"
              "checkpoint() when idle: an untimed checkpoint every %d commits, so that no commit runs one.\n",
              kCheckpointEvery);

  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
