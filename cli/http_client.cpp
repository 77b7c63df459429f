#include "cli/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <charconv>
#include <exception>
#include <vector>

namespace ballast::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// /status grows with portfolios and assets; this is far above any real one
// and still keeps a misdirected URL from filling memory.
constexpr std::uint64_t kMaxResponseBytes = 64ull * 1024 * 1024;

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string host_port(const HttpUrl& u) {
  const bool v6 = u.host.find(':') != std::string::npos;
  return (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port);
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<HttpUrl> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (url.empty()) return fail("empty URL");
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    const std::string scheme = lower(url.substr(0, scheme_end));
    if (scheme == "https") return fail("https is not supported; the status socket speaks plain http");
    if (scheme != "http") return fail("unsupported scheme '" + scheme + "', expected http");
    url.remove_prefix(scheme_end + 3);
  }
  if (const auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);

  const auto target_start = url.find_first_of("/?");
  std::string_view authority = url.substr(0, target_start);
  HttpUrl out;
  if (target_start != std::string_view::npos) {
    out.target = std::string(url.substr(target_start));
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  }
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    return fail("credentials in the URL are not supported; use the token option");
  }
  if (out.target.find_first_of(" \r\n\t") != std::string::npos) return fail("the path contains whitespace");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("missing ']' after the IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("unexpected text after the IPv6 address");
      port_text = rest.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
    error_code ec;
    (void)asio::ip::make_address_v6(out.host, ec);
    if (ec) return fail("'" + out.host + "' is not an IPv6 address");
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':', colon + 1) != std::string_view::npos) {
        return fail("an IPv6 address must be bracketed, as in http://[::1]:8787");
      }
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
    }
    out.host = std::string(authority.substr(0, colon));
  }
  if (out.host.empty()) return fail("missing host");
  if (!std::all_of(out.host.begin(), out.host.end(), [](char c) {
        return c == '.' || c == '-' || c == ':' || c == '_' || (c >= '0' && c <= '9') ||
               (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      })) {
    return fail("'" + out.host + "' is not a host name");
  }

  if (!port_text.empty()) {
    unsigned port = 0;
    const auto* first = port_text.data();
    const auto* last = first + port_text.size();
    const auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || ptr != last || port == 0 || port > 65535) {
      return fail("'" + std::string(port_text) + "' is not a port number (1-65535)");
    }
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

HttpResult http_request(std::string_view method, std::string_view url, std::string_view bearer_token,
                        std::string_view body, std::chrono::milliseconds timeout) {
  HttpResult result;
  try {
    std::string why;
    const auto invalid = [&](std::string why_not) {
      result.error = std::move(why_not);
      result.failure = HttpResult::Failure::invalid;
      return result;
    };
    const auto parsed = parse_http_url(url, &why);
    if (!parsed) return invalid("invalid URL '" + std::string(url) + "': " + why);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char)) {
      return invalid("invalid HTTP method '" + std::string(method) + "'");
    }
    if (bearer_token.find_first_of("\r\n") != std::string_view::npos) {
      return invalid("the token contains a line break");
    }
    const HttpUrl& u = *parsed;
    const std::string where = host_port(u);

    http::request<http::string_body> request;
    request.method_string(beast::string_view(method.data(), method.size()));
    request.target(u.target);
    request.version(11);
    const bool v6 = u.host.find(':') != std::string::npos;
    const std::string host_header = (v6 ? "[" + u.host + "]" : u.host) +
                                    (u.port == 80 ? std::string() : ":" + std::to_string(u.port));
    request.set(http::field::host, host_header);
    request.set(http::field::user_agent, "ballast/" BALLAST_VERSION);
    request.set(http::field::accept, "*/*");
    if (!bearer_token.empty()) request.set(http::field::authorization, "Bearer " + std::string(bearer_token));
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = std::string(body);
    }
    request.keep_alive(false);
    request.prepare_payload();

    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    asio::steady_timer resolve_timer(io);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    if (method == "HEAD") parser.skip(true);

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto timeout_text = std::to_string(timeout.count()) + " ms";
    const auto fail = [&](std::string_view stage, const error_code& ec) {
      using Failure = HttpResult::Failure;
      if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        result.failure = Failure::timeout;
        result.error = "timed out after " + timeout_text + " " + std::string(stage) + " " + where;
      } else if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
        result.failure = Failure::other;
        result.error = where + " closed the connection before a complete response";
      } else if (stage == "connecting to") {
        result.failure = ec == asio::error::connection_refused ? Failure::refused : Failure::other;
        result.error = "cannot connect to " + where + ": " + ec.message();
      } else if (stage == "resolving") {
        result.failure = Failure::resolve;
        result.error = "cannot resolve '" + u.host + "': " + ec.message();
      } else {
        result.failure = Failure::other;
        result.error = "error " + std::string(stage) + " " + where + ": " + ec.message();
      }
    };

    const auto on_read = [&](const error_code& ec, std::size_t) {
      if (ec) {
        fail("reading from", ec);
        return;
      }
      const auto& response = parser.get();
      result.status = static_cast<int>(response.result_int());
      const auto type = response[http::field::content_type];
      result.content_type.assign(type.data(), type.size());
      result.body = std::move(parser.get().body());
    };
    const auto on_write = [&](const error_code& ec, std::size_t) {
      if (ec) {
        fail("sending to", ec);
        return;
      }
      http::async_read(stream, buffer, parser, on_read);
    };
    const auto connect = [&](const std::vector<tcp::endpoint>& endpoints) {
      stream.expires_at(deadline);
      stream.async_connect(endpoints, [&](const error_code& ec, const tcp::endpoint&) {
        if (ec) {
          fail("connecting to", ec);
          return;
        }
        http::async_write(stream, request, on_write);
      });
    };

    // An address needs no lookup; a name goes through the resolver, whose
    // wait the stream's own deadline does not cover, hence the extra timer.
    std::vector<tcp::endpoint> endpoints;
    error_code addr_ec;
    const auto addr = asio::ip::make_address(u.host, addr_ec);
    if (!addr_ec) {
      endpoints.emplace_back(addr, u.port);
      connect(endpoints);
    } else {
      resolve_timer.expires_at(deadline);
      resolve_timer.async_wait([&](const error_code& ec) {
        if (!ec) resolver.cancel();
      });
      resolver.async_resolve(u.host, std::to_string(u.port),
                             [&](const error_code& ec, const tcp::resolver::results_type& results) {
                               resolve_timer.cancel();
                               if (ec) {
                                 fail("resolving", ec);
                                 return;
                               }
                               for (const auto& entry : results) endpoints.push_back(entry.endpoint());
                               connect(endpoints);
                             });
    }
    io.run();
    if (!result.error.empty()) result.status = 0;
  } catch (const std::exception& e) {
    result = HttpResult{};
    result.error = std::string("request failed: ") + e.what();
    result.failure = HttpResult::Failure::other;
  }
  return result;
}

}  // namespace ballast::cli
