// Assisted service (代办): a community worker acts for a resident only after the resident
// confirms in person. The worker starts an assist; the node sends a one-time code to the
// resident (to the guardian, for a minor) through the Notifier and shows it in their own
// account; the resident reads it out; the worker enters it. Then, for a few hours, the
// worker's requests that carry the assist's id (X-Assist-Id) reach that resident's data,
// and history names the worker and the resident. The resident can end it at any time.
#pragma once

#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "domain/person_rights.hpp"
#include "service/node_context.hpp"
#include "service/notifier.hpp"

namespace epermit::service {

struct AssistSettings {
  int64_t code_seconds = 10 * 60;     // a code must be read out within this
  int64_t active_seconds = 4 * 3600;  // how long a confirmed assist lasts
  int max_code_attempts = 5;          // wrong codes before the assist fails
};

class AssistService {
 public:
  AssistService(NodeContext ctx, Notifier* notifier, AssistSettings settings = {})
      : ctx_(ctx), notifier_(notifier), settings_(settings) {}

  // Errors (nothing stored): citizen_id.* / guardian's, assist.guardian_required (a minor
  // without a guardian named), assist.guardian_not_needed, assist.guardian_invalid — 422;
  // auth.forbidden when the worker is not of this node's city.
  Result<domain::Assist> Start(const auth::Principal& worker, const std::string& citizen_id,
                               const std::string& guardian_citizen_id);
  // assist.not_found (404: none of this worker's), assist.state (409: not awaiting a code),
  // assist.code_expired (409), assist.bad_code (422; the attempt is counted and stored, and
  // the last allowed one fails the assist).
  Result<domain::Assist> Confirm(const auth::Principal& worker, const std::string& id, const std::string& code);
  // The person ends an assist for them (or for the minor they are guardian of).
  Result<domain::Assist> End(const auth::Principal& person, const std::string& id);
  // Assists for the person, or awaiting the person as guardian, newest last. The code is
  // shown only here, to whom it was sent, while it is still usable.
  Result<std::vector<domain::Assist>> For(const std::string& citizen_id);
  // For the request guard: the resident the worker may act for under assist `id` now.
  // auth.assist_inactive (403) when it is not theirs, not confirmed, ended or expired.
  Result<std::string> ActingFor(int64_t worker_id, const std::string& id);

 private:
  NodeContext ctx_;
  Notifier* notifier_;
  AssistSettings settings_;
};

}  // namespace epermit::service
