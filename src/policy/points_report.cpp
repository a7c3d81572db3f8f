#include "policy/points_report.hpp"

namespace epermit::policy {
namespace {

nlohmann::json PointsJson(Points p) { return p.ToDisplay(); }

nlohmann::json QuantityJson(const QuantityLine& q) {
  nlohmann::json j = {{"name", q.name}, {"counted_as", q.spec}, {"unit", q.unit}, {"value", q.value}};
  if (q.recognized_part != 0) j["recognized_part"] = q.recognized_part;
  if (!q.detail.empty()) j["detail"] = q.detail;
  nlohmann::json facts = nlohmann::json::array();
  for (const UsedFact& f : q.facts) facts.push_back({{"ref", f.ref}, {"what", f.what}});
  j["facts"] = std::move(facts);
  return j;
}

nlohmann::json LineJson(const IndicatorLine& l) {
  nlohmann::json j = {{"id", l.id},
                      {"title_en", l.title_en},
                      {"title_zh", l.title_zh},
                      {"kind", l.kind},
                      {"source", l.source},
                      {"points", PointsJson(l.points)},
                      {"points_exact", l.points.ToExact()},
                      {"counted", l.counted},
                      {"arithmetic", l.arithmetic}};
  if (!l.note.empty()) j["note"] = l.note;
  if (l.cap) {
    j["cap"] = PointsJson(*l.cap);
    j["capped"] = l.capped;
  }
  if (l.quantity) j["quantity"] = QuantityJson(*l.quantity);
  if (!l.members.empty()) {
    nlohmann::json members = nlohmann::json::array();
    for (const IndicatorLine& m : l.members) members.push_back(LineJson(m));
    j["members"] = std::move(members);
  }
  return j;
}

Explanation Score(const PointsTable& table, const Ledger& ledger, const std::string& city, Date date,
                  const RecognitionAgreement* agreement) {
  return Explain(table, ledger, ContextFor(table, city, date, agreement), date);
}

}  // namespace

CountContext ContextFor(const PointsTable& table, const std::string& city, Date date,
                        const RecognitionAgreement* agreement) {
  CountContext ctx;
  ctx.city = city;
  ctx.as_of = ResolveAsOf(table.as_of, date);
  ctx.age_as_of = ResolveAsOf(table.age_as_of, date);
  if (agreement != nullptr && table.recognition) {
    ctx.recognized_cities = agreement->members;
    for (const RecognizedQuantity& q : agreement->quantities) {
      ctx.recognized.push_back({q.quantity, q.factor_pct, q.cap_months});
    }
  }
  return ctx;
}

Result<PointsReport> ScorePoints(const PolicySet& policies, const Ledger& ledger, const std::string& city, Date date,
                                 bool recognition) {
  EPERMIT_ASSIGN_OR_RETURN(const CityPolicy* policy, policies.InForce(city, date));
  if (!policy->points) {
    return MakeError(
        ErrorKind::kNotFound, "points.no_table",
        "City " + city + " has no points scheme in force on " + FormatIsoDate(date) + " (policy " + policy->version +
            ").",
        "城市 " + city + " 在 " + FormatIsoDate(date) + " 没有生效的积分办法（政策版本 " + policy->version + "）。",
        "date");
  }
  PointsReport report;
  report.city = city;
  report.policy_version = policy->version;
  report.table = &*policy->points;
  const auto agreements = policies.AgreementsFor(city, date);
  report.recognition_excluded = !report.table->recognition;
  if (recognition && !agreements.empty() && report.table->recognition) report.agreement = agreements.front();
  report.explanation = Score(*report.table, ledger, city, date, report.agreement);
  if (report.agreement != nullptr) report.without_recognition = Score(*report.table, ledger, city, date, nullptr);
  return report;
}

nlohmann::json PreconditionLineToJson(const PreconditionLine& p) {
  nlohmann::json line = {{"id", p.id},
                         {"title_en", p.title_en},
                         {"title_zh", p.title_zh},
                         {"source", p.source},
                         {"requirement", p.requirement},
                         {"met", p.met},
                         {"quantity", QuantityJson(p.quantity)}};
  if (!p.note.empty()) line["note"] = p.note;
  return line;
}

nlohmann::json PointsReportToJson(const PointsReport& r) {
  const Explanation& e = r.explanation;
  nlohmann::json j = {
      {"city", r.city},
      {"date", FormatIsoDate(e.date)},
      {"as_of", FormatIsoDate(e.as_of)},
      {"age_as_of", FormatIsoDate(e.age_as_of)},
      {"policy_version", r.policy_version},
      {"scheme", {{"title_en", r.table->title_en}, {"title_zh", r.table->title_zh}, {"source", r.table->source}}},
      {"eligible", e.eligible},
      {"vetoed", e.vetoed},
      {"total", PointsJson(e.total)},
      {"total_exact", e.total.ToExact()}};
  if (e.pass_mark) {
    j["pass_mark"] = PointsJson(*e.pass_mark);
    j["meets_pass_mark"] = e.eligible && !e.vetoed && e.total >= *e.pass_mark;
  } else {
    j["pass_mark"] = nullptr;
  }
  nlohmann::json pre = nlohmann::json::array();
  for (const PreconditionLine& p : e.preconditions) pre.push_back(PreconditionLineToJson(p));
  j["preconditions"] = std::move(pre);
  nlohmann::json lines = nlohmann::json::array();
  for (const IndicatorLine& l : e.indicators) lines.push_back(LineJson(l));
  j["indicators"] = std::move(lines);
  nlohmann::json vetoes = nlohmann::json::array();
  for (const IndicatorLine& l : e.vetoes) vetoes.push_back(LineJson(l));
  j["vetoes"] = std::move(vetoes);

  if (r.agreement != nullptr && r.without_recognition) {
    const Explanation& w = *r.without_recognition;
    nlohmann::json diff = nlohmann::json::array();
    for (size_t i = 0; i < e.indicators.size() && i < w.indicators.size(); ++i) {
      const Points d = e.indicators[i].points - w.indicators[i].points;
      diff.push_back({{"id", e.indicators[i].id},
                      {"with", PointsJson(e.indicators[i].points)},
                      {"without", PointsJson(w.indicators[i].points)},
                      {"difference", PointsJson(d)}});
    }
    j["recognition"] = {{"applied", true},
                        {"region", r.agreement->region},
                        {"name_en", r.agreement->name_en},
                        {"name_zh", r.agreement->name_zh},
                        {"version", r.agreement->version},
                        {"source", r.agreement->source},
                        {"members", r.agreement->members},
                        {"total_without", PointsJson(w.total)},
                        {"eligible_without", w.eligible},
                        {"difference", PointsJson(e.total - w.total)},
                        {"indicators", std::move(diff)}};
    if (!r.agreement->note.empty()) j["recognition"]["note"] = r.agreement->note;
  } else if (r.recognition_excluded) {
    j["recognition"] = {{"applied", false},
                        {"reason_en", "This city's rules count only its own months (megacity)."},
                        {"reason_zh", "本市积分办法只计算在本市的月数（超大城市）。"}};
  } else {
    j["recognition"] = nullptr;
  }
  return j;
}

}  // namespace epermit::policy
