#include "cli/replay_sync.hpp"

#include <simdjson.h>

#include <algorithm>
#include <thread>

#include "cli/http_client.hpp"

namespace ballast::cli {
namespace {

using Clock = std::chrono::steady_clock;

bool read_count(simdjson::dom::element parent, std::string_view key, std::uint64_t& out) {
  simdjson::dom::element e;
  if (parent[key].get(e) != simdjson::SUCCESS) return false;
  if (e.is_uint64()) return e.get_uint64().get(out) == simdjson::SUCCESS;
  return false;
}

}  // namespace

std::optional<DaemonProgress> read_daemon_progress(std::string_view status_json, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(status_json.data(), status_json.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    error = "the status is not a JSON object";
    return std::nullopt;
  }
  DaemonProgress p;
  simdjson::dom::array feeds;
  if (doc["feeds"].get_array().get(feeds) != simdjson::SUCCESS) {
    error = "the status has no \"feeds\" array";
    return std::nullopt;
  }
  for (simdjson::dom::element f : feeds) {
    std::uint64_t received = 0, pending = 0;
    if (!read_count(f, "received", received) || !read_count(f, "pending_ticks", pending)) {
      error = "a feed in the status lacks a \"received\" or \"pending_ticks\" count";
      return std::nullopt;
    }
    p.received += received;
    p.pending_ticks += pending;
  }
  simdjson::dom::element execution;
  if (doc["execution"].get(execution) != simdjson::SUCCESS || !read_count(execution, "open_orders", p.open_orders)) {
    error = "the status lacks an \"execution.open_orders\" count";
    return std::nullopt;
  }
  return p;
}

DaemonSync::DaemonSync(std::string url, std::chrono::milliseconds timeout, const std::atomic<bool>& stop)
    : url_(std::move(url)), timeout_(timeout), stop_(stop) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

std::optional<DaemonProgress> DaemonSync::poll(std::string& error) const {
  const HttpResult r = http_request("GET", url_ + "/status", "", "", std::chrono::milliseconds(2000));
  if (!r.ok()) {
    error = "cannot read " + url_ + "/status: " + r.error;
    return std::nullopt;
  }
  if (r.status != 200) {
    error = url_ + "/status answered " + std::to_string(r.status);
    return std::nullopt;
  }
  auto p = read_daemon_progress(r.body, error);
  if (!p) error = url_ + "/status: " + error;
  return p;
}

std::string DaemonSync::start() {
  const auto deadline = Clock::now() + timeout_;
  std::string error;
  for (;;) {
    if (const auto p = poll(error)) {
      baseline_ = p->received;
      return {};
    }
    if (stop_.load() || Clock::now() >= deadline) return stop_.load() ? std::string() : error;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string DaemonSync::after_row(std::uint64_t ticks_sent, bool last_row) {
  ++rows_;
  const auto deadline = Clock::now() + timeout_;
  // Short first: a row usually takes the daemon well under a millisecond.
  auto pause = std::chrono::microseconds(200);
  std::string error;
  std::optional<DaemonProgress> seen;
  for (;;) {
    if (const auto p = poll(error)) {
      seen = p;
      if (p->received >= baseline_ + ticks_sent && p->open_orders == 0 && (!last_row || p->pending_ticks == 0)) {
        return {};
      }
      error.clear();
    }
    if (stop_.load()) return {};
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
  if (!seen) return error;
  const std::uint64_t received = seen->received - std::min(seen->received, baseline_);
  return "the daemon at " + url_ + " did not finish row " + std::to_string(rows_) + " within " +
         std::to_string(timeout_.count()) + " ms: it received " + std::to_string(received) + " of " +
         std::to_string(ticks_sent) + " ticks, holds " + std::to_string(seen->pending_ticks) + " undecided and " +
         std::to_string(seen->open_orders) + " orders open";
}

}  // namespace ballast::cli
