#pragma once
// `ballast fix --config FILE`: a FIX 4.4 execution gateway (README "FIX
// gateway"). Takes orders, cancels and replaces from the daemon's queue
// (SPEC §3), sends them to a venue over a FIX session, and reports the
// venue's ExecutionReports back to the daemon's fills socket (SPEC §4).
//
// The decisions are FixBook's (cli/fix_mapping.*), kept in the journal
// (cli/fix_journal.*) before anything leaves; the QuickFIX session is behind
// cli/fix_session.*. This file wires them to the ZeroMQ sockets.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "net/socket_security.hpp"

namespace ballast::cli {

struct FixGatewayOptions {
  config::FixConfig fix;
  /// Take orders and send fills as a CURVE client of the daemon.
  std::optional<net::CurveClientKeys> curve;
  /// How long fill reports still queued at exit may delay it.
  std::chrono::milliseconds linger{1000};
};

struct FixGatewayStats {
  int exit_code = 0;  ///< 0 stopped, 1 a failure (socket, session, journal)
  std::string error;
  std::uint64_t orders = 0;          ///< valid new orders received from the daemon
  std::uint64_t amendments = 0;      ///< valid cancels and replaces received
  std::uint64_t malformed = 0;       ///< frames that were neither
  std::uint64_t dropped = 0;         ///< repeated ids, requests for unknown or finished orders
  std::uint64_t sent = 0;            ///< messages handed to the FIX session
  std::uint64_t venue_messages = 0;  ///< ExecutionReports and OrderCancelRejects taken
  std::uint64_t venue_unusable = 0;  ///< messages from the venue that could not be used
  std::uint64_t reports_sent = 0;    ///< fill reports handed to the daemon's socket
  std::uint64_t reports_waiting = 0; ///< reports still in the journal's outbox at exit
};

/// Runs until `stop`: one line per event on `out`, problems on `err`.
FixGatewayStats run_fix_loop(const FixGatewayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                             std::ostream& err);
/// run_fix_loop plus a start line and a one-line summary; returns the exit code.
int run_fix_gateway(const FixGatewayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                    std::ostream& err);

}  // namespace ballast::cli
