#include "domain/person_digest.hpp"

#include <cstdint>
#include <optional>

namespace epermit::domain {
namespace {

constexpr uint8_t kVersion = 1;

class Writer {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }  // zigzag
  void S(const std::string& s) {
    U(s.size());
    out_.append(s);
  }
  void D(Date d) { I(d.time_since_epoch().count()); }
  void OptD(const std::optional<Date>& d) {
    U(d ? 1 : 0);
    if (d) D(*d);
  }
  template <typename E>
  void E8(E e) {
    U(static_cast<uint64_t>(e));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every read checks the bounds; the first failure sticks, and the caller reports it once.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t U() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const auto byte = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t I() {
    const uint64_t z = U();
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  int Int() {
    const int64_t v = I();
    if (v < INT32_MIN || v > INT32_MAX) return static_cast<int>(Fail());
    return static_cast<int>(v);
  }
  bool B() { return Bounded(1) == 1; }
  std::string S() {
    const uint64_t n = U();
    if (!ok_ || n > in_.size() - pos_) return Fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Date D() {
    // Days from 1970 for years 0..9999 fit easily; anything beyond is damage.
    const int64_t days = I();
    if (days < -800000 || days > 3000000) return Fail(), Date{};
    return Date{std::chrono::days{days}};
  }
  std::optional<Date> OptD() {
    if (!B()) return std::nullopt;
    return D();
  }
  template <typename E>
  E E8(uint64_t count) {
    return static_cast<E>(Bounded(count - 1));
  }
  // A count of entries: each takes at least one byte, so more than the bytes left is damage.
  size_t Count() { return static_cast<size_t>(Bounded(in_.size() - pos_)); }
  void Damage() { Fail(); }
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  uint64_t Bounded(uint64_t max) {
    const uint64_t v = U();
    return v > max ? Fail() : v;
  }
  uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

template <typename T, typename Fn>
void WriteAll(Writer& w, const std::vector<T>& items, Fn write_one) {
  w.U(items.size());
  for (const T& item : items) write_one(item);
}

template <typename T, typename Fn>
void ReadAll(Reader& r, std::vector<T>& items, Fn read_one) {
  const size_t n = r.Count();
  items.clear();
  items.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    T item;
    read_one(item);
    items.push_back(std::move(item));
  }
}

}  // namespace

std::string EncodePersonDigest(const PersonInputs& p) {
  Writer w;
  w.U(kVersion);
  WriteAll(w, p.registrations, [&](const Registration& r) {
    w.S(r.id);
    w.S(r.city);
    w.S(r.division_code);
    w.D(r.registered_on);
  });
  WriteAll(w, p.permits, [&](const Permit& m) {
    w.S(m.number);
    w.I(m.version);
    w.S(m.city);
    w.S(m.residence_division);
    w.D(m.issue_date);
    w.E8(m.state);
    w.D(m.residence_since);
    w.D(m.endorsed_until);
    w.I(m.updated_at);
  });
  const RecordBundle& b = p.records;
  WriteAll(w, b.employment, [&](const EmploymentRecord& r) {
    w.I(r.h.id);
    w.D(r.from);
    w.U(r.post_type ? static_cast<uint64_t>(*r.post_type) + 1 : 0);
  });
  WriteAll(w, b.social_insurance, [&](const SocialInsuranceRecord& r) {
    w.I(r.h.id);
    w.S(r.city);
    w.S(r.division_code);
    w.E8(r.scheme);
    w.E8(r.risk);
    w.I(r.from_month);
    w.I(r.to_month);
    w.U(r.back_payment);
    w.I(r.base_ratio_pct);
  });
  WriteAll(w, b.housing, [&](const HousingRecord& r) {
    w.I(r.h.id);
    w.S(r.city);
    w.S(r.division_code);
    w.E8(r.tenure);
    w.D(r.from);
    w.OptD(r.to);
  });
  WriteAll(w, b.enrollment, [&](const EnrollmentRecord& r) {
    w.I(r.h.id);
    w.S(r.city);
    w.S(r.school);
    w.D(r.from);
    w.OptD(r.to);
  });
  WriteAll(w, b.housing_fund, [&](const HousingFundRecord& r) {
    w.I(r.h.id);
    w.S(r.city);
    w.I(r.from_month);
    w.I(r.to_month);
    w.U(r.back_payment);
    w.U(r.transferred_in);
  });
  WriteAll(w, b.income_tax, [&](const IncomeTaxRecord& r) {
    w.I(r.h.id);
    w.S(r.city);
    w.I(r.year);
    w.I(r.yuan);
  });
  WriteAll(w, b.education, [&](const EducationRecord& r) {
    w.I(r.h.id);
    w.E8(r.level);
    w.U(r.diploma);
    w.U(r.degree);
    w.D(r.completed_on);
    w.U(r.full_time);
    w.U(r.shortage_major);
  });
  WriteAll(w, b.qualifications, [&](const QualificationRecord& r) {
    w.I(r.h.id);
    w.E8(r.kind);
    w.I(r.level);
    w.D(r.obtained_on);
    w.S(r.city);
  });
  WriteAll(w, b.honours, [&](const HonourRecord& r) {
    w.I(r.h.id);
    w.S(r.level);
    w.S(r.title);
    w.D(r.awarded_on);
  });
  WriteAll(w, b.violations, [&](const ViolationRecord& r) {
    w.I(r.h.id);
    w.E8(r.kind);
    w.S(r.city);
    w.D(r.on);
  });
  WriteAll(w, b.family, [&](const FamilyRecord& r) {
    w.I(r.h.id);
    w.E8(r.relation);
    w.D(r.since);
    w.S(r.hukou_division_code);
  });
  return w.Take();
}

Status DecodePersonDigest(std::string_view digest, PersonInputs& p) {
  Reader r(digest);
  const uint64_t version = r.U();
  if (r.ok() && version == kVersion) {
    ReadAll(r, p.registrations, [&](Registration& g) {
      g.id = r.S();
      g.citizen_id = p.citizen_id;
      g.city = r.S();
      g.division_code = r.S();
      g.registered_on = r.D();
    });
    ReadAll(r, p.permits, [&](Permit& m) {
      m.number = r.S();
      m.version = r.Int();
      m.citizen_id = p.citizen_id;
      m.city = r.S();
      m.residence_division = r.S();
      m.issue_date = r.D();
      m.state = r.E8<PermitState>(5);
      m.residence_since = r.D();
      m.endorsed_until = r.D();
      m.updated_at = r.I();
    });
    RecordBundle& b = p.records;
    b = RecordBundle{};
    auto header = [&](RecordHeader& h) {
      h.id = r.I();
      h.citizen_id = p.citizen_id;
    };
    ReadAll(r, b.employment, [&](EmploymentRecord& e) {
      header(e.h);
      e.from = r.D();
      const uint64_t post = r.U();
      if (post > 2) {
        r.Damage();
      } else if (post > 0) {
        e.post_type = static_cast<PostType>(post - 1);
      }
    });
    ReadAll(r, b.social_insurance, [&](SocialInsuranceRecord& s) {
      header(s.h);
      s.city = r.S();
      s.division_code = r.S();
      s.scheme = r.E8<InsuranceScheme>(3);
      s.risk = r.E8<InsuranceRisk>(5);
      s.from_month = r.Int();
      s.to_month = r.Int();
      s.back_payment = r.B();
      s.base_ratio_pct = r.Int();
    });
    ReadAll(r, b.housing, [&](HousingRecord& h) {
      header(h.h);
      h.city = r.S();
      h.division_code = r.S();
      h.tenure = r.E8<Tenure>(3);
      h.from = r.D();
      h.to = r.OptD();
    });
    ReadAll(r, b.enrollment, [&](EnrollmentRecord& e) {
      header(e.h);
      e.city = r.S();
      e.school = r.S();
      e.from = r.D();
      e.to = r.OptD();
    });
    ReadAll(r, b.housing_fund, [&](HousingFundRecord& f) {
      header(f.h);
      f.city = r.S();
      f.from_month = r.Int();
      f.to_month = r.Int();
      f.back_payment = r.B();
      f.transferred_in = r.B();
    });
    ReadAll(r, b.income_tax, [&](IncomeTaxRecord& t) {
      header(t.h);
      t.city = r.S();
      t.year = r.Int();
      t.yuan = r.I();
    });
    ReadAll(r, b.education, [&](EducationRecord& e) {
      header(e.h);
      e.level = r.E8<EducationLevel>(5);
      e.diploma = r.B();
      e.degree = r.B();
      e.completed_on = r.D();
      e.full_time = r.B();
      e.shortage_major = r.B();
    });
    ReadAll(r, b.qualifications, [&](QualificationRecord& q) {
      header(q.h);
      q.kind = r.E8<QualificationKind>(2);
      q.level = r.Int();
      q.obtained_on = r.D();
      q.city = r.S();
    });
    ReadAll(r, b.honours, [&](HonourRecord& h) {
      header(h.h);
      h.level = r.S();
      h.title = r.S();
      h.awarded_on = r.D();
    });
    ReadAll(r, b.violations, [&](ViolationRecord& v) {
      header(v.h);
      v.kind = r.E8<ViolationKind>(5);
      v.city = r.S();
      v.on = r.D();
    });
    ReadAll(r, b.family, [&](FamilyRecord& f) {
      header(f.h);
      f.relation = r.E8<FamilyRelation>(2);
      f.since = r.D();
      f.hukou_division_code = r.S();
    });
  }
  if (r.ok() && version == kVersion && r.AtEnd()) return Status::Ok();
  p.registrations.clear();
  p.permits.clear();
  p.records = RecordBundle{};
  return MakeError(ErrorKind::kInternal, "store.digest_invalid",
                   "The stored digest of a person cannot be read (damaged, or written by another version).",
                   "某人的存储摘要无法读取（已损坏或版本不符）。");
}

}  // namespace epermit::domain
