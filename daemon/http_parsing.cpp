#include "daemon/http_parsing.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace ballast::daemon {

namespace http = boost::beast::http;
using error_code = boost::system::error_code;

namespace detail {
namespace {

std::string_view to_std(boost::beast::string_view s) { return {s.data(), s.size()}; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// False on a truncated or non-hex escape: such a target is a client error,
/// not something to guess at.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

/// Splits an origin-form ("/status?x=1") or absolute-form
/// ("http://host/status?x=1") target into the request's path and query.
bool parse_target(std::string_view target, HttpRequest& request) {
  if (target.empty()) return false;
  std::string absolute_rest;  // "/?x=1" for "http://host?x=1"
  if (const auto scheme = target.find("://");
      scheme != std::string_view::npos && target.front() != '/') {
    const auto rest = target.find_first_of("/?#", scheme + 3);
    if (rest == std::string_view::npos) {
      target = "/";
    } else if (target[rest] == '/') {
      target = target.substr(rest);
    } else {
      absolute_rest = "/" + std::string(target.substr(rest));
      target = absolute_rest;
    }
  }
  if (target == "*") {
    request.path = "*";
    return true;
  }
  if (target.empty() || target.front() != '/') return false;
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);

  const auto qmark = target.find('?');
  if (!percent_decode(target.substr(0, qmark), false, request.path)) return false;
  if (qmark == std::string_view::npos) return true;

  std::string_view query = target.substr(qmark + 1);
  std::string key;
  std::string value;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (!percent_decode(pair.substr(0, eq), true, key)) return false;
    if (eq == std::string_view::npos) {
      value.clear();
    } else if (!percent_decode(pair.substr(eq + 1), true, value)) {
      return false;
    }
    request.query.emplace(key, value);  // emplace keeps the first of repeated keys
  }
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

void configure_parser(RequestParser& parser, const HttpServerLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  parser.body_limit(limits.max_body_bytes);
}

std::optional<Rejection> rejection_for(const error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return std::nullopt;
  // The peer closed before or inside a request: nobody is left to answer.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec == http::error::body_limit) return Rejection{413, "request body too large"};
  if (ec == http::error::header_limit) return Rejection{431, "request header too large"};
  return Rejection{400, "malformed request"};
}

std::optional<Rejection> to_request(RequestMessage& message, HttpRequest& out) {
  out = HttpRequest{};
  out.method = std::string(to_std(message.method_string()));
  if (!parse_target(to_std(message.target()), out)) return Rejection{400, "malformed request target"};
  out.authorization = std::string(to_std(message[http::field::authorization]));
  out.body = std::move(message.body());
  return std::nullopt;
}

}  // namespace detail

HttpParseResult parse_http_request(std::string_view raw, const HttpServerLimits& limits) {
  HttpParseResult result;
  detail::RequestParser parser;
  detail::configure_parser(parser, limits);

  // The server's reads hand the parser whatever bytes have arrived: first up
  // to the end of the headers, then on to the end of the body. A parser that
  // wants more when the bytes run out is a request the server would still be
  // waiting for.
  error_code ec;
  const auto feed = [&](bool eager, auto done) {
    parser.eager(eager);
    while (!done()) {
      const std::size_t used =
          parser.put(boost::asio::buffer(raw.data() + result.consumed, raw.size() - result.consumed), ec);
      result.consumed += used;
      if (ec || used == 0) return false;
    }
    return true;
  };
  if (!feed(false, [&] { return parser.is_header_done(); }) || !feed(true, [&] { return parser.is_done(); })) {
    if (!ec || ec == http::error::need_more) return result;  // incomplete
    if (const auto rejection = detail::rejection_for(ec)) {
      result.outcome = HttpParseResult::Outcome::rejected;
      result.status = rejection->status;
      result.reason = rejection->reason;
    }
    return result;
  }

  detail::RequestMessage message = parser.release();
  if (const auto rejection = detail::to_request(message, result.request)) {
    result.outcome = HttpParseResult::Outcome::rejected;
    result.status = rejection->status;
    result.reason = rejection->reason;
    result.request = HttpRequest{};
    return result;
  }
  result.outcome = HttpParseResult::Outcome::request;
  result.keep_alive = message.keep_alive();
  return result;
}

}  // namespace ballast::daemon
