// The JSON shapes the API returns (snake_case), one function per resource, so the
// HTTP handlers, the CLI and demo.json show the same thing.
#pragma once

#include <nlohmann/json.hpp>

#include "service/application_service.hpp"
#include "service/permit_service.hpp"

namespace epermit::service {

nlohmann::json RegistrationJson(const domain::Registration& r);
nlohmann::json ApplicationJson(const domain::Application& a);
// The permit as its holder and the issuing office see it. The citizen ID is masked
// (first 6, last 4): enough to match a card, not enough to reuse the number.
nlohmann::json PermitJson(const PermitView& v);
nlohmann::json PermitJson(const domain::Permit& p);

}  // namespace epermit::service
