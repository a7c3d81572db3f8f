#include "policy/simulation.hpp"

#include <algorithm>

#include "domain/citizen_id.hpp"

namespace epermit::policy {
namespace {

bool SameContext(const CountContext& a, const CountContext& b) {
  if (a.city != b.city || a.as_of != b.as_of || a.age_as_of != b.age_as_of ||
      a.recognized_cities != b.recognized_cities || a.recognized.size() != b.recognized.size()) {
    return false;
  }
  for (size_t i = 0; i < a.recognized.size(); ++i) {
    const auto& x = a.recognized[i];
    const auto& y = b.recognized[i];
    if (x.quantity != y.quantity || x.factor_pct != y.factor_pct || x.cap_months != y.cap_months) return false;
  }
  return true;
}

// Floor division, so a negative total falls in the band below zero.
int64_t BandOf(Points total, int64_t band_points) {
  const int64_t width = band_points * Points::kUnitsPerPoint;
  int64_t q = total.units() / width;
  if (total.units() % width != 0 && total.units() < 0) --q;
  return q * band_points;
}

bool Ok(const Totals& t) { return t.eligible && !t.vetoed; }

bool Passes(const Totals& t, const PointsTable& table) {
  return Ok(t) && (!table.pass_mark || t.total >= *table.pass_mark);
}

void AddSamples(std::vector<SamplePerson>& into, const std::vector<SamplePerson>& from, size_t keep) {
  into.insert(into.end(), from.begin(), from.end());
  std::sort(into.begin(), into.end(),
            [](const SamplePerson& a, const SamplePerson& b) { return a.position < b.position; });
  if (into.size() > keep) into.resize(keep);
}

}  // namespace

const char* ToString(Change c) {
  switch (c) {
    case Change::kNewlyEligible:
      return "newly_eligible";
    case Change::kNoLongerEligible:
      return "no_longer_eligible";
    case Change::kScoreUp:
      return "score_up";
    case Change::kScoreDown:
      return "score_down";
    case Change::kUnchanged:
      return "unchanged";
    case Change::kIneligibleBoth:
      return "ineligible_both";
  }
  return "unknown";
}

SimulationPlan::SimulationPlan(const SimulationSetup& setup) : setup_(setup) {
  const bool shared_ctx = SameContext(setup_.current_ctx, setup_.draft_ctx);
  auto add = [&](const PointsTable& table, bool draft, std::vector<size_t>& map) {
    for (size_t s = 0; s < table.slots.size(); ++s) {
      const bool use_draft_ctx = draft && !shared_ctx;
      size_t found = specs_.size();
      for (size_t u = 0; u < specs_.size(); ++u) {
        if (specs_[u].draft_ctx == use_draft_ctx && specs_[u].spec->Key() == table.slots[s].Key() &&
            *specs_[u].levels == table.slot_levels[s]) {
          found = u;
          break;
        }
      }
      if (found == specs_.size()) specs_.push_back({&table.slots[s], &table.slot_levels[s], use_draft_ctx});
      map.push_back(found);
    }
  };
  add(*setup_.current, false, current_map_);
  add(*setup_.draft, true, draft_map_);
}

void SimulationPlan::Count(const Ledger& ledger, int64_t* current_row, int64_t* draft_row,
                           std::vector<int64_t>& scratch) const {
  scratch.resize(specs_.size());
  for (size_t u = 0; u < specs_.size(); ++u) {
    const UnionSlot& slot = specs_[u];
    scratch[u] = policy::Count(*slot.spec, ledger, slot.draft_ctx ? setup_.draft_ctx : setup_.current_ctx, *slot.levels,
                               /*explain=*/false)
                     .value;
  }
  for (size_t s = 0; s < current_map_.size(); ++s) current_row[s] = scratch[current_map_[s]];
  for (size_t s = 0; s < draft_map_.size(); ++s) draft_row[s] = scratch[draft_map_[s]];
}

SimulationAccumulator::SimulationAccumulator(const SimulationPlan& plan)
    : plan_(plan),
      current_rows_(kBlock * plan.current_width()),
      draft_rows_(kBlock * plan.draft_width()),
      positions_(kBlock),
      ids_(kBlock) {}

void SimulationAccumulator::Add(const Ledger& ledger, uint64_t position) {
  plan_.Count(ledger, current_rows_.data() + pending_ * plan_.current_width(),
              draft_rows_.data() + pending_ * plan_.draft_width(), scratch_);
  positions_[pending_] = position;
  ids_[pending_] = ledger.citizen_id;
  if (++pending_ == kBlock) Flush();
}

void SimulationAccumulator::Flush() {
  if (pending_ == 0) return;
  Totals before[kBlock];
  Totals after[kBlock];
  EvaluateBatch(*plan_.setup().current, current_rows_.data(), plan_.current_width(), pending_, before);
  EvaluateBatch(*plan_.setup().draft, draft_rows_.data(), plan_.draft_width(), pending_, after);
  for (size_t i = 0; i < pending_; ++i) Record(i, before[i], after[i]);
  pending_ = 0;
}

void SimulationAccumulator::Record(size_t i, const Totals& before, const Totals& after) {
  const SimulationSetup& setup = plan_.setup();
  SimulationCounts& c = counts_;
  ++c.people;
  const bool ok_before = Ok(before), ok_after = Ok(after);
  Change change = Change::kIneligibleBoth;
  if (ok_before && ok_after) {
    change = after.total > before.total   ? Change::kScoreUp
             : after.total < before.total ? Change::kScoreDown
                                          : Change::kUnchanged;
  } else if (ok_after) {
    change = Change::kNewlyEligible;
  } else if (ok_before) {
    change = Change::kNoLongerEligible;
  }
  const auto k = static_cast<size_t>(change);
  ++c.by_change[k];
  if (ok_before) {
    ++c.eligible_before;
    c.sum_before += before.total;
    ++c.bands_before[BandOf(before.total, setup.band_points)];
  }
  if (ok_after) {
    ++c.eligible_after;
    c.sum_after += after.total;
    ++c.bands_after[BandOf(after.total, setup.band_points)];
  }
  const bool pass_before = Passes(before, *setup.current), pass_after = Passes(after, *setup.draft);
  c.passing_before += pass_before ? 1 : 0;
  c.passing_after += pass_after ? 1 : 0;
  c.newly_passing += !pass_before && pass_after ? 1 : 0;
  c.no_longer_passing += pass_before && !pass_after ? 1 : 0;
  if (change != Change::kUnchanged && change != Change::kIneligibleBoth && c.samples[k].size() < setup.samples) {
    c.samples[k].push_back(
        {positions_[i], domain::MaskCitizenId(ids_[i]), ok_before, ok_after, before.total, after.total});
  }
}

void SimulationAccumulator::Merge(const SimulationAccumulator& other) {
  const SimulationCounts& o = other.counts_;
  SimulationCounts& c = counts_;
  c.people += o.people;
  for (size_t k = 0; k < kChangeCount; ++k) {
    c.by_change[k] += o.by_change[k];
    AddSamples(c.samples[k], o.samples[k], plan_.setup().samples);
  }
  c.newly_passing += o.newly_passing;
  c.no_longer_passing += o.no_longer_passing;
  c.passing_before += o.passing_before;
  c.passing_after += o.passing_after;
  for (const auto& [band, n] : o.bands_before) c.bands_before[band] += n;
  for (const auto& [band, n] : o.bands_after) c.bands_after[band] += n;
  c.sum_before += o.sum_before;
  c.sum_after += o.sum_after;
  c.eligible_before += o.eligible_before;
  c.eligible_after += o.eligible_after;
}

nlohmann::json SimulationReportToJson(const SimulationReport& r) {
  using nlohmann::json;
  const SimulationCounts& c = r.counts;
  auto mean = [](Points sum, uint64_t n) -> json {
    if (n == 0) return nullptr;
    return Points::FromUnits(sum.units() / static_cast<int64_t>(n)).ToDisplay();
  };
  json changes = json::object();
  for (size_t k = 0; k < kChangeCount; ++k) {
    json samples = json::array();
    for (const SamplePerson& s : c.samples[k]) {
      samples.push_back({{"citizen_id", s.citizen_id_masked},
                         {"eligible_before", s.eligible_before},
                         {"eligible_after", s.eligible_after},
                         {"before", s.before.ToDisplay()},
                         {"after", s.after.ToDisplay()},
                         {"difference", (s.after - s.before).ToDisplay()}});
    }
    json entry = {{"people", c.by_change[k]}};
    const auto change = static_cast<Change>(k);
    if (change != Change::kUnchanged && change != Change::kIneligibleBoth) entry["samples"] = samples;
    changes[ToString(change)] = entry;
  }
  std::map<int64_t, std::pair<uint64_t, uint64_t>> bands;
  for (const auto& [band, n] : c.bands_before) bands[band].first = n;
  for (const auto& [band, n] : c.bands_after) bands[band].second = n;
  json distribution = json::array();
  for (const auto& [band, n] : bands) {
    distribution.push_back({{"from", band}, {"to", band + r.band_points}, {"before", n.first}, {"after", n.second}});
  }
  json out = {{"city", r.city},
              {"date", FormatIsoDate(r.date)},
              {"current", {{"version", r.current_version}, {"title_zh", r.current->title_zh}}},
              {"draft", {{"version", r.draft_version}, {"title_zh", r.draft->title_zh}}},
              {"people", c.people},
              {"eligible", {{"before", c.eligible_before}, {"after", c.eligible_after}}},
              {"mean_score",
               {{"before", mean(c.sum_before, c.eligible_before)}, {"after", mean(c.sum_after, c.eligible_after)}}},
              {"changes", changes},
              {"band_points", r.band_points},
              {"distribution", distribution},
              {"written", false}};
  if (r.current->pass_mark || r.draft->pass_mark) {
    json pass = {{"before", c.passing_before},
                 {"after", c.passing_after},
                 {"newly_passing", c.newly_passing},
                 {"no_longer_passing", c.no_longer_passing}};
    if (r.current->pass_mark) pass["mark_before"] = r.current->pass_mark->ToDisplay();
    if (r.draft->pass_mark) pass["mark_after"] = r.draft->pass_mark->ToDisplay();
    out["pass_mark"] = pass;
  }
  return out;
}

}  // namespace epermit::policy
