#include "daemon/connection_eviction.hpp"

#include <algorithm>

namespace ballast::daemon {

PeerKey peer_key(const boost::asio::ip::address& address) {
  namespace ip = boost::asio::ip;
  if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
  PeerKey key = address.to_v6().to_bytes();
  if (!address.to_v6().is_v4_mapped()) std::fill(key.begin() + 8, key.end(), 0);
  return key;
}

std::size_t pick_eviction_victim(const std::vector<EvictionCandidate>& candidates) {
  const auto goes_before = [](const EvictionCandidate& a, const EvictionCandidate& b) {
    if (a.peer_connections != b.peer_connections) return a.peer_connections > b.peer_connections;
    if (a.state != b.state) return static_cast<int>(a.state) < static_cast<int>(b.state);
    return a.since < b.since;
  };
  std::size_t victim = 0;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    if (goes_before(candidates[i], candidates[victim])) victim = i;
  }
  return victim;
}

}  // namespace ballast::daemon
