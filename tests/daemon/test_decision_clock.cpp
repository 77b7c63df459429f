// The engine's clock: wall time, or the data's.
#include "daemon/decision_clock.hpp"

#include <doctest/doctest.h>

namespace test_decision_clock {

using namespace ballast;

TEST_CASE("the data clock follows the instants decided and never goes back; the wall clock is the wall's") {
  daemon::DecisionClock wall(config::EngineClock::wall);
  CHECK(wall.started());
  CHECK(wall.decide_at(10, 1000) == 1000);
  CHECK(wall.now(2000) == 2000);

  daemon::DecisionClock data(config::EngineClock::data);
  CHECK_FALSE(data.started());
  CHECK(data.now(2000) == 2000);
  CHECK(data.decide_at(10, 2000) == 10);
  CHECK(data.started());
  CHECK(data.now(3000) == 10);
  CHECK(data.decide_at(20, 3000) == 20);
  CHECK(data.decide_at(15, 4000) == 20);  // an older instant is decided at the clock's time
  CHECK(data.now(5000) == 20);
  // Before 1970 is a time like any other.
  daemon::DecisionClock early(config::EngineClock::data);
  CHECK(early.decide_at(-5, 0) == -5);
}

}  // namespace test_decision_clock
