#include "daemon/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/json_writer.hpp"
#include "daemon/log_event.hpp"

namespace ballast::daemon {
namespace detail {
namespace {

bool g_json_logs = false;
thread_local const std::string* t_event_keys = nullptr;

}  // namespace

bool json_logs() { return g_json_logs; }

EventKeysScope::EventKeysScope(const std::string& keys) : previous_(t_event_keys) { t_event_keys = &keys; }
EventKeysScope::~EventKeysScope() { t_event_keys = previous_; }

const std::string* current_event_keys() { return t_event_keys; }

std::string& event_keys_buffer() {
  thread_local std::string buffer;
  return buffer;
}

}  // namespace detail

namespace {

// `%*` in the JSON pattern: the message as the inside of a JSON string, so a
// symbol or an error text with quotes cannot break the line for log shippers.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string quoted;
    core::append_json_string(quoted, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// `%K`: the keys of a structured event (log_event.hpp), `,"event":…,"k":v`;
// nothing for a plain message.
class EventKeys : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (const std::string* keys = detail::current_event_keys()) dest.append(keys->data(), keys->data() + keys->size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EventKeys>(); }
};

// `%J`: the level as a syslog priority digit, for the `<N>` prefix that
// journald reads off the start of a line (SyslogLevelPrefix=, on by default).
class SyslogPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    char digit = '6';  // info
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: digit = '7'; break;
      case spdlog::level::info: digit = '6'; break;
      case spdlog::level::warn: digit = '4'; break;
      case spdlog::level::err: digit = '3'; break;
      case spdlog::level::critical: digit = '2'; break;
      default: break;
    }
    dest.push_back(digit);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriority>(); }
};

/// True when systemd connected stdout to the journal.
bool stdout_is_journal() {
  // systemd sets JOURNAL_STREAM to "<device>:<inode>" of the stream it connected
  // stdout (or stderr) to; stdout redirected elsewhere since does not match.
  const char* v = std::getenv("JOURNAL_STREAM");
  unsigned long long dev = 0, ino = 0;
  if (!v || std::sscanf(v, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace

bool set_log_level(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

std::string setup_logging(const config::DaemonConfig& cfg) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (cfg.log_file.empty()) {
      logger = std::make_shared<spdlog::logger>("ballastd", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "ballastd", std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.log_file, false));
    }
  } catch (const spdlog::spdlog_ex& e) {
    return std::string("cannot open log file: ") + e.what();
  }
  // Into the journal, each line starts with its priority, which journald
  // strips and keeps; a text line drops its time, as the journal has its own.
  install_logger(std::move(logger), cfg.log_format, cfg.log_file.empty() && stdout_is_journal());
  set_log_level(cfg.log_level);
  return {};
}

void install_logger(std::shared_ptr<spdlog::logger> logger, config::LogFormat format, bool journal) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonEscapedMessage>('*').add_flag<SyslogPriority>('J').add_flag<EventKeys>('K');
  detail::g_json_logs = format == config::LogFormat::json;
  if (detail::g_json_logs) {
    formatter->set_pattern(std::string(journal ? "<%J>" : "") +
                           R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"%K})");
  } else {
    formatter->set_pattern(journal ? "<%J>%-5l %v" : "%Y-%m-%dT%H:%M:%S.%eZ %-5l %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

bool RateLimiter::allow(std::string_view key, std::int64_t now_ns, std::uint64_t& suppressed) {
  auto it = slots_.find(std::string(key));
  if (it == slots_.end()) it = slots_.emplace(std::string(key), Slot{}).first;
  Slot& s = it->second;
  if (s.seen && now_ns - s.last_ns < interval_ns_) {
    ++s.held;
    return false;
  }
  suppressed = s.held;
  s.held = 0;
  s.seen = true;
  s.last_ns = now_ns;
  return true;
}


}  // namespace ballast::daemon
