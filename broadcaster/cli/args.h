// Command-line arguments of one tocsinctl command: declared options, then positionals.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tocsin::cli {

// A mistake in how the command was typed; tocsinctl prints it with the usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;    // without the leading "--"
  bool takesValue = true;
};

class Args {
 public:
  // Parses `tokens` ("--name value", "--name=value", "--flag", positionals); "--" ends options.
  // Throws UsageError for an option not in `specs` or missing its value.
  Args(const std::vector<std::string>& tokens, const std::vector<OptionSpec>& specs);

  // The last value given (an option given twice keeps the later one)...
  std::optional<std::string> get(const std::string& name) const;
  // ...or every value, in order, for options that may repeat.
  std::vector<std::string> getAll(const std::string& name) const;
  std::string getOr(const std::string& name, const std::string& fallback) const;
  std::string require(const std::string& name) const;
  bool flag(const std::string& name) const;
  std::optional<long long> getInt(const std::string& name, long long min, long long max) const;

  const std::vector<std::string>& positionals() const { return positionals_; }
  // Throws UsageError unless there are between `min` and `max` positionals.
  void expectPositionals(size_t min, size_t max, const std::string& usage) const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_;
  std::vector<std::string> positionals_;
};

}  // namespace tocsin::cli
