#include "policy/recognition.hpp"

#include <algorithm>

#include "domain/division.hpp"
#include "policy/policy_reader.hpp"
#include "policy/quantity.hpp"

namespace epermit::policy {

Result<RecognitionAgreement> ParseAgreement(std::string_view toml_text, const std::string& file_name) {
  EPERMIT_ASSIGN_OR_RETURN(toml::table root, ParseTomlFile(toml_text, file_name));
  PolicyReader r(file_name);
  RecognitionAgreement a;
  a.file = file_name;
  EPERMIT_ASSIGN_OR_RETURN(a.region, r.String(root, "region", true));
  EPERMIT_ASSIGN_OR_RETURN(a.name_en, r.String(root, "name_en", true));
  EPERMIT_ASSIGN_OR_RETURN(a.name_zh, r.String(root, "name_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(a.version, r.String(root, "version", true));
  EPERMIT_ASSIGN_OR_RETURN(a.source, r.String(root, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(a.note, r.String(root, "note", false));
  EPERMIT_ASSIGN_OR_RETURN(auto from, r.DateValue(root, "effective_from", true));
  a.effective_from = *from;
  EPERMIT_ASSIGN_OR_RETURN(a.effective_to, r.DateValue(root, "effective_to", false));
  if (a.effective_to && *a.effective_to <= a.effective_from) {
    return r.Fail(root.get("effective_to"), "effective_to must be after effective_from");
  }
  EPERMIT_ASSIGN_OR_RETURN(a.members, r.StringList(root, "members"));
  for (const std::string& m : a.members) {
    if (!domain::DivisionRegistry::Builtin().IsCurrentCity(m)) {
      return r.Fail(root.get("members"), "member '" + m + "' is not a current city-level division code");
    }
    if (std::count(a.members.begin(), a.members.end(), m) > 1) {
      return r.Fail(root.get("members"), "member '" + m + "' is listed twice");
    }
  }
  if (a.members.size() < 2) return r.Fail(&root, "an agreement needs at least two member cities");
  const toml::array* sums = root.get("sum") ? root.get("sum")->as_array() : nullptr;
  if (sums == nullptr || sums->empty()) return r.Fail(&root, "an agreement needs [[sum]] entries");
  for (const toml::node& item : *sums) {
    const toml::table* t = item.as_table();
    if (t == nullptr) return r.Fail(&item, "each [[sum]] must be a table");
    RecognizedQuantity q;
    EPERMIT_ASSIGN_OR_RETURN(q.quantity, r.String(*t, "quantity", true));
    const QuantityInfo* info = FindQuantity(q.quantity);
    if (info == nullptr) return r.Fail(t->get("quantity"), "unknown ledger quantity '" + q.quantity + "'");
    if (!info->recognizable) {
      return r.Fail(t->get("quantity"), "quantity '" + q.quantity + "' is not counted in months of one city");
    }
    if (const toml::node* f = t->get("factor")) {
      EPERMIT_ASSIGN_OR_RETURN(int64_t hundredths, r.Hundredths(f, "factor"));
      if (hundredths < 1 || hundredths > 100) return r.Fail(f, "'factor' must be between 0.01 and 1");
      q.factor_pct = static_cast<int>(hundredths);
    }
    if (const toml::node* c = t->get("cap_months"); c != nullptr && c->is_integer() && c->as_integer()->get() < 0) {
      return r.Fail(c, "'cap_months' cannot be below zero");
    }
    EPERMIT_ASSIGN_OR_RETURN(int64_t cap, r.Int(*t, "cap_months", 0, 0, 1200));
    q.cap_months = static_cast<int>(cap);
    for (const RecognizedQuantity& other : a.quantities) {
      if (other.quantity == q.quantity) return r.Fail(t, "quantity '" + q.quantity + "' is summed twice");
    }
    a.quantities.push_back(q);
  }
  return a;
}

}  // namespace epermit::policy
