#include "cli/policy_command.hpp"

#include <iostream>

#include "policy/policy_set.hpp"

namespace epermit::cli {

PolicyCommand::PolicyCommand(CLI::App& app) {
  policy_ = app.add_subcommand("policy", "City policies as data (docs/POLICIES.md)");
  policy_->require_subcommand(1);
  check_ = policy_->add_subcommand("check", "Validate every policy file below DIR; errors as file:line: message");
  check_->add_option("DIR", dir_, "Policy directory (policies/<division-code>/<date>.toml)")->required();
}

int PolicyCommand::Run() const {
  if (check_->parsed()) return Check();
  return 1;
}

int PolicyCommand::Check() const {
  auto set = policy::LoadPolicyDir(dir_);
  if (!set.ok()) {
    std::cerr << set.error().message_en << "\n";
    return 1;
  }
  for (const std::string& city : set->Cities()) {
    for (const policy::CityPolicy& v : set->Versions(city)) {
      std::cout << v.file << ": ok (" << v.version << ", from " << FormatIsoDate(v.effective_from);
      if (v.effective_to) std::cout << " to " << FormatIsoDate(*v.effective_to);
      if (v.points) {
        std::cout << "; points: " << v.points->preconditions.size() << " preconditions, " << v.points->indicators.size()
                  << " indicators";
      }
      std::cout << ")\n";
    }
  }
  return 0;
}

}  // namespace epermit::cli
