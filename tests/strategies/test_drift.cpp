#include <doctest/doctest.h>

#include <vector>

#include "strategies/drift.hpp"

namespace test_drift {

using namespace ballast::strategies;

namespace {
WeightView view(const std::vector<double>& w, const std::vector<double>& t, double cw = 0, double ct = 0) {
  return {w, t, cw, ct};
}
}  // namespace

TEST_CASE("drift summary finds the largest asset drift and half the total") {
  const std::vector<double> w{0.65, 0.30, 0.05};
  const std::vector<double> t{0.60, 0.40, 0.0};
  const auto s = summarize_drift(view(w, t));
  CHECK(s.max_abs == doctest::Approx(0.10));
  CHECK(s.max_index == 1);
  CHECK(s.total == doctest::Approx((0.05 + 0.10 + 0.05) / 2));
}

TEST_CASE("total drift counts cash against its target") {
  const std::vector<double> w{0.55, 0.40};
  const std::vector<double> t{0.60, 0.40};
  CHECK(summarize_drift(view(w, t, 0.05, 0.0)).total == doctest::Approx(0.05));
}

TEST_CASE("absolute threshold: at the band it holds, just outside it fires") {
  ThresholdTrigger trig{0.05, std::nullopt, std::nullopt};
  const std::vector<double> t{0.60, 0.40};
  // 0.625 - 0.6 and 0.375 - 0.4 are exact in binary: the band edge itself.
  const std::vector<double> inside{0.64, 0.36};
  const std::vector<double> at{0.65, 0.35};
  const std::vector<double> outside{0.6501, 0.3499};
  CHECK(!check_threshold(trig, view(inside, t)));
  ThresholdTrigger exact{0.0625, std::nullopt, std::nullopt};
  const std::vector<double> at_exact{0.5, 0.5};
  const std::vector<double> t_exact{0.5625, 0.4375};
  CHECK(!check_threshold(exact, view(at_exact, t_exact)));
  const auto b = check_threshold(trig, view(outside, t));
  REQUIRE(b);
  CHECK(b.kind == Breach::Kind::absolute);
  CHECK(b.asset == 0);
  CHECK(b.drift == doctest::Approx(0.0501));
  (void)at;
}

TEST_CASE("relative threshold scales with each target") {
  ThresholdTrigger trig{std::nullopt, 0.25, std::nullopt};
  const std::vector<double> t{0.90, 0.10};
  // The small asset's band is 0.025 wide; the large one's 0.225.
  CHECK(!check_threshold(trig, view(std::vector<double>{0.88, 0.12}, t)));
  const auto b = check_threshold(trig, view(std::vector<double>{0.87, 0.13}, t));
  REQUIRE(b);
  CHECK(b.kind == Breach::Kind::relative);
  CHECK(b.asset == 1);
  CHECK(b.limit == doctest::Approx(0.025));
}

TEST_CASE("one asset's band: strict at the edge, absolute or relative, as the whole check decides") {
  const ThresholdTrigger both{0.0625, 0.25, std::nullopt};
  // 0.5625 − 0.5 = 0.0625 exactly: on the absolute edge, not outside.
  CHECK_FALSE(outside_band(both, 0.5, 0.5625));
  CHECK(outside_band(both, 0.49, 0.5625));
  // Target 0.1: the relative band (0.025) is the narrower one.
  CHECK_FALSE(outside_band(both, 0.12, 0.1));
  CHECK(outside_band(both, 0.13, 0.1));
  CHECK(outside_band(both, 0.07, 0.1));
  // A total-only trigger has no band per asset.
  CHECK_FALSE(outside_band(ThresholdTrigger{std::nullopt, std::nullopt, 0.01}, 0.9, 0.1));
  // The same answers as check_threshold on a portfolio of that one asset.
  for (const double w : {0.5, 0.49, 0.12, 0.13, 0.07}) {
    for (const double t : {0.5625, 0.1}) {
      CHECK(outside_band(both, w, t) == static_cast<bool>(check_threshold(both, view({w}, {t}))));
    }
  }
}

TEST_CASE("relative threshold fires on any holding of a zero-target asset") {
  ThresholdTrigger trig{std::nullopt, 0.25, std::nullopt};
  CHECK(check_threshold(trig, view(std::vector<double>{0.99, 0.01}, std::vector<double>{1.0, 0.0})));
}

TEST_CASE("total drift threshold fires on broad small drifts that no single asset breaches") {
  ThresholdTrigger trig{0.05, std::nullopt, 0.05};
  const std::vector<double> t{0.25, 0.25, 0.25, 0.25};
  const std::vector<double> w{0.28, 0.28, 0.22, 0.22};  // total 0.06, each 0.03
  const auto b = check_threshold(trig, view(w, t));
  REQUIRE(b);
  CHECK(b.kind == Breach::Kind::total);
  CHECK(b.drift == doctest::Approx(0.06));
  const std::vector<double> w2{0.27, 0.27, 0.23, 0.23};  // total 0.04
  CHECK(!check_threshold(trig, view(w2, t)));
}

TEST_CASE("band edge stops where the furthest asset meets its band") {
  ThresholdTrigger bands{0.05, std::nullopt, std::nullopt};
  const std::vector<double> t{0.60, 0.40};
  const std::vector<double> w{0.70, 0.30};
  const double lambda = band_edge_fraction(bands, view(w, t));
  CHECK(lambda == doctest::Approx(0.5));  // 0.10 of drift, 0.05 allowed
  CHECK(band_edge_fraction(bands, view(std::vector<double>{0.62, 0.38}, t)) == 0.0);
  // With a relative band the tighter half-width rules: 0.25 × 0.4 = 0.10 vs 0.05 absolute.
  ThresholdTrigger both{0.05, 0.10, std::nullopt};
  CHECK(band_edge_fraction(both, view(w, t)) == doctest::Approx(1 - 0.04 / 0.10));
}

TEST_CASE("describe names the asset and the limit") {
  Breach b{Breach::Kind::absolute, 0, 0.0612, 0.05};
  CHECK(describe(b, "SPY") == "SPY drift +0.0612 beyond absolute limit 0.0500");
  Breach t{Breach::Kind::total, 0, 0.0612, 0.05};
  CHECK(describe(t, "") == "total drift 0.0612 beyond limit 0.0500");
}

}  // namespace test_drift
