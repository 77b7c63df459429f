// Which connection the status server gives up for a new one, and how peers
// are told apart: the policy alone, without sockets.
#include "daemon/connection_eviction.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <vector>

namespace ballast::daemon {
namespace test_connection_eviction {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
const Clock::time_point t0{};

EvictionCandidate slot(ConnectionState state, Clock::duration began_at, std::size_t peer_connections = 1) {
  return EvictionCandidate{peer_connections, state, t0 + began_at};
}

TEST_CASE("a lingering connection goes before an idle one, and an idle one before a busy one, whatever their age") {
  CHECK(pick_eviction_victim({slot(ConnectionState::busy, 1s), slot(ConnectionState::idle, 5s),
                              slot(ConnectionState::lingering, 9s)}) == 2);
  CHECK(pick_eviction_victim({slot(ConnectionState::busy, 1s), slot(ConnectionState::idle, 5s),
                              slot(ConnectionState::busy, 0s)}) == 1);
}

TEST_CASE("among connections in the same state the one that began first goes") {
  CHECK(pick_eviction_victim({slot(ConnectionState::busy, 3s), slot(ConnectionState::busy, 1s),
                              slot(ConnectionState::busy, 2s)}) == 1);
  CHECK(pick_eviction_victim({slot(ConnectionState::idle, 3s), slot(ConnectionState::idle, 4s)}) == 0);
}

TEST_CASE("the peer holding the most connections gives one up first, even a young busy one") {
  // An old idle connection of a peer with one connection, and three young
  // busy ones of a peer with three: the busy peer pays.
  CHECK(pick_eviction_victim({slot(ConnectionState::idle, 0s, 1), slot(ConnectionState::busy, 7s, 3),
                              slot(ConnectionState::busy, 5s, 3), slot(ConnectionState::busy, 6s, 3)}) == 2);
}

TEST_CASE("a single candidate is the victim, and exact ties go to the first") {
  CHECK(pick_eviction_victim({slot(ConnectionState::busy, 0s)}) == 0);
  CHECK(pick_eviction_victim({slot(ConnectionState::idle, 1s, 2), slot(ConnectionState::idle, 1s, 2)}) == 0);
}

TEST_CASE("peers are IPv4 addresses, IPv4-mapped ones alike, and IPv6 /64 networks") {
  namespace ip = boost::asio::ip;
  const auto key = [](const char* address) { return peer_key(ip::make_address(address)); };
  CHECK(key("127.0.0.1") == key("127.0.0.1"));
  CHECK(key("127.0.0.1") != key("127.0.0.2"));
  CHECK(key("10.1.2.3") == key("::ffff:10.1.2.3"));
  CHECK(key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff:eeee:dddd:cccc"));
  CHECK(key("2001:db8:1:2::1") != key("2001:db8:1:3::1"));
  CHECK(key("::1") != key("127.0.0.1"));
}

}  // namespace
}  // namespace test_connection_eviction
}  // namespace ballast::daemon
