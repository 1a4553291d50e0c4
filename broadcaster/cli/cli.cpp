#include "broadcaster/cli/cli.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "broadcaster/engine/credentials.h"
#include "common/base/files.h"
#include "common/base/version.h"
#include "broadcaster/engine/wake_channel.h"

namespace tocsin::cli {

Result<Config> CliContext::config() const {
  // An installed appliance keeps its configuration in /etc/tocsin: tocsinctl finds it there when
  // told of no other (TOCSIN_CONFIG names one too).
  std::optional<std::string> file = options_.configPath;
  if (!file && !options_.dbPath) {
    if (const char* named = std::getenv("TOCSIN_CONFIG"); named && *named) file = named;
    else if (::access(kInstalledConfig, F_OK) == 0) file = kInstalledConfig;
  }
  return engine::loadConfiguration(file, options_.dbPath);
}

std::string CliContext::osUser() {
  // The real uid: who logged in. sudo and su change it, so "sudo tocsinctl" acts as root, and
  // nothing in the environment (SUDO_USER, LOGNAME) is believed.
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid" + std::to_string(::getuid());
}

std::string CliContext::actor() {
  if (actor_) return *actor_;
  const std::string user = osUser();
  std::optional<std::string> person;
  if (auto e = env(); e.ok()) {
    const Status read = e.value()->store->read([&](StoreTx& tx) {
      if (auto p = tx.people().findByOsUser(user); p && !p->disabledAt) person = p->name;
      return Status::okStatus();
    });
    if (!read.ok()) err << "tocsinctl: warning: " << read.message() << "\n";
  }
  actor_ = engine::actorName(person, "cli:" + user);
  return *actor_;
}

Status checkStoreOwner(const Config& c) {
  if (::geteuid() != 0) return Status::okStatus();
  struct stat st {};
  if (::stat(parentOf(c.store.path).c_str(), &st) != 0 || st.st_uid == 0) return Status::okStatus();
  const passwd* pw = ::getpwuid(st.st_uid);
  const std::string owner = pw ? pw->pw_name : std::to_string(st.st_uid);
  return Status::failedPrecondition("the store " + c.store.path + " belongs to the user " + owner +
                                    ": run tocsinctl as that user (runuser -u " + owner +
                                    " -- tocsinctl ...), so that every file it makes stays theirs");
}

Result<Environment*> CliContext::env() {
  if (env_) return env_.get();
  TOCSIN_ASSIGN_OR_RETURN(Config c, config());
  TOCSIN_RETURN_IF_ERROR(checkStoreOwner(c));
  TOCSIN_ASSIGN_OR_RETURN(env_, Environment::open(c, clock));
  env_->audit->onAnchorTrouble([this](const std::string& problem) { err << "tocsinctl: warning: " << problem << "\n"; });
  const std::string path = c.store.path;
  env_->store = std::make_unique<engine::NotifyingStore>(std::move(env_->store), [path] { engine::notifyStoreChanged(path); });
  return env_.get();
}

Result<const engine::JobService*> CliContext::jobs() {
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, env());
  if (!jobs_) jobs_ = std::make_unique<engine::JobService>(*e->audit, e->policies, clock, e->bearers, e->shops);
  return jobs_.get();
}

std::string selfExecutable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "tocsinctl";
  return std::string(buf, static_cast<size_t>(n));
}

Result<PhoneNumber> normalizePhone(CliContext& ctx, const std::string& input) {
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  return e->phones->normalize(input);
}

Result<Contact> requireContact(StoreTx& tx, const PhoneNumber& phone) {
  auto c = tx.contacts().findByPhone(phone.e164);
  if (!c) return Status::notFound("no contact with number " + phone.e164);
  return *c;
}

