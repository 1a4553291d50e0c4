// tocsinctl user add|list|disable|reset-totp|set-password: people's console accounts. The
// person is the same one tokens and OS accounts act for.
#include <iomanip>
#include <iostream>

#include "broadcaster/cli/args.h"
#include "broadcaster/cli/cli.h"
#include "broadcaster/engine/console_accounts.h"
#include "common/base/time.h"
#include "common/crypto/hash.h"

namespace tocsin::cli {
namespace {

// A password typed on standard input (one line), or a new random one printed once.
Result<std::pair<std::string, bool>> passwordFrom(const Args& args) {
  if (args.flag("password-stdin")) {
    std::string line;
    if (!std::getline(std::cin, line)) return Status::invalid("--password-stdin: no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return std::make_pair(line, false);
  }
  // 15 random bytes: 20 base64 characters, 120 bits.
  TOCSIN_ASSIGN_OR_RETURN(const Bytes raw, randomBytes(15));
  std::string text = toBase64(raw);
  for (char& c : text)
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  return std::make_pair(text, true);
}

engine::ConsoleAccounts accountsOf(Environment& e, CliContext& ctx) { return engine::ConsoleAccounts(*e.audit, ctx.clock); }

Status add(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"role"}, {"shop"}, {"password-stdin", false}});
  args.expectPositionals(1, 1, "user add NAME --role R [--shop S] [--password-stdin]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  engine::NewUser u;
  u.name = args.positionals()[0];
  const auto roleText = args.get("role");
  if (!roleText) return Status::invalid("give --role: operator, approver, marketer, auditor or admin");
  const auto role = engine::parseRole(*roleText);
  if (!role) return Status::invalid("--role is operator, approver, marketer, auditor or admin");
  u.role = *role;
  u.shop = args.get("shop");
  TOCSIN_ASSIGN_OR_RETURN(const auto password, passwordFrom(args));
  u.password = password.first;
  TOCSIN_RETURN_IF_ERROR(accountsOf(*e, ctx).addUser(*e->store, u, ctx.actor()));
  ctx.out << "user " << u.name << " added as " << engine::roleName(u.role) << (u.shop ? " for shop " + *u.shop : "") << "\n";
  if (password.second) ctx.out << "password (shown once): " << u.password << "\n";
  ctx.out << "they enrol an authenticator app (TOTP) at their first sign-in to the console\n";
  return Status::okStatus();
}

Status list(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "user list");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const auto all = accountsOf(*e, ctx).list(*e->store);
  const Timestamp now = ctx.clock.now();
  for (const auto& a : all)
    ctx.out << std::left << std::setw(20) << a.person << std::setw(10) << a.role << std::setw(16) << a.shop.value_or("-")
            << (a.totpConfirmed ? "TOTP enrolled" : "TOTP at next sign-in")
            << (a.lockedUntil && *a.lockedUntil > now ? "  LOCKED until " + formatUtc(*a.lockedUntil) : "") << "\n";
  if (all.empty()) ctx.out << "no console users\n";
  return Status::okStatus();
}

Status disable(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "user disable NAME");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(accountsOf(*e, ctx).disableUser(*e->store, args.positionals()[0], ctx.actor()));
  ctx.out << "user " << args.positionals()[0] << " disabled: their sessions end within a second, their tokens stop\n";
  return Status::okStatus();
}

Status resetTotp(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "user reset-totp NAME");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(accountsOf(*e, ctx).resetTotp(*e->store, args.positionals()[0], ctx.actor()));
  ctx.out << "user " << args.positionals()[0] << " enrols a new authenticator at their next sign-in\n";
  return Status::okStatus();
}

Status setPassword(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"password-stdin", false}});
  args.expectPositionals(1, 1, "user set-password NAME [--password-stdin]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const auto password, passwordFrom(args));
  TOCSIN_RETURN_IF_ERROR(accountsOf(*e, ctx).setPassword(*e->store, args.positionals()[0], password.first, ctx.actor()));
  ctx.out << "password of " << args.positionals()[0] << " replaced\n";
  if (password.second) ctx.out << "password (shown once): " << password.first << "\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& userCommands() {
  static const std::vector<Command> kCommands = {
      {"user add", "user add NAME --role R [--shop S] [--password-stdin]",
       "a console account (password printed once unless given; TOTP enrolled at first sign-in)", add},
      {"user list", "user list", "console accounts, roles, TOTP enrolment and lock-outs", list},
      {"user disable", "user disable NAME", "end a person's sessions and stop their tokens", disable},
      {"user reset-totp", "user reset-totp NAME", "a lost phone: enrol a new authenticator at the next sign-in", resetTotp},
      {"user set-password", "user set-password NAME [--password-stdin]", "replace a password and clear a lock-out", setPassword},
  };
  return kCommands;
}

}  // namespace tocsin::cli
