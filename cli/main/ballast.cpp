// ballast: the status and control client, the market-data publishers and the
// paper execution gateway. Arguments → options → run, with exit codes of SPEC §1.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/account_edit_commands.hpp"
#include "cli/accounts_command.hpp"
#include "cli/backtest_command.hpp"
#include "cli/control_commands.hpp"
#include "cli/curve_options.hpp"
#include "cli/feed_proxy.hpp"
#include "cli/fix_gateway.hpp"
#include "cli/http_client.hpp"
#include "cli/paper_gateway.hpp"
#include "cli/replay_sync.hpp"
#include "config/config.hpp"
#include "cli/simulate_command.hpp"
#include "cli/tax_command.hpp"
#include "cli/unknown_command.hpp"
#include "feeds/replay_publisher.hpp"
#include "feeds/sim_publisher.hpp"

namespace {

using namespace ballast;

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

core::Framing parse_framing(const std::string& s) {
  return s == "topic-json" ? core::Framing::topic_json : core::Framing::multipart;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ballast: control the Ballast daemon, publish market data, run a paper gateway"};
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", std::string("ballast ") + BALLAST_VERSION);

  cli::ControlOptions control;
  bool status_json = false;
  auto* status = app.add_subcommand("status", "print the daemon's status as a table");
  cli::add_control_options(status, control);
  status->add_flag("--json", status_json, "print the raw JSON");

  auto* pause = app.add_subcommand("pause", "stop the triggers (manual rebalances still work)");
  cli::add_control_options(pause, control);
  auto* resume = app.add_subcommand("resume", "start the triggers again");
  cli::add_control_options(resume, control);
  auto* reload = app.add_subcommand("reload", "re-read the configuration file (refused if it does not validate)");
  cli::add_control_options(reload, control);
  bool release = false;
  auto* kill = app.add_subcommand("kill", "kill switch: no order leaves until released");
  cli::add_control_options(kill, control);
  kill->add_flag("--release", release, "release the kill switch");
  std::string portfolio;
  auto* rebalance = app.add_subcommand("rebalance", "rebalance a portfolio (or all) to target now");
  cli::add_control_options(rebalance, control);
  rebalance->add_option("portfolio", portfolio, "portfolio id; all portfolios when omitted");

  std::string cash_portfolio;
  std::string cash_amount;
  auto* cash = app.add_subcommand("cash", "book a deposit (X > 0) or withdrawal (X < 0) and trade with it");
  cli::add_control_options(cash, control);
  cash->add_option("portfolio", cash_portfolio, "portfolio id")->required();
  cash->add_option("amount", cash_amount, "amount: positive deposits, negative withdraws (write -- before a negative one)")
      ->required();

  auto* feed = app.add_subcommand("feed", "publish market data");
  feed->require_subcommand(1);

  feeds::SimOptions sim;
  std::vector<std::string> sim_symbols{"SPY:589:0.07:0.18", "AGG:99:0.03:0.05"};
  std::string sim_matrix, sim_framing = "multipart";
  int sim_warmup_ms = 500;
  auto* sim_cmd = feed->add_subcommand("sim", "seeded correlated geometric Brownian motion");
  sim_cmd->add_option("--symbols", sim_symbols, "SYM[:PRICE[:MU:SIGMA]] ... (annualised μ and σ)")
      ->delimiter(',')
      ->capture_default_str();
  sim_cmd->add_option("--endpoint", sim.publisher.endpoint, "where to bind the PUB socket")->capture_default_str();
  sim_cmd->add_flag("--connect", sim.publisher.connect, "connect instead of binding");
  sim_cmd->add_option("--framing", sim_framing, "multipart or topic-json")
      ->check(CLI::IsMember({"multipart", "topic-json"}))
      ->capture_default_str();
  sim_cmd->add_option("--correlation", sim.correlation, "one correlation for every pair")->capture_default_str();
  sim_cmd->add_option("--correlation-matrix", sim_matrix, "rows by ';', entries by ',': \"1,0.3;0.3,1\"");
  sim_cmd->add_option("--seed", sim.seed, "random seed (same seed, same prices)")->capture_default_str();
  sim_cmd->add_option("--rate", sim.rate, "ticks per second per symbol")->capture_default_str();
  sim_cmd->add_option("--speed", sim.speed, "simulated trading seconds per wall second (23400 = a day)")
      ->capture_default_str();
  sim_cmd->add_option("--count", sim.count, "steps to publish; 0 = until stopped")->capture_default_str();
  sim_cmd->add_option("--warmup-ms", sim_warmup_ms, "wait for a subscriber up to this long before the first tick")
      ->capture_default_str();
  net::ClientKeyFiles sim_curve;
  cli::add_curve_options(sim_cmd, sim_curve);

  feeds::ReplayOptions replay;
  std::string replay_framing = "multipart";
  int replay_warmup_ms = 500;
  auto* replay_cmd = feed->add_subcommand("replay", "publish the prices of a CSV file");
  replay_cmd->add_option("file", replay.path, "prices CSV: date,SYM1,SYM2,... or ts,symbol,price")->required();
  replay_cmd->add_option("--endpoint", replay.publisher.endpoint, "where to bind the PUB socket")->capture_default_str();
  replay_cmd->add_flag("--connect", replay.publisher.connect, "connect instead of binding");
  replay_cmd->add_option("--framing", replay_framing, "multipart or topic-json")
      ->check(CLI::IsMember({"multipart", "topic-json"}))
      ->capture_default_str();
  replay_cmd->add_option("--speed", replay.speed, "data seconds per wall second (86400: a day per second)");
  replay_cmd->add_option("--rate", replay.rate, "rows per second when --speed is not given; 0 = as fast as possible")
      ->capture_default_str();
  replay_cmd->add_flag("--loop", replay.loop, "start over at the end (times keep increasing)");
  replay_cmd->add_flag("--wall-clock", replay.wall_clock_ts, "stamp ticks with the time of sending");
  replay_cmd->add_option("--count", replay.count, "rows to publish; 0 = all")->capture_default_str();
  replay_cmd->add_option("--warmup-ms", replay_warmup_ms, "wait for a subscriber up to this long before the first row")
      ->capture_default_str();
  std::string replay_sync_url;
  int replay_sync_timeout_ms = 30000;
  replay_cmd->add_option("--sync", replay_sync_url,
                         "lock-step with the daemon at this status URL: each row waits until it is decided and "
                         "its orders filled");
  replay_cmd->add_option("--sync-timeout-ms", replay_sync_timeout_ms, "how long --sync waits for one row")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  net::ClientKeyFiles replay_curve;
  cli::add_curve_options(replay_cmd, replay_curve);

  cli::FeedProxyOptions proxy;
  auto* proxy_cmd = feed->add_subcommand("proxy", "fan one feed out to many daemons (ZeroMQ XSUB → XPUB)");
  proxy_cmd->add_option("--frontend", proxy.frontend, "the publishers' endpoint, connected to")->capture_default_str();
  proxy_cmd->add_flag("--bind-frontend", proxy.bind_frontend, "bind the frontend for publishers that connect");
  proxy_cmd->add_option("--backend", proxy.backend, "where the daemons connect (bound)")->capture_default_str();
  proxy_cmd->add_flag("--insecure", proxy.insecure, "accept endpoints off this machine in plain ZeroMQ");

  cli::PaperOptions paper;
  int paper_latency_ms = 0;
  auto* paper_cmd = app.add_subcommand("paper", "paper execution gateway: fills orders at the last price");
  paper_cmd->add_option("--orders", paper.orders_endpoint, "the daemon's order queue")->capture_default_str();
  paper_cmd->add_option("--fills", paper.fills_endpoint, "the daemon's fills endpoint; \"\" to only print")
      ->capture_default_str();
  paper_cmd->add_option("--feed", paper.feed_endpoint, "price feed for last prices; \"\" for reference prices")
      ->capture_default_str();
  paper_cmd->add_flag("--bind", paper.bind, "bind the order and fill sockets (daemon with connect = true)");
  paper_cmd->add_option("--slippage-bps", paper.rules.slippage_bps, "buys pay more, sells receive less")
      ->capture_default_str();
  paper_cmd->add_option("--reject-every", paper.rules.reject_every, "reject every Nth order (testing)");
  std::string paper_config;
  paper_cmd->add_option("--config", paper_config,
                        "fill each portfolio's orders with its [portfolios.costs] (instead of --slippage-bps)");
  paper_cmd->add_flag("--partial", paper.rules.partial, "fill in two halves");
  paper_cmd->add_option("--latency-ms", paper_latency_ms, "delay before filling")->capture_default_str();
  paper_cmd->add_option("--record", paper.record_path,
                        "append every order taken to this CSV, in the format of ballast backtest --orders");
  net::ClientKeyFiles paper_curve;
  cli::add_curve_options(paper_cmd, paper_curve);

  std::string fix_config;
  auto* fix_cmd = app.add_subcommand("fix", "FIX 4.4 execution gateway: sends the daemon's orders to a venue");
  fix_cmd->add_option("--config", fix_config, "the Ballast config file with a [fix] table")->required();

  std::string keygen_name;
  auto* keygen_cmd = cli::add_keygen_command(app, keygen_name);

  cli::OrdersCommandOptions orders;
  auto* orders_cmd = cli::add_orders_command(app, orders);

  cli::AccountsCommandOptions accounts;
  auto* accounts_cmd = cli::add_accounts_command(app, accounts);
  cli::AccountEditOptions account_edit;
  cli::add_account_edit_commands(accounts_cmd, account_edit);

  cli::BacktestCommandOptions backtest;
  auto* backtest_cmd = cli::add_backtest_command(app, backtest);
  cli::SimulateCommandOptions simulate;
  auto* simulate_cmd = cli::add_simulate_command(app, simulate);
  cli::TaxCommandOptions tax;
  auto* tax_cmd = cli::add_tax_command(app, tax);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      // CLI11 would only say the word was not expected: name the command meant.
      const std::vector<std::string> args(argv + 1, argv + argc);
      if (const auto typo = cli::find_unknown_command(app, "ballast", args)) {
        std::cerr << cli::describe(*typo) << "\n";
        return 2;
      }
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  auto control_request = [&](const std::string& path, const std::string& what) {
    return cli::run_control(control, path, what, std::cout, std::cerr);
  };
  if (*status) return cli::run_status(control, status_json, std::cout, std::cerr);
  if (*pause) return control_request("/control/pause", "pause");
  if (*resume) return control_request("/control/resume", "resume");
  if (*reload) return control_request("/control/reload", "reload");
  if (*kill) return control_request(release ? "/control/release" : "/control/kill", "kill");
  if (*rebalance) {
    const std::string path =
        portfolio.empty() ? "/control/rebalance" : "/control/rebalance?portfolio=" + cli::url_encode(portfolio);
    return control_request(path, "rebalance");
  }
  if (*orders_cmd) return cli::run_orders_command(orders, std::cout, std::cerr);
  if (cli::account_edit_chosen(account_edit)) {
    return cli::run_account_edit_command(account_edit, std::cin, std::cout, std::cerr);
  }
  if (*accounts_cmd) return cli::run_accounts_command(accounts, std::cout, std::cerr);
  if (*backtest_cmd) return cli::run_backtest_command(backtest, std::cout, std::cerr);
  if (*keygen_cmd) return cli::run_keygen_command(keygen_name, std::cout, std::cerr);
  if (*simulate_cmd) return cli::run_simulate_command(simulate, std::cout, std::cerr);
  if (*tax_cmd) return cli::run_tax_command(tax, std::cout, std::cerr);

  if (*cash) {
    return control_request(
        "/control/cash?portfolio=" + cli::url_encode(cash_portfolio) + "&amount=" + cli::url_encode(cash_amount),
        "cash");
  }

  install_stop_handlers();
  if (*sim_cmd) {
    for (const auto& spec : sim_symbols) {
      std::string error;
      auto asset = feeds::parse_sim_asset(spec, error);
      if (!asset) {
        std::cerr << "ballast feed sim: " << error << "\n";
        return 2;
      }
      sim.assets.push_back(*asset);
    }
    if (!sim_matrix.empty()) {
      std::string error;
      auto m = feeds::parse_correlation_matrix(sim_matrix, error);
      if (!m) {
        std::cerr << "ballast feed sim: --correlation-matrix: " << error << "\n";
        return 2;
      }
      sim.correlation_matrix = *m;
    }
    if (!cli::resolve_curve_options(sim_curve, "feed sim", sim.publisher.curve, std::cerr)) return 2;
    sim.publisher.framing = parse_framing(sim_framing);
    sim.publisher.warmup = std::chrono::milliseconds(sim_warmup_ms);
    sim.publisher.wait_for_subscriber = sim_warmup_ms > 0;
    return feeds::run_sim_publisher(sim, g_stop, std::cout, std::cerr);
  }
  if (*replay_cmd) {
    if (!cli::resolve_curve_options(replay_curve, "feed replay", replay.publisher.curve, std::cerr)) return 2;
    replay.publisher.framing = parse_framing(replay_framing);
    replay.publisher.warmup = std::chrono::milliseconds(replay_warmup_ms);
    replay.publisher.wait_for_subscriber = replay_warmup_ms > 0;
    std::optional<cli::DaemonSync> sync;
    if (!replay_sync_url.empty()) {
      if (std::string error; !cli::parse_http_url(replay_sync_url, &error)) {
        std::cerr << "ballast feed replay: --sync: " << error << "\n";
        return 2;
      }
      sync.emplace(replay_sync_url, std::chrono::milliseconds(replay_sync_timeout_ms), g_stop);
      replay.sync = feeds::ReplaySync{[&] { return sync->start(); },
                                      [&](std::uint64_t ticks, bool last) { return sync->after_row(ticks, last); }};
    }
    return feeds::run_replay_publisher(replay, g_stop, std::cout, std::cerr);
  }
  if (*proxy_cmd) return cli::run_feed_proxy(proxy, g_stop, std::cout, std::cerr);
  if (*paper_cmd) {
    paper.latency = std::chrono::milliseconds(paper_latency_ms);
    if (!cli::resolve_curve_options(paper_curve, "paper", paper.curve, std::cerr)) return 2;
    if (!paper_config.empty()) {
      const auto loaded = config::load_config(paper_config, config::Purpose::offline);
      if (!loaded.config) {
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return 78;
      }
      for (const auto& p : loaded.config->portfolios) {
        if (!p.costs) continue;
        auto& c = paper.rules.costs[p.id];
        c.params = *p.costs;
        if (p.risk) {
          for (const auto& [sym, vol] : p.risk->volatilities) c.volatility[sym] = vol;
        }
      }
    }
    return cli::run_paper_gateway(paper, g_stop, std::cout, std::cerr);
  }
  if (*fix_cmd) {
    const auto loaded = config::load_config(fix_config, config::Purpose::offline);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
      return 78;
    }
    if (!loaded.config->fix) {
      std::cerr << fix_config << ": no [fix] table: `ballast fix` needs one (README, \"FIX gateway\")\n";
      return 78;
    }
    cli::FixGatewayOptions fix;
    fix.fix = *loaded.config->fix;
    const net::ClientKeysResult keys = net::load_client_keys(
        {fix.fix.curve_secret_key_file, fix.fix.curve_public_key_file, fix.fix.curve_server_key_file});
    if (!keys.error.empty()) {
      std::cerr << fix_config << ": [fix] CURVE keys: " << keys.error << "\n";
      return 78;
    }
    fix.curve = keys.keys;
    return cli::run_fix_gateway(fix, g_stop, std::cout, std::cerr);
  }
  return 2;
}
