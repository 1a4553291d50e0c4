// tocsinctl: the operator's and auditor's command-line tool.
//
//   tocsinctl [--db PATH] [--config FILE] <command> [args...]
//   tocsinctl --url https://HOST:PORT [--token T] [--ca CERT.pem] alert|campaign ...
//
// Each command is a function over a CliContext, which opens the store, keys and audit log on
// first use. Commands return a Status; tocsinctl prints failures as "tocsinctl: <message>"
// and exits 1; usage mistakes exit 2.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broadcaster/cli/args.h"
#include "broadcaster/engine/environment.h"
#include "broadcaster/engine/jobs.h"
#include "common/base/clock.h"

namespace tocsin::cli {

// The configuration an installed appliance keeps (the tocsin package's conffile).
inline constexpr const char* kInstalledConfig = "/etc/tocsin/broadcaster.json";

struct GlobalOptions {
  std::optional<std::string> dbPath;
  std::optional<std::string> configPath;
  // Client mode: the operator API at `url` instead of the local store.
  std::optional<std::string> url;
  std::optional<std::string> token;   // else TOCSIN_TOKEN
  std::optional<std::string> caFile;  // the API's certificate (or its CA) to trust
};

using engine::Environment;

// Root may not work on a store that belongs to another user (the installed appliance's is the
// tocsin user's): files it made there (a lock, a key, the write-ahead log) would lock the daemon
// out. Refused, naming the user to run as.
Status checkStoreOwner(const Config& c);

class CliContext {
 public:
  CliContext(GlobalOptions options, std::ostream& output, std::ostream& errors, Clock& wallClock)
      : out(output), err(errors), clock(wallClock), options_(std::move(options)) {}

  // The configuration (defaults, the --config file, else TOCSIN_CONFIG's, else kInstalledConfig
  // if it exists and --db is not given; then --db).
  Result<Config> config() const;
  // Opens the store and its companions on first call. Every write to the store wakes a running
  // broadcaster (engine/wake_channel.h).
  Result<Environment*> env();
  // The job service over env(), on first call.
  Result<const engine::JobService*> jobs();
  // Who the audit log names for this invocation: "person:<name> via cli:<login>" when the
  // login (from the real uid, never the environment) belongs to a person, else "cli:<login>".
  // Resolved from the store on first call.
  std::string actor();
  // The OS account running tocsinctl (real uid).
  static std::string osUser();
  const GlobalOptions& options() const { return options_; }

  std::ostream& out;
  std::ostream& err;
  Clock& clock;
  // Set by a command that ran correctly but whose verdict is negative (verification failed,
  // import refused): tocsinctl exits 1 without printing an error line.
  bool failedVerdict = false;

 private:
  GlobalOptions options_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<engine::JobService> jobs_;
  std::optional<std::string> actor_;
};

using CommandFn = Status (*)(CliContext&, const std::vector<std::string>& args);

struct Command {
  const char* name;   // "audit verify"
  const char* usage;  // "audit verify"
  const char* summary;
  CommandFn run;
};

// Commands defined by each cmd_*.cpp file.
const std::vector<Command>& storeCommands();
const std::vector<Command>& contactCommands();
const std::vector<Command>& consentCommands();
const std::vector<Command>& auditCommands();
const std::vector<Command>& privacyCommands();
const std::vector<Command>& codecCommands();
const std::vector<Command>& bearerCommands();
const std::vector<Command>& jobCommands();
const std::vector<Command>& tokenCommands();
const std::vector<Command>& userCommands();
const std::vector<Command>& shopCommands();
// The commands of client mode (--url).
const std::vector<Command>& remoteCommands();

// Runs tocsinctl with `argv` (without the program name); returns the exit status.
int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, Clock& clock);

// Shared helpers for commands.
// The path of the running executable (to start helper copies of it).
std::string selfExecutable();
Result<PhoneNumber> normalizePhone(CliContext& ctx, const std::string& input);
Result<Contact> requireContact(StoreTx& tx, const PhoneNumber& phone);

}  // namespace tocsin::cli
