#pragma once
// When a holding's losses are worth harvesting: what a model's
// `[models.tax.harvest]` table says.
namespace ballast::tax {

struct HarvestRule {
  /// The losses harvested at once in one holding, net of costs, must reach
  /// this much (account currency, >= 0).
  double min_loss = 0;
  /// Each lot harvested must be at a loss, net of costs, of at least this
  /// fraction of its basis ([0, 1)).
  double min_loss_fraction = 0;
  /// The cost of the sale and of the substitute's buy, as a fraction of the
  /// value traded each way ([0, 1)).
  double cost_fraction = 0;
  bool operator==(const HarvestRule&) const = default;
};

}  // namespace ballast::tax
