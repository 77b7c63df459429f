#pragma once
// How the status server turns bytes into an HttpRequest: the Beast parser's
// settings, the answer to each parse error and the conversion of a parsed
// message. The live server (http_server.cpp) and parse_http_request() both
// use these, so that what a fuzz harness sees is what a client gets.
// Internal to daemon/: it includes Beast, which http_server.hpp keeps out of
// the daemon's wiring.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <string_view>

#include "daemon/http_server.hpp"

namespace ballast::daemon::detail {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using RequestMessage = boost::beast::http::request<boost::beast::http::string_body>;

/// An error response for a request that cannot be served.
struct Rejection {
  int status = 400;
  std::string_view reason;  ///< the response's text; static storage
};

/// Sets the header and body limits of a fresh parser.
void configure_parser(RequestParser& parser, const HttpServerLimits& limits);

/// The answer to an error from reading a request: 400 for malformed HTTP, 413
/// for a body over the limit, 431 for headers over it. nullopt when the error
/// is not about the request's bytes (the peer left, a timeout, a cancel): the
/// connection is closed without an answer.
std::optional<Rejection> rejection_for(const boost::system::error_code& ec);

/// Fills `out` from a complete message (method, decoded path and query,
/// Authorization, body, which is moved out). A rejection when the target is
/// not origin-form or absolute-form, or has a bad percent escape.
std::optional<Rejection> to_request(RequestMessage& message, HttpRequest& out);

/// ASCII case-insensitive equality, for header values and host names.
bool iequals(std::string_view a, std::string_view b);

}  // namespace ballast::daemon::detail