namespace {

std::vector<const Command*> allCommands(bool remote = false) {
  std::vector<const Command*> out;
  if (remote) {
    for (const auto& c : remoteCommands()) out.push_back(&c);
    return out;
  }
  for (const auto* group : {&storeCommands(), &contactCommands(), &consentCommands(), &auditCommands(),
                            &privacyCommands(), &codecCommands(), &bearerCommands(), &jobCommands(), &tokenCommands(), &userCommands(), &shopCommands()})
    for (const auto& c : *group) out.push_back(&c);
  return out;
}

void printHelp(std::ostream& out) {
  out << "usage: tocsinctl [--db PATH] [--config FILE] <command> [args...]\n"
         "       tocsinctl --url https://HOST:PORT [--token T] [--ca CERT.pem] <api command> [args...]\n"
         "       tocsinctl --version\n\ncommands:\n";
  std::vector<const Command*> commands = allCommands();
  for (const Command* c : allCommands(true)) commands.push_back(c);
  for (const Command* c : commands) {
    if (std::string(c->name).rfind("internal ", 0) == 0) continue;  // helpers started by tocsinctl itself
    std::string usage = c->usage;
    out << "  " << usage;
    if (usage.size() < 46) out << std::string(46 - usage.size(), ' ');
    else out << "\n" << std::string(48, ' ');
    out << c->summary << "\n";
  }
  out << "\nThe store defaults to var/tocsin.db; its keys live in <store directory>/keys.\n"
         "API commands (alert create|show|approve|false-alarm|status, campaign create|status|...) need --url;\n"
         "the token may come from TOCSIN_TOKEN instead of --token.\n";
}

// Splits the leading words that name a command from its arguments: the longest match wins.
const Command* findCommand(const std::vector<std::string>& words, size_t& consumed, bool remote) {
  const Command* best = nullptr;
  size_t bestWords = 0;
  for (const Command* c : allCommands(remote)) {
    std::vector<std::string> parts;
    std::string name = c->name;
    size_t start = 0;
    while (start <= name.size()) {
      const auto sp = name.find(' ', start);
      parts.push_back(name.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
    if (parts.size() > words.size() || parts.size() <= bestWords) continue;
    bool match = true;
    for (size_t i = 0; i < parts.size(); ++i) match = match && parts[i] == words[i];
    if (match) {
      best = c;
      bestWords = parts.size();
    }
  }
  consumed = bestWords;
  return best;
}

}  // namespace

int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, Clock& clock) {
  GlobalOptions global;
  size_t i = 0;
  try {
    for (; i < argv.size() && argv[i].rfind("--", 0) == 0; ++i) {
      const std::string& t = argv[i];
      auto value = [&](const std::string& name) -> std::string {
        if (t.size() > name.size() + 2 && t[name.size() + 2] == '=') return t.substr(name.size() + 3);
        if (i + 1 >= argv.size()) throw UsageError("option " + name + " needs a value");
        return argv[++i];
      };
      if (t == "--help") {
        printHelp(out);
        return 0;
      } else if (t == "--version") {
        out << "tocsinctl " << tocsinVersion() << "\n";
        return 0;
      } else if (t.rfind("--db", 0) == 0 && (t.size() == 4 || t[4] == '=')) {
        global.dbPath = value("--db");
      } else if (t.rfind("--config", 0) == 0 && (t.size() == 8 || t[8] == '=')) {
        global.configPath = value("--config");
      } else if (t.rfind("--url", 0) == 0 && (t.size() == 5 || t[5] == '=')) {
        global.url = value("--url");
      } else if (t.rfind("--token", 0) == 0 && (t.size() == 7 || t[7] == '=')) {
        global.token = value("--token");
      } else if (t.rfind("--ca", 0) == 0 && (t.size() == 4 || t[4] == '=')) {
        global.caFile = value("--ca");
      } else {
        throw UsageError("unknown global option " + t);
      }
    }
    std::vector<std::string> rest(argv.begin() + static_cast<long>(i), argv.end());
    if (rest.empty() || rest[0] == "help") {
      printHelp(rest.empty() ? err : out);
      return rest.empty() ? 2 : 0;
    }
    size_t consumed = 0;
    const Command* cmd = findCommand(rest, consumed, global.url.has_value());
    if (!cmd)
      throw UsageError("unknown command '" + rest[0] + "'" + (global.url ? " for the API (alert create|show|approve|false-alarm|status, campaign create|status|pause|resume|cancel, audit verify|list, consent export)" : " (try: tocsinctl help)"));
    CliContext ctx(global, out, err, clock);
    const std::vector<std::string> args(rest.begin() + static_cast<long>(consumed), rest.end());
    const Status st = cmd->run(ctx, args);
    if (!st.ok()) {
      err << "tocsinctl: " << st.message() << "\n";
      return 1;
    }
    return ctx.failedVerdict ? 1 : 0;
  } catch (const UsageError& e) {
    err << "tocsinctl: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace tocsin::cli
