// TOML text → Config, reporting every problem with its place in the file.
//
// Reading never stops at the first problem: each section is read as far as it
// can be, a value that fails its check is reported and skipped, and checks that
// depend on it (the target sum, holdings without a target) are left out rather
// than reported twice. The Config is handed out only when nothing was reported.
#include <toml++/toml.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "config/config.hpp"
#include "config/diagnostics.hpp"
#include "config/listen_address.hpp"
#include "config/table_reader.hpp"
#include "core/time.hpp"

namespace ballast::config {
namespace {

using strategies::AssetSpec;
using strategies::CalendarTrigger;
using strategies::PortfolioSpec;
using strategies::ThresholdTrigger;
using strategies::Trigger;

constexpr std::string_view kDurationForms =
    "a positive number and a unit (ns, us, ms, s, m, h, d or w), such as \"250ms\", \"30s\", \"15m\", \"1h\", "
    "\"1d\" or \"1w\"";
constexpr std::string_view kPeriodForms =
    "a duration such as \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", or whole calendar months such as \"1mo\", "
    "\"3mo\" or \"1y\"";
constexpr std::string_view kEndpointForms = "a ZeroMQ endpoint starting with tcp://, ipc:// or inproc://";
constexpr std::string_view kTriggerKinds = "\"threshold\", \"calendar\"";
/// Targets are written as decimals that rarely add up exactly in binary.
constexpr double kWeightSumTolerance = 1e-6;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool is_endpoint(std::string_view e) {
  for (std::string_view scheme : {"tcp://", "ipc://", "inproc://"}) {
    if (e.size() > scheme.size() && e.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

/// Portfolio ids become part of order ids ("main-20261123-000042"), which
/// gateways and journals treat as opaque tokens.
bool is_valid_id(std::string_view id) {
  for (char c : id) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// A sum is shown rounded so that 0.6 + 0.3 reads "0.9", not "0.8999999999999999".
std::string format_sum(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

core::TimeNs from_toml(const toml::date& d, const toml::time& t) {
  return core::days_from_civil(d.year, d.month, d.day) * core::kNanosPerDay +
         (static_cast<core::TimeNs>(t.hour) * 3600 + t.minute * 60 + t.second) * core::kNanosPerSecond + t.nanosecond;
}

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

class Loader {
 public:
  Loader(const std::string& path, Purpose purpose) : diag_(path), purpose_(purpose) {}

  LoadResult load(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view(diag_.file()));
    } catch (const toml::parse_error& e) {
      diag_.error(e.source(), "invalid TOML: " + std::string(e.description()));
      return finish(std::nullopt);
    }
    Config config;
    config.path = diag_.file();
    read_root(root, config);
    return finish(std::move(config));
  }

 private:
  LoadResult finish(std::optional<Config> config) {
    LoadResult result;
    if (diag_.empty()) result.config = std::move(config);
    result.errors = diag_.take_sorted();
    return result;
  }

  void read_root(const toml::table& root, Config& config) {
    TableReader r(root, "", "", {"daemon", "feeds", "execution", "status", "portfolios"}, diag_);
    if (const auto* t = r.table("daemon")) read_daemon(*t, config.daemon);
    if (const auto feeds = r.array_of_tables("feeds", "[[feeds]]")) {
      for (const toml::table* t : *feeds) config.feeds.push_back(read_feed(*t));
    }
    if (const auto* t = r.table("execution")) read_execution(*t, config.execution);
    if (const auto* t = r.table("status")) read_status(*t, config.status);
    if (const auto portfolios = r.array_of_tables("portfolios", "[[portfolios]]")) {
      for (const toml::table* t : *portfolios) config.portfolios.push_back(read_portfolio(*t));
    }
    if (purpose_ == Purpose::daemon) {
      require_some(root, "feeds", "no [[feeds]]: the daemon needs at least one market-data feed");
      require_some(root, "portfolios", "no [[portfolios]]: the daemon needs at least one portfolio to manage");
    }
  }

  /// Reports an absent or empty array; one of the wrong type was reported already.
  void require_some(const toml::table& root, std::string_view key, std::string message) {
    const toml::node* n = root.get(key);
    if (!n) {
      diag_.error(root.source(), std::move(message));
    } else if (const auto* a = n->as_array(); a && a->empty()) {
      diag_.error(n->source(), std::move(message));
    }
  }

  void read_daemon(const toml::table& t, DaemonConfig& out) {
    TableReader r(t, "[daemon]", "", {"log_level", "log_format", "log_file", "state_dir"}, diag_);
    if (auto v = r.one_of("log_level", {"trace", "debug", "info", "warn", "error"})) out.log_level = *v;
    if (auto v = r.one_of("log_format", {"text", "json"}))
      out.log_format = *v == "json" ? LogFormat::json : LogFormat::text;
    if (auto v = r.string("log_file")) out.log_file = *v;
    if (auto v = r.nonempty_string("state_dir")) out.state_dir = *v;
  }

  FeedConfig read_feed(const toml::table& t) {
    TableReader r(
        t, "[[feeds]]", "",
        {"name", "endpoint", "bind", "framing", "stale_after", "max_jump", "jump_confirm", "fields", "symbols"}, diag_);
    FeedConfig f;
    if (!r.has("name")) {
      r.missing("name");
    } else if (auto v = r.nonempty_string("name")) {
      f.name = *v;
      check_unique(feed_names_, *v, *r.node("name"), "feed name");
    }
    if (!r.has("endpoint")) {
      r.missing("endpoint");
    } else if (auto v = endpoint(r, "endpoint")) {
      f.endpoint = *v;
    }
    if (auto v = r.boolean("bind")) f.bind = *v;
    if (auto v = r.one_of("framing", {"multipart", "topic-json"})) {
      f.format.framing = *v == "topic-json" ? core::Framing::topic_json : core::Framing::multipart;
    }
    if (auto v = duration(r, "stale_after")) f.stale_after = *v;
    if (auto v = r.number("max_jump", Bound::positive)) f.max_jump = *v;
    if (auto v = r.integer("jump_confirm")) {
      if (*v < 1 || *v > INT_MAX) {
        diag_.error(r.node("jump_confirm")->source(), "jump_confirm: must be an integer in 1.." +
                                                          std::to_string(INT_MAX) + ", got " + std::to_string(*v));
      } else {
        f.jump_confirm = static_cast<int>(*v);
      }
    }
    if (const auto* fields = r.table("fields")) read_fields(*fields, f.format.fields);
    if (const auto* symbols = r.table("symbols")) {
      for (auto&& [key, value] : *symbols) {
        if (key.str().empty()) {
          diag_.error(key.source(), "symbols: a feed symbol must not be empty");
          continue;
        }
        if (auto v = read_nonempty_string(value, key_path("symbols", key.str()), diag_)) {
          f.format.symbols.emplace(std::string(key.str()), *v);
        }
      }
    }
    return f;
  }

  void read_fields(const toml::table& t, core::FieldNames& out) {
    TableReader r(t, "fields", "fields", {"symbol", "price", "bid", "ask", "ts"}, diag_);
    const std::pair<std::string_view, std::string*> slots[] = {
        {"symbol", &out.symbol}, {"price", &out.price}, {"bid", &out.bid}, {"ask", &out.ask}, {"ts", &out.ts}};
    for (const auto& [key, slot] : slots) {
      if (auto v = r.nonempty_string(key)) *slot = *v;
    }
  }

  void read_execution(const toml::table& t, ExecutionConfig& out) {
    TableReader r(t, "[execution]", "", {"endpoint", "connect", "fills_endpoint", "mode"}, diag_);
    if (auto v = endpoint(r, "endpoint")) out.endpoint = *v;
    if (auto v = r.boolean("connect")) out.connect = *v;
    // An empty fills_endpoint is the documented way to say "no fills socket".
    if (const toml::node* n = r.node("fills_endpoint"); n && n->is_string() && n->as_string()->get().empty()) {
      out.fills_endpoint.clear();
    } else if (auto v = endpoint(r, "fills_endpoint")) {
      out.fills_endpoint = *v;
    }
    if (auto v = r.one_of("mode", {"live", "dry-run"}))
      out.mode = *v == "dry-run" ? ExecutionMode::dry_run : ExecutionMode::live;
  }

  void read_status(const toml::table& t, StatusConfig& out) {
    TableReader r(t, "[status]", "", {"listen", "token"}, diag_);
    if (auto v = r.string("token")) out.token = *v;
    const toml::node* listen_node = r.node("listen");
    const auto listen = r.string("listen");
    if (!listen) return;
    out.listen = *listen;
    const ListenParseResult parsed = parse_listen_address(*listen);
    if (!parsed.address) {
      diag_.error(listen_node->source(),
                  "listen: expected \"host:port\" (an IPv4 address, localhost or [IPv6], and "
                  "a port 1..65535), got " +
                      quoted(*listen) + ": " + parsed.error);
      return;
    }
    // The control endpoints can pause trading and force orders; open to the
    // network without a token, anyone who reaches the port could use them.
    if (purpose_ == Purpose::daemon && !parsed.address->loopback && out.token.empty()) {
      diag_.error(listen_node->source(),
                  "listen: " + quoted(*listen) +
                      " is not a loopback address and [status] token is not set; anyone who can reach it could "
                      "pause, resume or rebalance: set token, or listen on 127.0.0.1");
    }
  }

  PortfolioSpec read_portfolio(const toml::table& t) {
    TableReader r(t, "[[portfolios]]", "",
                  {"id", "cash", "holdings", "targets", "cash_target", "min_trade_value", "lot_sizes", "rebalance_to",
                   "triggers"},
                  diag_);
    PortfolioSpec p;
    if (!r.has("id")) {
      r.missing("id");
    } else if (auto v = r.nonempty_string("id")) {
      const toml::node& n = *r.node("id");
      if (!is_valid_id(*v)) {
        diag_.error(n.source(),
                    "id: " + quoted(*v) +
                        " may contain only letters, digits, '_', '.' and '-', because it is part of order ids");
      }
      check_unique(portfolio_ids_, *v, n, "portfolio id");
      p.id = *v;
    }
    if (auto v = r.number("cash", Bound::non_negative)) p.cash = *v;
    bool weights_ok = true;
    if (r.has("cash_target")) {
      if (auto v = r.number("cash_target", Bound::unit)) {
        p.cash_target = *v;
      } else {
        weights_ok = false;
      }
    }
    if (auto v = r.number("min_trade_value", Bound::non_negative)) p.min_trade_value = *v;
    if (auto v = r.one_of("rebalance_to", {"target", "band-edge"})) {
      p.rebalance_to = *v == "band-edge" ? strategies::RebalanceTo::band_edge : strategies::RebalanceTo::target;
    }

    // Symbol → index into p.assets; only meaningful when `targets` is a table.
    std::unordered_map<std::string, std::size_t> index;
    const toml::table* targets = nullptr;
    if (!r.has("targets")) {
      r.missing("targets");
    } else if ((targets = r.table("targets"))) {
      for (auto&& [key, value] : *targets) {
        const std::string symbol(key.str());
        if (symbol.empty()) {
          diag_.error(key.source(), "targets: a symbol must not be empty");
          weights_ok = false;
          continue;
        }
        AssetSpec asset;
        asset.symbol = symbol;
        if (auto w = read_number(value, key_path("targets", symbol), Bound::unit, diag_)) {
          asset.target = *w;
        } else {
          weights_ok = false;
        }
        index.emplace(symbol, p.assets.size());
        p.assets.push_back(std::move(asset));
      }
      if (targets->empty()) {
        diag_.error(targets->source(), "targets: expected at least one symbol with its weight, such as { SPY = 1.0 }");
      } else if (weights_ok) {
        double sum = p.cash_target;
        for (const AssetSpec& a : p.assets) sum += a.target;
        if (std::fabs(sum - 1.0) > kWeightSumTolerance) {
          diag_.error(targets->source(), "targets: weights plus cash_target (" + format_sum(p.cash_target) +
                                             ") sum to " + format_sum(sum) + ", expected 1 (within 1e-6)");
        }
      }
    }

    if (const auto* holdings = r.table("holdings")) {
      read_per_symbol(*holdings, "holdings", Bound::non_negative, targets, index,
                      [&](std::size_t i, double v) { p.assets[i].holding = v; });
    }
    if (const auto* lots = r.table("lot_sizes")) {
      read_per_symbol(*lots, "lot_sizes", Bound::positive, targets, index,
                      [&](std::size_t i, double v) { p.assets[i].lot_size = v; });
    }

    if (const auto triggers = r.array_of_tables("triggers", "[[portfolios.triggers]]")) {
      for (const toml::table* trigger : *triggers) {
        if (auto tr = read_trigger(*trigger)) p.triggers.push_back(std::move(*tr));
      }
    }
    return p;
  }

  /// A SYM → number table keyed by the portfolio's symbols. A symbol without a
  /// target is reported only when `targets` was read, so that a broken targets
  /// table does not also flag every holding.
  template <class Assign>
  void read_per_symbol(const toml::table& t, std::string_view what, Bound bound, const toml::table* targets,
                       const std::unordered_map<std::string, std::size_t>& index, Assign assign) {
    for (auto&& [key, value] : t) {
      const std::string symbol(key.str());
      if (symbol.empty()) {
        diag_.error(key.source(), std::string(what) + ": a symbol must not be empty");
        continue;
      }
      const auto v = read_number(value, key_path(what, symbol), bound, diag_);
      const auto it = index.find(symbol);
      if (it == index.end()) {
        if (targets) {
          const std::string spelled = key_path("", symbol);
          if (what == "holdings") {
            diag_.error(key.source(), key_path(what, symbol) + ": " + spelled + " has no target; write " + spelled +
                                          " = 0 in targets to sell it out");
          } else {
            diag_.error(key.source(), key_path(what, symbol) + ": " + spelled + " has no target; " + std::string(what) +
                                          " may only name symbols in targets");
          }
        }
        continue;
      }
      if (v) assign(it->second, *v);
    }
  }

  std::optional<Trigger> read_trigger(const toml::table& t) {
    const toml::node* kind_node = t.get("kind");
    if (!kind_node) {
      diag_.error(t.source(), "[[portfolios.triggers]] is missing required key \"kind\" (one of " +
                                  std::string(kTriggerKinds) + ")");
      return std::nullopt;
    }
    const auto kind = read_string(*kind_node, "kind", diag_);
    if (!kind) return std::nullopt;

    if (*kind == "threshold") {
      TableReader r(t, "a threshold trigger", "", {"kind", "absolute", "relative", "total"}, diag_);
      ThresholdTrigger th;
      th.absolute = r.number("absolute", Bound::unit_positive);
      th.relative = r.number("relative", Bound::positive);
      th.total = r.number("total", Bound::unit_positive);
      if (!r.has("absolute") && !r.has("relative") && !r.has("total")) {
        diag_.error(t.source(), "a threshold trigger needs at least one of absolute, relative, total");
      }
      return th;
    }
    if (*kind == "calendar") {
      TableReader r(t, "a calendar trigger", "", {"kind", "every", "anchor"}, diag_);
      CalendarTrigger cal;
      if (!r.has("every")) {
        r.missing("every", std::string(kPeriodForms));
      } else if (auto v = r.string("every")) {
        if (auto period = core::parse_period(*v)) {
          cal.every = *period;
        } else {
          diag_.error(r.node("every")->source(),
                      "every: expected a period, " + std::string(kPeriodForms) + ", got " + quoted(*v));
        }
      }
      if (const toml::node* anchor = r.node("anchor")) cal.anchor = read_anchor(*anchor);
      return cal;
    }
    diag_.error(kind_node->source(),
                "kind: unknown trigger kind " + quoted(*kind) + " (known kinds: " + std::string(kTriggerKinds) + ")");
    return std::nullopt;
  }

  /// A TOML date-time or date, or an ISO-8601 string. A local date-time or a
  /// date has no offset; the schedule is defined in UTC, so it is read as UTC.
  std::optional<core::TimeNs> read_anchor(const toml::node& n) {
    if (const auto* dt = n.as_date_time()) {
      const toml::date_time& v = dt->get();
      core::TimeNs t = from_toml(v.date, v.time);
      if (v.offset) t -= static_cast<core::TimeNs>(v.offset->minutes) * 60 * core::kNanosPerSecond;
      return t;
    }
    if (const auto* d = n.as_date()) return from_toml(d->get(), toml::time{});
    if (const auto* s = n.as_string()) {
      if (auto t = core::parse_iso8601(s->get())) return t;
      diag_.error(n.source(),
                  "anchor: expected an ISO-8601 date-time such as \"2026-01-01T00:00:00Z\" or a date "
                  "such as \"2026-01-01\", got " +
                      quoted(s->get()));
      return std::nullopt;
    }
    diag_.error(n.source(),
                "anchor: expected a date-time (2026-01-01T00:00:00Z), a date (2026-01-01) or an "
                "ISO-8601 string, got " +
                    std::string(type_name(n.type())));
    return std::nullopt;
  }

  std::optional<core::DurationNs> duration(TableReader& r, std::string_view key) {
    const auto text = r.string(key);
    if (!text) return std::nullopt;
    if (auto d = core::parse_duration(*text)) return d;
    diag_.error(r.node(key)->source(),
                r.name(key) + ": expected a duration, " + std::string(kDurationForms) + ", got " + quoted(*text));
    return std::nullopt;
  }

  std::optional<std::string> endpoint(TableReader& r, std::string_view key) {
    auto text = r.string(key);
    if (!text) return std::nullopt;
    if (is_endpoint(*text)) return text;
    diag_.error(r.node(key)->source(),
                r.name(key) + ": expected " + std::string(kEndpointForms) + ", got " + quoted(*text));
    return std::nullopt;
  }

  /// Reports a repeated name at the repetition, pointing back at the first.
  void check_unique(std::map<std::string, int>& seen, const std::string& value, const toml::node& n,
                    std::string_view what) {
    const auto [it, inserted] = seen.emplace(value, line_of(n));
    if (!inserted) {
      diag_.error(n.source(), "duplicate " + std::string(what) + " " + quoted(value) + " (first defined at line " +
                                  std::to_string(it->second) + ")");
    }
  }

  Diagnostics diag_;
  Purpose purpose_;
  std::map<std::string, int> feed_names_;
  std::map<std::string, int> portfolio_ids_;
};

/// Reads the whole file; on failure returns the errno that says why.
std::optional<std::string> read_file(const std::string& path, int& error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = errno;
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  // A directory opens fine and fails on the first read (EISDIR).
  const bool failed = std::ferror(f) != 0;
  error = errno;
  std::fclose(f);
  if (failed) return std::nullopt;
  return text;
}

LoadResult single_error(const std::string& path, std::string message) {
  LoadResult result;
  result.errors.push_back(ConfigError{path, 0, 0, std::move(message)});
  return result;
}

}  // namespace

LoadResult parse_config(std::string_view toml_text, const std::string& path, Purpose purpose) {
  try {
    return Loader(path, purpose).load(toml_text);
  } catch (const std::exception& e) {
    return single_error(path, std::string("cannot load configuration: ") + e.what());
  } catch (...) {
    return single_error(path, "cannot load configuration: unknown failure");
  }
}

LoadResult load_config(const std::string& path, Purpose purpose) {
  try {
    int error = 0;
    const auto text = read_file(path, error);
    if (!text) {
      return single_error(path, "cannot read configuration file: " + std::generic_category().message(error));
    }
    return parse_config(*text, path, purpose);
  } catch (const std::exception& e) {
    return single_error(path, std::string("cannot load configuration: ") + e.what());
  } catch (...) {
    return single_error(path, "cannot load configuration: unknown failure");
  }
}

}  // namespace ballast::config
