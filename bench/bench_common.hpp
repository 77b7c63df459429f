#pragma once
// Shared by the benchmarks: a 10-asset portfolio config and small statistics.
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

}  // namespace ballast::bench
