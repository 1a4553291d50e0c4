#include "broadcaster/cli/args.h"

#include <charconv>

namespace tocsin::cli {

Args::Args(const std::vector<std::string>& tokens, const std::vector<OptionSpec>& specs) {
  bool optionsDone = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (optionsDone || t.size() < 3 || t.rfind("--", 0) != 0) {
      if (t == "--") {
        optionsDone = true;
        continue;
      }
      positionals_.push_back(t);
      continue;
    }
    std::string name = t.substr(2);
    std::optional<std::string> inlineValue;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) throw UsageError("unknown option --" + name);
    if (!spec->takesValue) {
      if (inlineValue) throw UsageError("option --" + name + " takes no value");
      values_[name] = "1";
      all_[name].push_back("1");
      continue;
    }
    if (inlineValue) {
      values_[name] = *inlineValue;
    } else {
      if (i + 1 >= tokens.size()) throw UsageError("option --" + name + " needs a value");
      values_[name] = tokens[++i];
    }
    all_[name].push_back(values_[name]);
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::getAll(const std::string& name) const {
  auto it = all_.find(name);
  return it == all_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::getOr(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::string Args::require(const std::string& name) const {
  auto v = get(name);
  if (!v) throw UsageError("option --" + name + " is required");
  return *v;
}

bool Args::flag(const std::string& name) const { return values_.count(name) > 0; }

std::optional<long long> Args::getInt(const std::string& name, long long min, long long max) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  long long n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max)
    throw UsageError("option --" + name + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return n;
}

void Args::expectPositionals(size_t min, size_t max, const std::string& usage) const {
  if (positionals_.size() < min || positionals_.size() > max) throw UsageError("usage: tocsinctl " + usage);
}

}  // namespace tocsin::cli
