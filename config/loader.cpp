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
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "config/config.hpp"
#include "config/diagnostics.hpp"
#include "config/listen_address.hpp"
#include "config/order_type.hpp"
#include "config/shard.hpp"
#include "config/table_reader.hpp"
#include "config/tax_policy.hpp"
#include "config/transport_security.hpp"
#include "core/number_text.hpp"
#include "core/text_format.hpp"
#include "core/time.hpp"
#include "strategies/risk_model.hpp"

namespace ballast::config {
namespace {

using strategies::AssetSpec;
using strategies::CalendarTrigger;
using strategies::DynamicTrigger;
using strategies::ModelKind;
using strategies::ModelSpec;
using strategies::PortfolioSpec;
using strategies::RiskSpec;
using strategies::ThresholdTrigger;
using strategies::Trigger;
using strategies::VolatilityTrigger;

constexpr std::string_view kDurationForms =
    "a positive number and a unit (ns, us, ms, s, m, h, d or w), such as \"250ms\", \"30s\", \"15m\", \"1h\", "
    "\"1d\" or \"1w\"";
constexpr std::string_view kPeriodForms =
    "a duration such as \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", or whole calendar months such as \"1mo\", "
    "\"3mo\" or \"1y\"";
constexpr std::string_view kEndpointForms = "a ZeroMQ endpoint starting with tcp://, ipc:// or inproc://";
constexpr std::string_view kTriggerKinds = "\"threshold\", \"calendar\", \"volatility\", \"dynamic\"";
constexpr std::string_view kModelKinds =
    "\"fixed\", \"target-vol\", \"risk-parity\", \"mean-variance\", \"cppi\", \"buy-and-hold\"";
/// Targets are written as decimals that rarely add up exactly in binary.
constexpr double kWeightSumTolerance = 1e-6;

using core::quote;

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

/// What the per-symbol tables of one portfolio are checked against.
struct Universe {
  /// Null when targets is missing or not a table.
  const toml::table* targets = nullptr;
  /// Symbol → index into the portfolio's assets.
  const std::unordered_map<std::string, std::size_t>* index = nullptr;
  /// Every target and cash_target was read, so they can be summed and compared.
  bool weights_ok = true;
};

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
    TableReader r(root, "", "", {"daemon", "feeds", "execution", "curve", "status", "portfolios", "models", "fleet", "simulation", "fix"},
                  diag_);
    if (const auto* t = r.table("daemon")) read_daemon(*t, config.daemon);
    // Before the feeds and [execution], whose endpoints it secures.
    const toml::table* curve = r.table("curve");
    if (curve) config.curve = read_curve(*curve, purpose_, diag_);
    curve_ = curve != nullptr;
    if (const auto feeds = r.array_of_tables("feeds", "[[feeds]]")) {
      for (const toml::table* t : *feeds) config.feeds.push_back(read_feed(*t));
    }
    if (const auto* t = r.table("execution")) read_execution(*t, config.execution);
    if (curve && purpose_ == Purpose::daemon) check_allowlists(*curve, config, diag_);
    if (const auto* t = r.table("status")) read_status(*t, config.status);
    execution_ = &config.execution;
    if (const auto portfolios = r.array_of_tables("portfolios", "[[portfolios]]")) {
      for (const toml::table* t : *portfolios) config.portfolios.push_back(read_portfolio(*t));
    }
    if (const auto models = r.array_of_tables("models", "[[models]]")) {
      for (const toml::table* t : *models) config.models.push_back(read_fleet_model(*t));
    }
    check_model_lots(config.models, root);
    if (const auto* t = r.table("fleet")) read_fleet(*t, config.fleet);
    if (purpose_ == Purpose::daemon && !config.models.empty()) {
      // The accounts live in the state file, which these modes do not open.
      const toml::node& models = *root.get("models");
      if (config.daemon.durability == Durability::off) {
        diag_.error(models.source(), "[[models]] trade the accounts of the account book, which lives in the state "
                                     "file: they cannot run with [daemon] durability = \"off\"");
      }
      if (config.execution.mode == ExecutionMode::dry_run) {
        diag_.error(models.source(), "[[models]] cannot run in [execution] mode = \"dry-run\" yet (dry-run does "
                                     "not open the state file that holds the accounts)");
      }
    }
    if (const auto* t = r.table("simulation")) config.simulation = read_simulation(*t, config.portfolios);
    if (const auto* t = r.table("fix")) config.fix = read_fix(*t, config);
    if (purpose_ == Purpose::daemon) {
      require_some(root, "feeds", "no [[feeds]]: the daemon needs at least one market-data feed");
      if (!root.get("models")) {
        require_some(root, "portfolios",
                     "no [[portfolios]] and no [[models]]: the daemon needs at least one portfolio or model to manage");
      }
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
    TableReader r(t, "[daemon]", "",
                  {"log_level", "log_format", "log_file", "state_dir", "durability", "clock", "shard"}, diag_);
    if (auto v = r.one_of("clock", {"wall", "data"})) out.clock = *v == "data" ? EngineClock::data : EngineClock::wall;
    if (auto v = r.one_of("durability", {"full", "normal", "off"})) {
      out.durability = *v == "off" ? Durability::off : *v == "normal" ? Durability::normal : Durability::full;
    }
    if (auto v = r.one_of("log_level", {"trace", "debug", "info", "warn", "error"})) out.log_level = *v;
    if (auto v = r.one_of("log_format", {"text", "json"}))
      out.log_format = *v == "json" ? LogFormat::json : LogFormat::text;
    if (auto v = r.string("log_file")) out.log_file = *v;
    if (auto v = r.nonempty_string("state_dir")) out.state_dir = *v;
    if (auto v = r.string("shard")) {
      ShardParseResult parsed = parse_shard(*v);
      if (parsed.shard) out.shard = *parsed.shard;
      else diag_.error(r.node("shard")->source(), "shard: " + quote(*v) + ": " + parsed.error);
    }
  }

