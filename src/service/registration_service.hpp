// 居住登记: a person records where they live in the city; this starts the residence clock.
#pragma once

#include <optional>
#include <string>

#include "service/node_context.hpp"

namespace epermit::service {

struct RegistrationInput {
  std::string citizen_id;
  std::string name;
  std::string phone;
  std::string division_code;
  std::string address;
  std::string basis;  // employment | own_home | rented_home | study
  std::string employer_uscc;
  std::string school;
  std::optional<Date> registered_on;  // only the demo seeder back-dates; the API uses today
};

class RegistrationService {
 public:
  explicit RegistrationService(const NodeContext& ctx) : ctx_(ctx) {}

  // Validates everything first; a person registers once per city (changes of address
  // afterwards go through the permit's information change).
  Result<domain::Registration> Register(const RegistrationInput& in, const Actor& actor);
  Result<domain::Registration> Validate(const RegistrationInput& in, const Actor& actor) const;
  // Whether the person is registered in this node's city (their data is then the city's).
  Result<bool> RegisteredHere(const std::string& citizen_id) const;

 private:
  const NodeContext& ctx_;
};

}  // namespace epermit::service
