#pragma once
// Shared by the benchmarks: a 10-asset portfolio config, small statistics,
// and the process's CPU time, load and memory.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ballast::bench {

inline std::vector<std::string> ten_symbols() {
  return {"S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9"};
}

/// A 10-asset equal-weight portfolio of 100 units at 100 each.
inline std::string ten_asset_portfolio(double band) {
  std::ostringstream t;
  t << "[[portfolios]]\nid = \"bench\"\ncash = 0\nholdings = {";
  const auto syms = ten_symbols();
  for (std::size_t i = 0; i < syms.size(); ++i) t << (i ? ", " : " ") << syms[i] << " = 100";
  t << " }\ntargets = {";
  for (std::size_t i = 0; i < syms.size(); ++i) t << (i ? ", " : " ") << syms[i] << " = 0.1";
  t << " }\n\n[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = " << band << "\n";
  return t.str();
}

inline double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto idx = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

/// Resident memory of a process in KiB, from /proc.
inline long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

/// CPU time of this thread: what the work cost, whatever else the machine runs.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// The one-minute load average, as /proc/loadavg spells it.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

/// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); −1 when absent.
inline long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return -1;
}

}  // namespace ballast::bench
