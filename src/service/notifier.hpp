// How the node tells a resident something outside the API: an SMS gateway or an app push in
// a deployment. The node ships only LogNotifier, which records that a notice was sent and
// to which kind of recipient, never its text or who (the text may carry a one-time code).
#pragma once

#include <string>

namespace epermit::service {

struct Notice {
  std::string citizen_id;  // the recipient, resolved to a phone or device by the gateway
  std::string kind;        // e.g. "assist_code"
  std::string text_en;
  std::string text_zh;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Best effort: a failed delivery is the gateway's to retry; the caller's action stands.
  virtual void Send(const Notice& notice) = 0;
};

class LogNotifier final : public Notifier {
 public:
  void Send(const Notice& notice) override;
};

}  // namespace epermit::service
