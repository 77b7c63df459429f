#pragma once
// Which open connection the status server gives up when a new one arrives and
// every slot is taken. Pure (no sockets), so the policy is tested on its own.
//
// Why evict rather than refuse: the control endpoints are how an operator
// stops trading, so a full server must still take the next connection. Idle
// and slowloris connections cost an attacker nothing to hold; refusing new
// connections while they hold the slots hands the socket to the attacker.
//
// The order, each step breaking the ties of the one before:
//   1. a connection of the peer that holds the most connections (an IPv4
//      address, or an IPv6 /64, which one host can fill with addresses), so
//      that one noisy host cannot push out anybody else's connection;
//   2. one that is done (lingering after `Connection: close`), else one idle
//      between keep-alive requests, else one busy with a request;
//   3. the one whose state began first: for a busy connection, when its
//      current request began (the accept, for a new connection).
// A newly accepted connection is the youngest, so it goes last: however many
// idle or trickling connections there are, they are all older, and each new
// one only pushes out another of them. To push out a newcomer before its
// request is read, a client would have to open max_connections fresh
// connections in that moment, from the newcomer's own address.
#include <boost/asio/ip/address.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <vector>

namespace ballast::daemon {

/// The peer a connection is counted against: the IPv4 address (also when
/// IPv4-mapped), or the /64 network of an IPv6 address, as 16 bytes.
using PeerKey = std::array<unsigned char, 16>;
PeerKey peer_key(const boost::asio::ip::address& address);

/// What a connection is doing, in the order connections are given up.
enum class ConnectionState {
  lingering,  ///< its last response is written; it is only draining before close
  idle,       ///< kept alive, waiting for the next request
  busy,       ///< reading a request, or writing the response to one
};

/// One open connection as the policy sees it.
struct EvictionCandidate {
  std::size_t peer_connections = 1;  ///< open connections of its peer, itself included
  ConnectionState state = ConnectionState::busy;
  /// When its state began; for a busy connection, when its current request began.
  std::chrono::steady_clock::time_point since;
};

/// The index of the candidate to close, by the order above; ties beyond it go
/// to the lowest index. `candidates` must not be empty.
std::size_t pick_eviction_victim(const std::vector<EvictionCandidate>& candidates);

}  // namespace ballast::daemon
