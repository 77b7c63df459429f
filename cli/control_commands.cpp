#include "cli/control_commands.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ostream>

#include "cli/http_client.hpp"
#include "cli/status_table.hpp"

namespace ballast::cli {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string join_url(const std::string& base, const std::string& path) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + path;
}

constexpr std::chrono::seconds kStatusTimeout{5};
constexpr std::chrono::seconds kControlTimeout{10};

/// Why a request to the daemon at `url` got no answer, and what the operator can do.
std::string no_answer_text(const HttpResult& r, const std::string& url, std::chrono::seconds timeout) {
  static const std::string kElsewhere = "For a daemon elsewhere, give --url URL or set BALLAST_URL";
  switch (r.failure) {
    case HttpResult::Failure::refused:
      return "no daemon answers at " + url +
             " (connection refused). Is ballastd running, and is this its [status] listen address? " + kElsewhere;
    case HttpResult::Failure::timeout:
      return "no answer from " + url + " within " + std::to_string(timeout.count()) + " s. " + kElsewhere;
    case HttpResult::Failure::resolve: return r.error + ". " + kElsewhere;
    default: return r.error;
  }
}

int report_http(const HttpResult& r, const std::string& what, const ControlOptions& o, std::chrono::seconds timeout,
                std::ostream& out, std::ostream& err) {
  if (!r.ok()) {
    err << "ballast: " << what << ": " << no_answer_text(r, o.url, timeout) << "\n";
    return 1;
  }
  std::string body = r.body;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  if (r.status >= 200 && r.status < 300) {
    out << body << "\n";
    return 0;
  }
  err << "ballast: " << what << ": HTTP " << r.status << ": " << body << "\n";
  return 1;
}

HttpResult get_status(const ControlOptions& o) {
  return http_request("GET", join_url(o.url, "/status"), "", "", kStatusTimeout);
}

}  // namespace

ControlOptions::ControlOptions()
    : url(env_or("BALLAST_URL", "http://127.0.0.1:8787")), token(env_or("BALLAST_TOKEN", "")) {}

void add_control_options(CLI::App* cmd, ControlOptions& o) {
  cmd->add_option("--url", o.url, "the daemon's status socket (env BALLAST_URL)")->capture_default_str();
  cmd->add_option("--token", o.token, "bearer token for control endpoints (env BALLAST_TOKEN)");
}

std::string url_encode(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

int run_status(const ControlOptions& o, bool json, std::ostream& out, std::ostream& err) {
  const auto r = get_status(o);
  if (!r.ok() || r.status != 200) return report_http(r, "status", o, kStatusTimeout, out, err);
  const auto table = render_status_table(r.body);
  if (json) {
    out << r.body << "\n";
  } else if (!table.ok()) {
    err << "ballast: status: " << table.error << "\n";
    return 1;
  } else {
    out << table.text;
  }
  // Scripts and checks read the exit code: a degraded daemon is not a success.
  return table.healthy ? 0 : 1;
}

int run_control(const ControlOptions& o, const std::string& path, const std::string& what, std::ostream& out,
                std::ostream& err, const std::string& body) {
  const auto r = http_request("POST", join_url(o.url, path), o.token, body, kControlTimeout);
  return report_http(r, what, o, kControlTimeout, out, err);
}

CLI::App* add_orders_command(CLI::App& app, OrdersCommandOptions& o) {
  auto* cmd = app.add_subcommand("orders", "list unfinished orders; resolve one whose fate is unknown");
  add_control_options(cmd, o.control);
  o.resolve = cmd->add_subcommand("resolve", "finish an order from what the broker says it did");
  add_control_options(o.resolve, o.control);
  o.resolve->add_option("order_id", o.resolve_id, "the order's id")->required();
  o.resolve->add_option("--filled", o.filled, "its final cumulative filled quantity");
  o.resolve->add_option("--price", o.price, "the average price of that quantity");
  o.resolve->add_flag("--cancelled", o.cancelled, "nothing more filled than the daemon has booked");
  return cmd;
}

int run_orders_command(const OrdersCommandOptions& o, std::ostream& out, std::ostream& err) {
  if (o.resolve && o.resolve->parsed()) {
    if (o.cancelled == o.filled.has_value() || o.filled.has_value() != o.price.has_value()) {
      err << "ballast orders resolve: give either --filled Q --price P or --cancelled\n";
      return 2;
    }
    std::string path = "/control/orders/resolve?order_id=" + url_encode(o.resolve_id);
    path += o.cancelled ? "&cancelled=true" : "&filled=" + url_encode(*o.filled) + "&price=" + url_encode(*o.price);
    return run_control(o.control, path, "orders resolve", out, err);
  }
  const auto r = get_status(o.control);
  if (!r.ok() || r.status != 200) return report_http(r, "orders", o.control, kStatusTimeout, out, err);
  const auto table = render_orders_table(r.body);
  if (!table.ok()) {
    err << "ballast: orders: " << table.error << "\n";
    return 1;
  }
  out << table.text;
  return 0;
}

}  // namespace ballast::cli