  FeedConfig read_feed(const toml::table& t) {
    TableReader r(
        t, "[[feeds]]", "",
        {"name", "endpoint", "bind", "framing", "stale_after", "max_jump", "max_future", "jump_confirm", "fields",
         "symbols", "insecure", "coalesce"},
        diag_);
    FeedConfig f;
    if (!r.has("name")) {
      r.missing("name");
    } else if (auto v = r.nonempty_string("name")) {
      f.name = *v;
      check_unique(feed_names_, *v, *r.node("name"), "feed name");
    }
    if (auto v = r.boolean("insecure")) f.insecure = *v;
    if (!r.has("endpoint")) {
      r.missing("endpoint");
    } else if (auto v = endpoint(r, "endpoint")) {
      f.endpoint = *v;
      if (purpose_ == Purpose::daemon) {
        check_plain_endpoint(*r.node("endpoint"), {"endpoint", "publish ticks", "this feed"}, curve_, f.insecure,
                             diag_);
      }
    }
    if (auto v = r.boolean("bind")) f.bind = *v;
    if (auto v = r.one_of("framing", {"multipart", "topic-json"})) {
      f.format.framing = *v == "topic-json" ? core::Framing::topic_json : core::Framing::multipart;
    }
    if (auto v = duration(r, "stale_after")) f.stale_after = *v;
    number_or_none(r, "max_jump", Bound::positive, f.max_jump);
    duration_or_none(r, "max_future", f.max_future);
    if (auto v = r.integer("jump_confirm")) {
      if (*v < 1 || *v > INT_MAX) {
        diag_.error(r.node("jump_confirm")->source(), "jump_confirm: must be an integer in 1.." +
                                                          std::to_string(INT_MAX) + ", got " + std::to_string(*v));
      } else {
        f.jump_confirm = static_cast<int>(*v);
      }
    }
    if (auto v = r.string("coalesce")) read_coalesce(*v, *r.node("coalesce"), f.coalesce);
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

  /// "off", "instant", or a window: a duration in (0, 10s].
  void read_coalesce(const std::string& text, const toml::node& n, Coalesce& out) {
    if (text == "off") {
      out = {Coalesce::Kind::off, 0};
      return;
    }
    if (text == "instant") {
      out = {Coalesce::Kind::instant, 0};
      return;
    }
    const auto d = core::parse_duration(text);
    if (!d) {
      diag_.error(n.source(), "coalesce: expected \"off\", \"instant\" or a duration such as \"50ms\" (" +
                                  std::string(kDurationForms) + "), got " + quote(text));
    } else if (*d > kMaxCoalesceWindow) {
      diag_.error(n.source(), "coalesce: a window of at most \"10s\", got " + quote(text));
    } else {
      out = {Coalesce::Kind::window, *d};
    }
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
    TableReader r(t, "[execution]", "",
                  {"endpoint", "connect", "fills_endpoint", "mode", "order_timeout", "fill_price_collar", "kill_switch",
                   "limits", "insecure"},
                  diag_);
    if (const auto* limits = r.table("limits")) read_limits(*limits, out.limits);
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
    if (auto v = duration(r, "order_timeout")) out.order_timeout = *v;
    number_or_none(r, "fill_price_collar", Bound::positive, out.fill_price_collar);
    if (auto v = r.boolean("kill_switch")) out.kill_switch = *v;
    if (auto v = r.boolean("insecure")) out.insecure = *v;
    // Only live mode opens the order and fill sockets.
    if (purpose_ == Purpose::daemon && out.mode == ExecutionMode::live) {
      // Only endpoints that were read: a malformed one was reported already.
      const auto check = [&](const EndpointRole& role, const std::string& value) {
        const toml::node* n = r.node(role.key);
        if (n && n->value<std::string>() == value && is_endpoint(value)) {
          check_plain_endpoint(*n, role, curve_, out.insecure, diag_);
        }
      };
      check({"endpoint", "take orders", "[execution]"}, out.endpoint);
      check({"fills_endpoint", "report fills", "[execution]"}, out.fills_endpoint);
    }
  }

  void read_limits(const toml::table& t, execution::RiskLimits& out) {
    TableReader r(t, "[execution.limits]", "limits",
                  {"max_order_value", "max_order_fraction", "price_collar", "max_orders_per_minute", "duplicate_window",
                   "restricted_symbols", "max_daily_turnover"},
                  diag_);
    if (auto v = r.number("max_order_value", Bound::positive)) out.max_order_value = *v;
    number_or_none(r, "max_order_fraction", Bound::unit_positive, out.max_order_fraction);
    if (auto v = r.number("price_collar", Bound::positive)) out.price_collar = *v;
    if (auto v = r.number("max_daily_turnover", Bound::positive)) out.max_daily_turnover = *v;
    if (auto v = r.integer("max_orders_per_minute")) {
      if (*v < 1 || *v > INT_MAX) {
        diag_.error(r.node("max_orders_per_minute")->source(),
                    "limits.max_orders_per_minute: must be an integer in 1.." + std::to_string(INT_MAX) + ", got " +
                        std::to_string(*v));
      } else {
        out.max_orders_per_minute = static_cast<int>(*v);
      }
    }
    if (auto v = duration(r, "duplicate_window")) {
      if (*v <= 0) {
        diag_.error(r.node("duplicate_window")->source(), "limits.duplicate_window: must be longer than 0");
      } else {
        out.duplicate_window = *v;
      }
    }
    if (const toml::node* n = r.node("restricted_symbols")) {
      const auto* list = n->as_array();
      if (!list) {
        diag_.error(n->source(), "limits.restricted_symbols: expected an array of symbols such as [\"XYZ\"], got " +
                                     std::string(type_name(n->type())));
      } else {
        for (const toml::node& item : *list) {
          if (auto sym = read_nonempty_string(item, "limits.restricted_symbols", diag_)) {
            out.restricted_symbols.push_back(*sym);
          }
        }
      }
    }
  }

  void read_status(const toml::table& t, StatusConfig& out) {
    TableReader r(t, "[status]", "",
                  {"listen", "token", "header_timeout", "body_timeout", "idle_timeout", "write_timeout",
                   "max_requests_per_connection", "max_connections", "max_header_bytes", "max_body_bytes"},
                  diag_);
    if (auto v = r.string("token")) out.token = *v;

    // Limits of the status socket: each bounded both ways, because an absent
    // or huge limit is what lets idle clients hold the socket.
    const auto timeout = [&](std::string_view key, core::DurationNs& slot) {
      constexpr core::DurationNs kMin = core::kNanosPerSecond / 1000;
      constexpr core::DurationNs kMax = 3600 * core::kNanosPerSecond;
      const auto v = duration(r, key);
      if (!v) return;
      if (*v < kMin || *v > kMax) {
        diag_.error(r.node(key)->source(), r.name(key) + ": must be between \"1ms\" and \"1h\", got " +
                                               quote(r.node(key)->as_string()->get()));
        return;
      }
      slot = *v;
    };
    timeout("header_timeout", out.header_timeout);
    timeout("body_timeout", out.body_timeout);
    timeout("idle_timeout", out.idle_timeout);
    timeout("write_timeout", out.write_timeout);
    const auto count = [&](std::string_view key, std::int64_t min, std::int64_t max, std::int64_t& slot) {
      const auto v = r.integer(key);
      if (!v) return;
      if (*v < min || *v > max) {
        diag_.error(r.node(key)->source(), r.name(key) + ": must be an integer in " + std::to_string(min) + ".." +
                                               std::to_string(max) + ", got " + std::to_string(*v));
        return;
      }
      slot = *v;
    };
    count("max_requests_per_connection", 1, 1'000'000, out.max_requests_per_connection);
    count("max_connections", 1, 10'000, out.max_connections);
    count("max_header_bytes", 1024, 1024 * 1024, out.max_header_bytes);
    count("max_body_bytes", 0, 16 * 1024 * 1024, out.max_body_bytes);

    const toml::node* listen_node = r.node("listen");
    const auto listen = r.string("listen");
    if (!listen) return;
    out.listen = *listen;
    const ListenParseResult parsed = parse_listen_address(*listen);
    if (!parsed.address) {
      diag_.error(listen_node->source(),
                  "listen: expected \"host:port\" (an IPv4 address, localhost or [IPv6], and "
                  "a port 1..65535), got " +
                      quote(*listen) + ": " + parsed.error);
      return;
    }
    // The control endpoints can pause trading and force orders; open to the
    // network without a token, anyone who reaches the port could use them.
    if (purpose_ == Purpose::daemon && !parsed.address->loopback && out.token.empty()) {
      diag_.error(listen_node->source(),
                  "listen: " + quote(*listen) +
                      " is not a loopback address and [status] token is not set; anyone who can reach it could "
                      "pause, resume or rebalance: set token, or listen on 127.0.0.1");
    }
  }

  PortfolioSpec read_portfolio(const toml::table& t) { return read_policy(t, "[[portfolios]]"); }

  /// A `[[models]]` table: a portfolio's policy without its own facts (cash and
  /// holdings live with each account in the account book), and only what the
  /// fleet engine runs: fixed targets or a target model on a fixed
  /// `[models.risk]`, threshold bands (absolute, relative, total), calendar
  /// dates, a volatility trigger and a dynamic trigger beside them (the last
  /// two on a fixed `[models.risk]`), lots, rebalance_to, min_trade_value,
  /// costs, `slicing` and `[models.tax]`.
  PortfolioSpec read_fleet_model(const toml::table& t) {
    static constexpr std::pair<std::string_view, std::string_view> kAccountFacts[] = {
        {"cash", "an account's cash is in the account book (ballast accounts import)"},
        {"holdings", "an account's holdings are in the account book (ballast accounts import)"},
    };
    static constexpr std::string_view kNotForModels[] = {"max_cost_bps",       "order_type", "limit_offset_bps",
                                                         "limit_from",         "limit_ttl",  "limit_on_expiry",
                                                         "limit_max_replaces", "limit_tick"};
    for (const auto& [key, why] : kAccountFacts) {
      if (const toml::node* n = t.get(key)) diag_.error(n->source(), std::string(key) + ": not a model key; " + std::string(why));
    }
    for (std::string_view key : kNotForModels) {
      if (const toml::node* n = t.get(key)) {
        diag_.error(n->source(), std::string(key) +
                                     ": not supported for [[models]] yet (their accounts' trades are sized as "
                                     "market orders without a cost cap); use a [[portfolios]] entry for it");
      }
    }
    const toml::node* first_dynamic = nullptr;
    bool has_band = false;
    const toml::node* first_calendar = nullptr;
    const toml::node* first_volatility = nullptr;
    if (const toml::node* triggers = t.get("triggers"); triggers && triggers->is_array_of_tables()) {
      for (const toml::node& trigger : *triggers->as_array()) {
        const toml::table& tt = *trigger.as_table();
        const toml::node* kind = tt.get("kind");
        const auto kind_name = kind ? kind->value<std::string>() : std::nullopt;
        if (kind_name == "threshold") has_band = true;
        if (kind_name == "calendar" && !first_calendar) first_calendar = &trigger;
        if (kind_name == "volatility" && !first_volatility) first_volatility = &trigger;
        if (kind_name == "dynamic") {
          if (first_dynamic) {
            diag_.error(trigger.source(), "[[models.triggers]]: a model takes one dynamic trigger (another is at "
                                          "line " + std::to_string(first_dynamic->source().begin.line) + ")");
          } else {
            first_dynamic = &trigger;
          }
        }
      }
    } else if (!t.get("triggers")) {
      diag_.error(t.source(), "[[models]] needs at least one [[models.triggers]] of kind \"threshold\"");
    }
    // The bands say when an account is looked at (its safe zone follows
    // them); the dynamic trigger only whether a rebalance they fire goes ahead.
    if (first_calendar && !has_band) {
      diag_.error(first_calendar->source(),
                  "[[models.triggers]]: a calendar trigger on a model runs beside its bands, which say when an "
                  "account is checked between dates; add a [[models.triggers]] of kind \"threshold\"");
    }
    if (first_volatility && !has_band) {
      diag_.error(first_volatility->source(),
                  "[[models.triggers]]: a volatility trigger on a model runs beside its bands, which say when an "
                  "account is checked; add a [[models.triggers]] of kind \"threshold\"");
    }
    if (first_dynamic && !has_band) {
      diag_.error(first_dynamic->source(),
                  "[[models.triggers]]: a dynamic trigger on a model weighs the rebalances its bands fire; add a "
                  "[[models.triggers]] of kind \"threshold\"");
    }
    if (const toml::node* risk = t.get("risk"); risk && risk->is_table()) {
      static constexpr std::string_view kEstimateKeys[] = {"halflife", "sample_every", "min_samples",
                                                           "periods_per_year", "history"};
      const bool fixed = risk->as_table()->get("volatilities") != nullptr;
      for (std::string_view key : kEstimateKeys) {
        // With volatilities, a history is refused by the risk table's own reader already.
        if (key == "history" && fixed) continue;
        if (const toml::node* n = risk->as_table()->get(key)) {
          diag_.error(n->source(), std::string(key) + ": [models.risk] is a fixed risk model (volatilities, "
                                                      "correlations); models do not estimate one from prices");
        }
      }
      if (!fixed) {
        diag_.error(risk->source(),
                    "[models.risk] needs volatilities for every symbol in targets (a fixed risk model)");
      }
    }
    PortfolioSpec spec = read_policy(t, "[[models]]");
    // The kind as read_policy read it (the errors are sorted by place when reported).
    const toml::node* risk = t.get("risk");
    if (risk && risk->is_table() && !first_dynamic && !first_volatility &&
        !strategies::is_risk_based(spec.model.kind)) {
      diag_.error(risk->source(),
                  "[models.risk] serves a dynamic or volatility trigger or a target model only; "
                  "add a [[models.triggers]] of kind \"dynamic\" or \"volatility\" or a "
                  "[models.model], or remove [models.risk]");
    }
    return spec;
  }

  /// Block orders net one symbol's trades across models: each symbol has one
  /// lot size in every model that holds it.
  void check_model_lots(const std::vector<PortfolioSpec>& models, const toml::table& root) {
    std::map<std::string, std::pair<double, std::string>> first;  // symbol → lot, model
    const toml::array* tables = root.get("models") ? root.get("models")->as_array() : nullptr;
    for (std::size_t m = 0; m < models.size(); ++m) {
      for (const AssetSpec& a : models[m].assets) {
        const auto [it, added] = first.try_emplace(a.symbol, a.lot_size, models[m].id);
        if (added || it->second.first == a.lot_size) continue;
        const toml::node* at = tables && m < tables->size() ? tables->get(m) : &root;
        if (const auto* t = at->as_table(); t && t->get("lot_sizes")) at = t->get("lot_sizes");
        diag_.error(at->source(), "lot_sizes: " + a.symbol + " trades in lots of " + format_sum(a.lot_size) +
                                      " here and of " + format_sum(it->second.first) + " in model " +
                                      it->second.second + "; block orders net a symbol across models, so its lot "
                                      "size must be the same in all of them");
      }
    }
  }

  void read_fleet(const toml::table& t, FleetConfig& out) {
    TableReader r(t, "[fleet]", "", {"window", "long_term_after_months"}, diag_);
    // Durations are positive; a window may also be none at all.
    if (const toml::node* n = r.node("window"); n && (n->value<std::string>() == "0s" || n->value<std::string>() == "0")) {
      out.window = 0;
    } else if (auto v = duration(r, "window")) {
      if (*v < 0 || *v > kMaxFleetWindow) {
        diag_.error(r.node("window")->source(), "window: must be from \"0s\" (each tick's trades leave at once) to "
                                                "\"60s\", got " + quote(*r.string("window")));
      } else {
        out.window = *v;
      }
    }
    if (auto v = r.integer("long_term_after_months")) {
      if (*v < 1 || *v > 1200) {
        diag_.error(r.node("long_term_after_months")->source(),
                    "long_term_after_months: must be from 1 to 1200 (months), got " + std::to_string(*v));
      } else {
        out.long_term_after_months = static_cast<int>(*v);
      }
    }
  }

  PortfolioSpec read_policy(const toml::table& t, std::string_view table_name) {
    const bool is_model = table_name == "[[models]]";
    TableReader r(t, std::string(table_name), "",
                  {"id", "cash", "holdings", "targets", "cash_target", "min_trade_value", "lot_sizes", "rebalance_to",
                   "triggers", "risk", "model", "costs", "max_cost_bps", "slicing", "order_type", "limit_offset_bps",
                   "limit_from", "limit_ttl", "limit_on_expiry", "limit_max_replaces", "limit_tick", "tax"},
                  diag_);
    PortfolioSpec p;
    if (!r.has("id")) {
      r.missing("id");
    } else if (auto v = r.nonempty_string("id")) {
      const toml::node& n = *r.node("id");
      if (!is_valid_id(*v)) {
        diag_.error(n.source(),
                    "id: " + quote(*v) +
                        " may contain only letters, digits, '_', '.' and '-', because it is part of order ids");
      }
      if (is_model) {
        check_unique(model_ids_, *v, n, "model id");
      } else {
        check_unique(portfolio_ids_, *v, n, "portfolio id");
        if (*v == core::kBlockOrderPortfolio) {
          diag_.error(n.source(), "id: \"" + std::string(core::kBlockOrderPortfolio) +
                                      "\" is reserved for the block orders of [[models]]; choose another id");
        }
      }
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
    if (auto v = r.number("max_cost_bps", Bound::positive)) p.max_cost_bps = *v;
    if (const auto* slicing = r.table("slicing")) p.slicing = read_slicing(*slicing);
    p.limit = read_order_type(r, purpose_ == Purpose::daemon ? execution_ : nullptr, diag_);
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

    // After targets: substitutes name the model's assets.
    p.tax = read_tax_policy(r, is_model, targets ? &p.assets : nullptr, diag_);

    const Universe universe{targets, &index, weights_ok};
    // A risk table of the wrong type was reported already; models and triggers
    // that need one are not flagged again.
    const bool has_risk = r.has("risk");
    const std::string_view risk_table = is_model ? "[models.risk]" : "[portfolios.risk]";
    if (const auto* risk = r.table("risk")) p.risk = read_risk(*risk, p, universe, risk_table);
    if (const auto* model = r.table("model")) read_model(*model, p, universe, has_risk, is_model);
    if (const auto* costs = r.table("costs")) p.costs = read_costs(*costs, p, universe);
    if (const auto triggers = r.array_of_tables("triggers", "[[portfolios.triggers]]")) {
      for (const toml::table* trigger : *triggers) {
        if (auto tr = read_trigger(*trigger, universe, has_risk, risk_table)) p.triggers.push_back(std::move(*tr));
        // One cost model serves every user of costs: with [portfolios.costs],
        // a flat cost_bps of its own would price the same trades twice.
        const toml::node* cost_bps = trigger->get("cost_bps");
        if (cost_bps && r.has("costs") && trigger->get("kind") && trigger->get("kind")->value<std::string>() == "dynamic") {
          diag_.error(cost_bps->source(), std::string("cost_bps: this ") + (is_model ? "model" : "portfolio") +
                                              " has " + (is_model ? "[models.costs]" : "[portfolios.costs]") +
                                              ", which the dynamic trigger uses; remove cost_bps (it would price "
                                              "the same trades a second way)");
        }
      }
    }
    return p;
  }

  strategies::Slicing read_slicing(const toml::table& t) {
    TableReader r(t, "slicing", "slicing", {"max_child_value", "interval"}, diag_);
    strategies::Slicing s;
    if (!r.has("max_child_value")) r.missing("max_child_value");
    if (auto v = r.number("max_child_value", Bound::positive)) s.max_child_value = *v;
    if (auto v = duration(r, "interval")) {
      if (*v <= 0) {
        diag_.error(r.node("interval")->source(), "slicing.interval: must be longer than 0");
      } else {
        s.interval = *v;
      }
    }
    return s;
  }

  execution::CostParams read_costs(const toml::table& t, const PortfolioSpec& p, const Universe& u) {
    TableReader r(t, "[portfolios.costs]", "costs",
                  {"commission_per_share", "commission_bps", "commission_min", "half_spread_bps", "slippage_bps",
                   "impact_eta", "adv"},
                  diag_);
    execution::CostParams c;
    if (auto v = r.number("commission_per_share", Bound::non_negative)) c.commission_per_share = *v;
    if (auto v = r.number("commission_bps", Bound::non_negative)) c.commission_bps = *v;
    if (auto v = r.number("commission_min", Bound::non_negative)) c.commission_min = *v;
    if (auto v = r.number("half_spread_bps", Bound::non_negative)) c.half_spread_bps = *v;
    if (auto v = r.number("slippage_bps", Bound::non_negative)) c.slippage_bps = *v;
    if (auto v = r.number("impact_eta", Bound::non_negative)) c.impact_eta = *v;
    if (const auto* adv = r.table("adv")) {
      read_per_symbol(*adv, "costs.adv", Bound::positive, u.targets, *u.index,
                      [&](std::size_t i, double v) { c.adv.emplace_back(p.assets[i].symbol, v); });
    }
    return c;
  }

  RiskSpec read_risk(const toml::table& t, const PortfolioSpec& p, const Universe& u, std::string_view table_name) {
    TableReader r(
        t, std::string(table_name), "",
        {"halflife", "sample_every", "min_samples", "periods_per_year", "history", "volatilities", "correlations"},
        diag_);
    RiskSpec risk;
    if (auto v = duration(r, "halflife")) risk.halflife = *v;
    if (auto v = duration(r, "sample_every")) risk.sample_every = *v;
    if (auto v = r.integer("min_samples")) {
      if (*v < 1 || *v > INT_MAX) {
        diag_.error(r.node("min_samples")->source(),
                    "min_samples: must be an integer in 1.." + std::to_string(INT_MAX) + ", got " + std::to_string(*v));
      } else {
        risk.min_samples = static_cast<int>(*v);
      }
    }
    risk.periods_per_year = r.number("periods_per_year", Bound::positive);
    if (auto v = r.nonempty_string("history")) {
      risk.history = beside_config(diag_.file(), *v);
      if (r.has("volatilities")) {
        diag_.error(r.node("history")->source(),
                    "history: a fixed risk model (volatilities) needs no history; remove history or volatilities");
      }
    }

    const strategies::RiskModelParams params{risk.halflife, risk.sample_every, risk.min_samples, risk.periods_per_year};
    for (std::string& message : strategies::validate(params)) diag_.error(t.source(), std::move(message));

    // Volatilities by asset index; complete only when every symbol of targets has one.
    std::vector<double> volatilities(p.assets.size(), 0.0);
    bool volatilities_ok = false;
    if (const auto* vols = r.table("volatilities")) {
      std::vector<char> given(p.assets.size(), 0);
      const std::size_t read = read_per_symbol(*vols, "volatilities", Bound::non_negative, u.targets, *u.index,
                                               [&](std::size_t i, double v) {
                                                 volatilities[i] = v;
                                                 given[i] = 1;
                                               });
      if (u.targets && read == vols->size()) {
        volatilities_ok = require_every_symbol(*vols, "volatilities", given, p,
                                               "a fixed risk model needs a volatility for every symbol in targets");
      }
      if (volatilities_ok) {
        for (std::size_t i = 0; i < p.assets.size(); ++i) {
          risk.volatilities.emplace_back(p.assets[i].symbol, volatilities[i]);
        }
      }
    }

    std::vector<strategies::CorrelationPair> pairs;
    bool correlations_ok = true;
    if (const auto* corr = r.table("correlations")) {
      if (!r.has("volatilities")) {
        diag_.error(corr->source(),
                    "correlations: only a fixed risk model takes correlations; give volatilities for every symbol "
                    "too, or remove correlations to estimate both from prices");
      } else {
        correlations_ok = read_correlations(*corr, u, risk, pairs);
      }
    }

    if (volatilities_ok && correlations_ok) {
      std::vector<std::string> names;
      for (const AssetSpec& a : p.assets) names.push_back(a.symbol);
      const auto fixed = strategies::FixedRiskModel::make(volatilities, pairs, names);
      for (const std::string& message : fixed.errors) diag_.error(t.source(), message);
    }
    return risk;
  }

  /// `{ "A:B" = rho }`; true when every entry was read, so the pairs can be
  /// checked together without reporting an entry twice. `index_of(symbol, key,
  /// name)` gives a symbol's index, or reports why it has none and gives
  /// nullopt; `symbols` is how the message on a malformed key names them.
  template <class IndexOf>
  bool read_correlation_table(const toml::table& t, std::string_view symbols, IndexOf index_of,
                              std::vector<RiskSpec::Correlation>& correlations,
                              std::vector<strategies::CorrelationPair>& pairs) {
    bool ok = true;
    // Lower index first → the key that gave the pair and where it is.
    std::map<std::pair<std::size_t, std::size_t>, std::pair<std::string, toml::source_region>> seen;
    for (auto&& [key, value] : t) {
      const std::string_view k = key.str();
      const std::string name = key_path("correlations", k);
      // A plain double and a flag: gcc takes an optional here for maybe-uninitialized.
      const std::optional<double> read = read_number(value, name, Bound::any, diag_);
      bool has_rho = read.has_value();
      const double rho = read.value_or(0.0);
      if (has_rho && !(rho >= -1 && rho <= 1)) {
        diag_.error(value.source(), name + ": must be in [-1, 1], got " + core::shortest(rho));
        has_rho = false;
      }
      if (!has_rho) ok = false;
      const std::size_t colon = k.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == k.size() ||
          k.find(':', colon + 1) != std::string_view::npos) {
        diag_.error(key.source(), name + ": expected two " + std::string(symbols) + " written \"A:B\", such as \"SPY:AGG\"");
        ok = false;
        continue;
      }
      const std::string a(k.substr(0, colon));
      const std::string b(k.substr(colon + 1));
      if (a == b) {
        diag_.error(key.source(), name + ": the correlation of a symbol with itself is always 1");
        ok = false;
        continue;
      }
      const std::optional<std::size_t> ia = index_of(a, key, name);
      const std::optional<std::size_t> ib = index_of(b, key, name);
      if (!ia || !ib) {
        ok = false;
        continue;
      }
      const auto [it, inserted] =
          seen.emplace(std::pair{std::min(*ia, *ib), std::max(*ia, *ib)}, std::pair{std::string(k), key.source()});
      if (!inserted) {
        // Keys come in sorted order, not file order: report the later one.
        const bool this_later = before(it->second.second, key.source());
        const auto& first_region = this_later ? it->second.second : key.source();
        const auto& later_region = this_later ? key.source() : it->second.second;
        const std::string later_name = key_path("correlations", this_later ? k : std::string_view(it->second.first));
        const std::string first_key = this_later ? it->second.first : std::string(k);
        diag_.error(later_region, later_name + ": duplicate pair (first given as " + quote(first_key) + " at line " +
                                      std::to_string(first_region.begin.line) + ")");
        ok = false;
        continue;
      }
      if (has_rho) {
        correlations.push_back(RiskSpec::Correlation{a, b, rho});
        pairs.push_back(strategies::CorrelationPair{*ia, *ib, rho});
      }
    }
    return ok;
  }

  /// [portfolios.risk] correlations: symbols of the portfolio's targets.
  bool read_correlations(const toml::table& t, const Universe& u, RiskSpec& risk,
                         std::vector<strategies::CorrelationPair>& pairs) {
    auto index_of = [&](const std::string& symbol, const toml::key& key,
                        const std::string& name) -> std::optional<std::size_t> {
      if (!u.targets) return std::nullopt;  // a broken targets table was reported already
      if (const auto it = u.index->find(symbol); it != u.index->end()) return it->second;
      diag_.error(key.source(), name + ": " + key_path("", symbol) +
                                    " has no target; correlations may only name symbols in targets");
      return std::nullopt;
    };
    return read_correlation_table(t, "symbols of targets", index_of, risk.correlations, pairs);
  }

  void read_model(const toml::table& t, PortfolioSpec& p, const Universe& u, bool has_risk, bool is_model) {
    const std::string table = is_model ? "[models.model]" : "[portfolios.model]";
    const toml::node* kind_node = t.get("kind");
    if (!kind_node) {
      diag_.error(t.source(), table + " is missing required key \"kind\" (one of " + std::string(kModelKinds) + ")");
      return;
    }
    const auto kind = read_string(*kind_node, "kind", diag_);
    if (!kind) return;
    ModelSpec& m = p.model;

    if (*kind == "fixed" || *kind == "buy-and-hold") {
      TableReader r(t, "a " + *kind + " model", "", {"kind"}, diag_);
      m.kind = *kind == "fixed" ? ModelKind::fixed : ModelKind::buy_and_hold;
    } else if (*kind == "target-vol") {
      TableReader r(t, "a target-vol model", "", {"kind", "target_vol", "max_leverage", "safe"}, diag_);
      m.kind = ModelKind::target_vol;
      if (auto v = r.number("target_vol", Bound::positive)) m.target_vol = *v;
      if (auto v = r.number("max_leverage", Bound::positive)) m.max_leverage = *v;
      const bool safe_ok = read_symbol(r, "safe", true, u, m.safe);
      if (safe_ok) check_risky_mix(t, p, u, m.safe, "a target-vol model");
    } else if (*kind == "risk-parity") {
      TableReader r(t, "a risk-parity model", "", {"kind", "budgets"}, diag_);
      m.kind = ModelKind::risk_parity;
      if (const auto* budgets = r.table("budgets")) read_budgets(*budgets, p, u);
    } else if (*kind == "mean-variance") {
      TableReader r(t, "a mean-variance model", "",
                    {"kind", "risk_aversion", "expected_returns", "min_weight", "max_weight"}, diag_);
      m.kind = ModelKind::mean_variance;
      read_mean_variance(r, t, p, u);
    } else if (*kind == "cppi") {
      TableReader r(t, "a cppi model", "", {"kind", "risky", "safe", "floor", "floor_value", "multiplier"}, diag_);
      m.kind = ModelKind::cppi;
      read_cppi(r, t, p, u);
    } else {
      diag_.error(kind_node->source(),
                  "kind: unknown model kind " + quote(*kind) + " (known kinds: " + std::string(kModelKinds) + ")");
      return;
    }
    if (strategies::is_risk_based(m.kind) && !has_risk) {
      diag_.error(t.source(),
                  "kind = " + quote(*kind) + " needs " + (is_model ? "[models.risk]" : "[portfolios.risk]"));
    }
    if (is_model) check_model_target_model(t, *kind_node, m);
  }

  /// What a target model on [[models]] cannot be: one account's own
  /// (CPPI follows each account's value and floor), one that never trades,
  /// or one that borrows (an account holds cash ≥ 0; min_weight is never
  /// below 0 for anyone).
  void check_model_target_model(const toml::table& t, const toml::node& kind_node, const ModelSpec& m) {
    if (m.kind == ModelKind::cppi || m.kind == ModelKind::buy_and_hold) {
      diag_.error(kind_node.source(), "kind: " + quote(std::string(to_string(m.kind))) +
                                          " does not run on [[models]] (its accounts share the model's targets); "
                                          "use \"fixed\", \"target-vol\", \"risk-parity\" or \"mean-variance\", "
                                          "or a [[portfolios]] entry");
    }
    if (const toml::node* n = t.get("max_leverage"); n && m.max_leverage > 1) {
      diag_.error(n->source(), "max_leverage: an account of a model does not borrow; expected at most 1");
    }
  }

  /// A string naming a symbol of targets, or "cash" when `cash_allowed`;
  /// false when it was given and is not usable.
  bool read_symbol(TableReader& r, std::string_view key, bool cash_allowed, const Universe& u, std::string& out) {
    if (!r.has(key)) return true;
    const auto v = r.nonempty_string(key);
    if (!v) return false;
    if (!(cash_allowed && *v == "cash") && u.targets && !u.index->contains(*v)) {
      diag_.error(r.node(key)->source(), r.name(key) + ": " + quote(*v) +
                                             " is not in targets; expected a symbol of targets" +
                                             (cash_allowed ? " or \"cash\"" : ""));
      return false;
    }
    out = *v;
    return true;
  }

  /// The risky mix of target-vol and cppi is the targets of the symbols other than `safe`.
  void check_risky_mix(const toml::table& t, const PortfolioSpec& p, const Universe& u, const std::string& safe,
                       std::string_view model) {
    if (!u.targets || !u.weights_ok) return;
    for (const AssetSpec& a : p.assets) {
      if (a.symbol != safe && a.target > 0) return;
    }
    diag_.error(t.source(), std::string(model) + " needs a risky mix: a symbol of targets other than safe (" +
                                quote(safe) + ") with a target > 0");
  }

  void read_budgets(const toml::table& t, PortfolioSpec& p, const Universe& u) {
    std::vector<double> budgets(p.assets.size(), 0.0);
    std::vector<char> given(p.assets.size(), 0);
    const std::size_t read =
        read_per_symbol(t, "budgets", Bound::positive, u.targets, *u.index, [&](std::size_t i, double v) {
          budgets[i] = v;
          given[i] = 1;
        });
    if (!u.targets || read != t.size()) return;
    if (!require_every_symbol(t, "budgets", given, p, "when budgets are given, every symbol in targets needs one")) {
      return;
    }
    double sum = 0;
    for (double b : budgets) sum += b;
    if (std::fabs(sum - 1.0) > kWeightSumTolerance) {
      diag_.error(t.source(), "budgets: sum to " + format_sum(sum) + ", expected 1 (within 1e-6)");
      return;
    }
    for (std::size_t i = 0; i < p.assets.size(); ++i) p.model.budgets.emplace_back(p.assets[i].symbol, budgets[i]);
  }

  void read_mean_variance(TableReader& r, const toml::table& t, PortfolioSpec& p, const Universe& u) {
    ModelSpec& m = p.model;
    if (!r.has("risk_aversion")) {
      r.missing("risk_aversion", "a number > 0");
    } else if (auto v = r.number("risk_aversion", Bound::positive)) {
      m.risk_aversion = *v;
    }
    if (!r.has("expected_returns")) {
      r.missing("expected_returns", "an annual expected return for every symbol in targets, such as { SPY = 0.07 }");
    } else if (const auto* er = r.table("expected_returns")) {
      std::vector<double> returns(p.assets.size(), 0.0);
      std::vector<char> given(p.assets.size(), 0);
      const std::size_t read =
          read_per_symbol(*er, "expected_returns", Bound::any, u.targets, *u.index, [&](std::size_t i, double v) {
            returns[i] = v;
            given[i] = 1;
          });
      if (u.targets && read == er->size() &&
          require_every_symbol(*er, "expected_returns", given, p,
                               "a mean-variance model needs an expected return for every symbol in targets")) {
        for (std::size_t i = 0; i < p.assets.size(); ++i) {
          m.expected_returns.emplace_back(p.assets[i].symbol, returns[i]);
        }
      }
    }
    const auto min_weight = r.number("min_weight", Bound::unit);
    const auto max_weight = r.number("max_weight", Bound::unit);
    if (min_weight) m.min_weight = *min_weight;
    if (max_weight) m.max_weight = *max_weight;
    // A bound that failed its own check was reported; comparing it would report it twice.
    if ((r.has("min_weight") && !min_weight) || (r.has("max_weight") && !max_weight)) return;
    const toml::node* min_node = r.node("min_weight");
    const toml::node* max_node = r.node("max_weight");
    if (m.max_weight < m.min_weight) {
      diag_.error(max_node ? max_node->source() : t.source(), "max_weight: must be >= min_weight (" +
                                                                  core::shortest(m.min_weight) + "), got " +
                                                                  core::shortest(m.max_weight));
      return;
    }
    if (!u.targets || !u.weights_ok || p.assets.empty()) return;
    // The assets share what cash_target leaves; the bounds must allow that exactly.
    const double invested = 1.0 - p.cash_target;
    const double n = static_cast<double>(p.assets.size());
    const std::string count = std::to_string(p.assets.size()) + (p.assets.size() == 1 ? " symbol" : " symbols");
    if (m.min_weight * n > invested + kWeightSumTolerance) {
      diag_.error(min_node ? min_node->source() : t.source(),
                  "min_weight: " + count + " at min_weight " + core::shortest(m.min_weight) + " need " +
                      format_sum(m.min_weight * n) + ", more than the " + format_sum(invested) + " that cash_target (" +
                      format_sum(p.cash_target) + ") leaves; lower min_weight");
    } else if (m.max_weight * n < invested - kWeightSumTolerance) {
      diag_.error(max_node ? max_node->source() : t.source(),
                  "max_weight: " + count + " at max_weight " + core::shortest(m.max_weight) + " hold at most " +
                      format_sum(m.max_weight * n) + ", less than the " + format_sum(invested) + " that cash_target (" +
                      format_sum(p.cash_target) + ") leaves; raise max_weight or cash_target");
    }
  }

  void read_cppi(TableReader& r, const toml::table& t, PortfolioSpec& p, const Universe& u) {
    ModelSpec& m = p.model;
    const bool risky_ok = read_symbol(r, "risky", false, u, m.risky);
    const bool safe_ok = read_symbol(r, "safe", true, u, m.safe);
    if (risky_ok && safe_ok) {
      if (!m.risky.empty() && m.risky == m.safe) {
        diag_.error(r.node("safe")->source(), "safe: must differ from risky (" + quote(m.risky) + ")");
      } else if (m.risky.empty()) {
        check_risky_mix(t, p, u, m.safe, "a cppi model");
      }
    }
    if (const toml::node* n = r.node("floor")) {
      if (auto v = read_number(*n, "floor", Bound::any, diag_)) {
        if (*v > 0 && *v < 1) {
          m.floor = *v;
        } else {
          diag_.error(n->source(), "floor: must be in (0, 1), got " + core::shortest(*v) +
                                       (*v > 1 ? " (a fraction of the starting value, not percent)" : ""));
        }
      }
    }
    m.floor_value = r.number("floor_value", Bound::positive);
    if (r.has("floor") && r.has("floor_value")) {
      diag_.error(r.node("floor_value")->source(), "floor_value: give either floor or floor_value, not both");
    } else if (!r.has("floor") && !r.has("floor_value")) {
      diag_.error(t.source(), "a cppi model needs one of floor, floor_value");
    }
    if (auto v = r.number("multiplier", Bound::positive)) m.multiplier = *v;
  }

  /// Reports at `t` the symbols of targets that `given` lacks; true when none.
  bool require_every_symbol(const toml::table& t, std::string_view what, const std::vector<char>& given,
                            const PortfolioSpec& p, std::string_view why) {
    std::string missing;
    for (std::size_t i = 0; i < p.assets.size(); ++i) {
      if (given[i]) continue;
      if (!missing.empty()) missing += ", ";
      missing += key_path("", p.assets[i].symbol);
    }
    if (missing.empty()) return true;
    diag_.error(t.source(), std::string(what) + ": missing " + missing + "; " + std::string(why));
    return false;
  }

  /// A SYM → number table keyed by the portfolio's symbols. A symbol without a
  /// target is reported only when `targets` was read, so that a broken targets
  /// table does not also flag every holding.
  /// Returns how many entries were assigned.
  template <class Assign>
  std::size_t read_per_symbol(const toml::table& t, std::string_view what, Bound bound, const toml::table* targets,
                              const std::unordered_map<std::string, std::size_t>& index, Assign assign) {
    std::size_t assigned = 0;
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
            no_target(key.source(), what, symbol);
          }
        }
        continue;
      }
      if (v) {
        assign(it->second, *v);
        ++assigned;
      }
    }
    return assigned;
  }

  void no_target(const toml::source_region& where, std::string_view what, const std::string& symbol) {
    diag_.error(where, key_path(what, symbol) + ": " + key_path("", symbol) + " has no target; " + std::string(what) +
                           " may only name symbols in targets");
  }

  std::optional<Trigger> read_trigger(const toml::table& t, const Universe& u, bool has_risk,
                                      std::string_view risk_table) {
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
                      "every: expected a period, " + std::string(kPeriodForms) + ", got " + quote(*v));
        }
      }
      if (const toml::node* anchor = r.node("anchor")) cal.anchor = read_anchor(*anchor);
      return cal;
    }
    if (*kind == "volatility") {
      TableReader r(t, "a volatility trigger", "", {"kind", "change", "min", "max"}, diag_);
      VolatilityTrigger vol;
      vol.change = r.number("change", Bound::positive);
      vol.min = r.number("min", Bound::non_negative);
      vol.max = r.number("max", Bound::positive);
      if (vol.min && vol.max && !(*vol.max > *vol.min)) {
        diag_.error(r.node("max")->source(),
                    "max: must be > min (" + core::shortest(*vol.min) + "), got " + core::shortest(*vol.max));
      }
      if (!r.has("change") && !r.has("min") && !r.has("max")) {
        diag_.error(t.source(), "a volatility trigger needs at least one of change, min, max");
      }
      if (!has_risk) diag_.error(t.source(), "kind = \"volatility\" needs " + std::string(risk_table));
      return vol;
    }
    if (*kind == "dynamic") {
      TableReader r(t, "a dynamic trigger", "", {"kind", "risk_aversion", "horizon", "cost_bps"}, diag_);
      DynamicTrigger dyn;
      if (auto v = r.number("risk_aversion", Bound::positive)) dyn.risk_aversion = *v;
      if (auto v = duration(r, "horizon")) dyn.horizon = *v;
      if (const toml::node* cost = r.node("cost_bps")) read_cost_bps(*cost, u, dyn);
      if (!has_risk) diag_.error(t.source(), "kind = \"dynamic\" needs " + std::string(risk_table));
      return dyn;
    }
    diag_.error(kind_node->source(),
                "kind: unknown trigger kind " + quote(*kind) + " (known kinds: " + std::string(kTriggerKinds) + ")");
    return std::nullopt;
  }

  /// A number for every asset, or `{ default = 10, SPY = 5 }`.
  void read_cost_bps(const toml::node& n, const Universe& u, DynamicTrigger& dyn) {
    if (n.is_number()) {
      if (auto v = read_number(n, "cost_bps", Bound::non_negative, diag_)) dyn.cost_bps = *v;
      return;
    }
    const auto* t = n.as_table();
    if (!t) {
      diag_.error(n.source(), "cost_bps: expected a number or a table such as { default = 10, SPY = 5 }, got " +
                                  std::string(type_name(n.type())));
      return;
    }
    for (auto&& [key, value] : *t) {
      const std::string symbol(key.str());
      if (symbol == "default") {
        if (auto v = read_number(value, "cost_bps.default", Bound::non_negative, diag_)) dyn.cost_bps = *v;
        continue;
      }
      if (symbol.empty()) {
        diag_.error(key.source(), "cost_bps: a symbol must not be empty");
        continue;
      }
      const auto v = read_number(value, key_path("cost_bps", symbol), Bound::non_negative, diag_);
      if (u.targets && !u.index->contains(symbol)) {
        no_target(key.source(), "cost_bps", symbol);
        continue;
      }
      if (v) dyn.cost_bps_by_symbol.emplace_back(symbol, *v);
    }
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
                      quote(s->get()));
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
                r.name(key) + ": expected a duration, " + std::string(kDurationForms) + ", got " + quote(*text));
    return std::nullopt;
  }

  /// A limit with a safe default that the file may switch off: a number within
  /// `bound`, or "none" (out empties). Absent: `out` keeps its default.
  void number_or_none(TableReader& r, std::string_view key, Bound bound, std::optional<double>& out) {
    const toml::node* n = r.node(key);
    if (!n) return;
    if (const auto* s = n->as_string()) {
      if (s->get() == "none") out.reset();
      else diag_.error(n->source(), r.name(key) + ": expected a number or \"none\", got " + quote(s->get()));
      return;
    }
    if (auto v = r.number(key, bound)) out = *v;
  }

  /// As number_or_none, for a duration longer than 0.
  void duration_or_none(TableReader& r, std::string_view key, std::optional<core::DurationNs>& out) {
    const toml::node* n = r.node(key);
    if (!n) return;
    if (const auto* s = n->as_string(); s && s->get() == "none") {
      out.reset();
    } else if (const auto d = s ? core::parse_duration(s->get()) : std::nullopt; d && *d > 0) {
      out = *d;
    } else {
      diag_.error(n->source(), r.name(key) + ": expected a duration longer than 0 (" + std::string(kDurationForms) +
                                   ") or \"none\", got " + (s ? quote(s->get()) : std::string(type_name(n->type()))));
    }
  }

  std::optional<std::string> endpoint(TableReader& r, std::string_view key) {
    auto text = r.string(key);
    if (!text) return std::nullopt;
    if (is_endpoint(*text)) return text;
    diag_.error(r.node(key)->source(),
                r.name(key) + ": expected " + std::string(kEndpointForms) + ", got " + quote(*text));
    return std::nullopt;
  }

  /// Reports a repeated name at the repetition, pointing back at the first.
  void check_unique(std::map<std::string, int>& seen, const std::string& value, const toml::node& n,
                    std::string_view what) {
    const auto [it, inserted] = seen.emplace(value, line_of(n));
    if (!inserted) {
      diag_.error(n.source(), "duplicate " + std::string(what) + " " + quote(value) + " (first defined at line " +
                                  std::to_string(it->second) + ")");
    }
  }

  // --- [simulation]: the market model of `ballast simulate` --------------------------------------------------------
  // Read for every purpose (the daemon ignores it), after the portfolios, whose
  // symbols it must name.

  /// Every symbol the portfolios name, in first-seen order.
  struct MarketUniverse {
    std::vector<std::string> symbols;
    std::unordered_map<std::string, std::size_t> index;
    /// Every portfolio's targets were read; otherwise a symbol missing from
    /// the universe is not reported, as the broken targets were already.
    bool complete = true;
  };

  SimulationConfig read_simulation(const toml::table& t, const std::vector<PortfolioSpec>& portfolios) {
    TableReader r(t, "[simulation]", "",
                  {"expected_returns", "volatilities", "correlations", "start_prices", "paths", "horizon", "step",
                   "seed", "risk_free", "start"},
                  diag_);
    MarketUniverse u;
    for (const PortfolioSpec& p : portfolios) {
      if (p.assets.empty()) u.complete = false;
      for (const AssetSpec& a : p.assets) {
        if (u.index.emplace(a.symbol, u.symbols.size()).second) u.symbols.push_back(a.symbol);
      }
    }
    SimulationConfig sim;
    if (const auto* er = r.table("expected_returns")) {
      if (auto v = read_market_values(*er, "expected_returns", Bound::any, u, true)) sim.expected_returns = std::move(*v);
    }
    bool volatilities_ok = false;
    if (const auto* vols = r.table("volatilities")) {
      if (auto v = read_market_values(*vols, "volatilities", Bound::non_negative, u, true)) {
        sim.volatilities = std::move(*v);
        volatilities_ok = true;
      }
    }
    std::vector<strategies::CorrelationPair> pairs;
    const toml::table* corr = r.table("correlations");
    bool correlations_ok = true;
    if (corr) {
      if (!r.has("volatilities")) {
        diag_.error(corr->source(),
                    "correlations: [simulation] correlations need [simulation] volatilities for every symbol too; "
                    "without both, the portfolios' fixed risk models are used");
        correlations_ok = false;
      } else {
        correlations_ok = read_market_correlations(*corr, u, sim, pairs);
      }
    }
    if (volatilities_ok && correlations_ok && u.complete) {
      std::vector<double> vols;
      for (const auto& [symbol, v] : sim.volatilities) vols.push_back(v);
      const auto fixed = strategies::FixedRiskModel::make(std::move(vols), pairs, u.symbols);
      for (const std::string& message : fixed.errors) {
        diag_.error(corr ? corr->source() : t.source(), "[simulation] " + message);
      }
    }
    if (const auto* prices = r.table("start_prices")) {
      if (auto v = read_market_values(*prices, "start_prices", Bound::positive, u, false)) sim.start_prices = std::move(*v);
    }
    if (auto v = r.integer("paths")) {
      if (*v < 1) {
        diag_.error(r.node("paths")->source(), "paths: must be an integer >= 1, got " + std::to_string(*v));
      } else {
        sim.paths = *v;
      }
    }
    if (auto v = market_period(r, "horizon")) sim.horizon = *v;
    if (auto v = market_period(r, "step")) sim.step = *v;
    if (auto v = r.integer("seed")) {
      if (*v < 0) {
        diag_.error(r.node("seed")->source(), "seed: must be an integer >= 0, got " + std::to_string(*v));
      } else {
        sim.seed = static_cast<std::uint64_t>(*v);
      }
    }
    if (auto v = r.number("risk_free", Bound::any)) sim.risk_free = *v;
    if (auto v = r.one_of("start", {"targets", "holdings"})) sim.start_at_targets = *v == "targets";
    return sim;
  }

  /// A SYM → number table of [simulation], returned in the universe's order;
  /// with `every`, it must name every symbol of the portfolios. nullopt when a
  /// problem was reported.
  std::optional<SimulationConfig::PerSymbol> read_market_values(const toml::table& t, std::string_view what,
                                                                Bound bound, const MarketUniverse& u, bool every) {
    std::vector<double> values(u.symbols.size(), 0.0);
    std::vector<char> given(u.symbols.size(), 0);
    bool ok = true;
    for (auto&& [key, value] : t) {
      const std::string symbol(key.str());
      const std::string name = key_path(what, symbol);
      if (symbol.empty()) {
        diag_.error(key.source(), std::string(what) + ": a symbol must not be empty");
        ok = false;
        continue;
      }
      const auto v = read_number(value, name, bound, diag_);
      if (!v) ok = false;
      const auto it = u.index.find(symbol);
      if (it == u.index.end()) {
        if (u.complete) {
          diag_.error(key.source(), name + ": no portfolio names " + key_path("", symbol) + "; " + std::string(what) +
                                        " may only name symbols in the portfolios' targets");
        }
        ok = false;
        continue;
      }
      if (v) {
        values[it->second] = *v;
        given[it->second] = 1;
      }
    }
    if (!ok) return std::nullopt;
    SimulationConfig::PerSymbol out;
    std::string missing;
    for (std::size_t i = 0; i < u.symbols.size(); ++i) {
      if (given[i]) {
        out.emplace_back(u.symbols[i], values[i]);
      } else if (every) {
        missing += (missing.empty() ? "" : ", ") + key_path("", u.symbols[i]);
      }
    }
    if (!missing.empty() && u.complete) {
      diag_.error(t.source(), std::string(what) + ": missing " + missing + "; [simulation] " + std::string(what) +
                                  ", when given, needs every symbol the portfolios name");
      return std::nullopt;
    }
    return out;
  }

  /// [simulation] correlations: over the portfolios' symbols, as [portfolios.risk] writes them.
  bool read_market_correlations(const toml::table& t, const MarketUniverse& u, SimulationConfig& sim,
                                std::vector<strategies::CorrelationPair>& pairs) {
    auto index_of = [&](const std::string& symbol, const toml::key& key,
                        const std::string& name) -> std::optional<std::size_t> {
      if (const auto it = u.index.find(symbol); it != u.index.end()) return it->second;
      if (u.complete) {
        diag_.error(key.source(), name + ": no portfolio names " + key_path("", symbol) +
                                      "; correlations may only name symbols in the portfolios' targets");
      }
      return std::nullopt;
    };
    return read_correlation_table(t, "symbols", index_of, sim.correlations, pairs);
  }

  /// A duration or whole calendar months ("1y", "6mo", "30d", "1w").
  std::optional<core::Period> market_period(TableReader& r, std::string_view key) {
    const auto text = r.string(key);
    if (!text) return std::nullopt;
    if (auto p = core::parse_period(*text)) return p;
    diag_.error(r.node(key)->source(),
                r.name(key) + ": expected a period, " + std::string(kPeriodForms) + ", got " + quote(*text));
    return std::nullopt;
  }

  // --- end of [simulation] ------------------------------------------------------------------------------------------

  /// [fix]: the FIX gateway's session and where it meets the daemon. Endpoints,
  /// the bind flag and the state directory default to the daemon's own.
  FixConfig read_fix(const toml::table& t, const Config& config) {
    TableReader r(t, "[fix]", "",
                  {"sender_comp_id", "target_comp_id", "host", "port", "heartbeat", "reconnect_interval", "state_dir",
                   "orders_endpoint", "fills_endpoint", "bind", "curve_secret_key_file", "curve_public_key_file",
                   "curve_server_key_file"},
                  diag_);
    FixConfig fix;
    for (const auto& [key, slot] : {std::pair<std::string_view, std::string*>{"sender_comp_id", &fix.sender_comp_id},
                                    {"target_comp_id", &fix.target_comp_id},
                                    {"host", &fix.host}}) {
      if (!r.has(key)) {
        r.missing(key);
      } else if (auto v = r.nonempty_string(key)) {
        *slot = *v;
      }
    }
    if (!r.has("port")) {
      r.missing("port");
    } else if (auto v = r.integer("port")) {
      if (*v < 1 || *v > 65535) {
        diag_.error(r.node("port")->source(), "port: must be an integer in 1..65535, got " + std::to_string(*v));
      } else {
        fix.port = static_cast<int>(*v);
      }
    }
    // FIX carries both in whole seconds.
    const auto seconds = [&](std::string_view key, core::DurationNs& slot) {
      const auto v = duration(r, key);
      if (!v) return;
      if (*v % core::kNanosPerSecond != 0 || *v < core::kNanosPerSecond || *v > 3600 * core::kNanosPerSecond) {
        diag_.error(r.node(key)->source(), r.name(key) + ": must be whole seconds between \"1s\" and \"1h\", got " +
                                               quote(r.node(key)->as_string()->get()));
        return;
      }
      slot = *v;
    };
    seconds("heartbeat", fix.heartbeat);
    seconds("reconnect_interval", fix.reconnect_interval);
    fix.state_dir = config.daemon.state_dir + "/fix";
    if (auto v = r.nonempty_string("state_dir")) fix.state_dir = *v;

    fix.orders_endpoint = config.execution.endpoint;
    fix.fills_endpoint = config.execution.fills_endpoint;
    fix.bind = config.execution.connect;
    if (auto v = endpoint(r, "orders_endpoint")) fix.orders_endpoint = *v;
    if (auto v = endpoint(r, "fills_endpoint")) fix.fills_endpoint = *v;
    if (auto v = r.boolean("bind")) fix.bind = *v;
    if (fix.fills_endpoint.empty() && !r.has("fills_endpoint")) {
      diag_.error(t.source(),
                  "[fix] needs the daemon's fills endpoint, to report fills: set fills_endpoint here or in [execution]");
    }

    std::string* const files[] = {&fix.curve_secret_key_file, &fix.curve_public_key_file, &fix.curve_server_key_file};
    const std::string_view file_keys[] = {"curve_secret_key_file", "curve_public_key_file", "curve_server_key_file"};
    bool files_ok = true;
    for (std::size_t i = 0; i < 3; ++i) {
      if (!r.has(file_keys[i])) continue;
      if (auto v = r.nonempty_string(file_keys[i])) {
        *files[i] = beside_config(diag_.file(), *v);
      } else {
        files_ok = false;
      }
    }
    // The secret and the server key go together; the public key only checks the secret.
    if (!files_ok) return fix;
    const bool secret = r.has("curve_secret_key_file");
    const bool server = r.has("curve_server_key_file");
    if (secret != server) {
      const std::string_view given = secret ? "curve_secret_key_file" : "curve_server_key_file";
      const std::string_view other = secret ? "curve_server_key_file" : "curve_secret_key_file";
      diag_.error(r.node(given)->source(), std::string(given) + ": CURVE needs " + std::string(other) + " too");
    } else if (r.has("curve_public_key_file") && !secret) {
      diag_.error(r.node("curve_public_key_file")->source(),
                  "curve_public_key_file: only checks curve_secret_key_file, which is not set");
    }
    return fix;
  }

  Diagnostics diag_;
  Purpose purpose_;
  bool curve_ = false;  // the file has [curve]
  const ExecutionConfig* execution_ = nullptr;  // read before the portfolios, whose limit orders need it
  std::map<std::string, int> feed_names_;
  std::map<std::string, int> portfolio_ids_;
  std::map<std::string, int> model_ids_;
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
