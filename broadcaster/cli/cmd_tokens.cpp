// tocsinctl token create|revoke|list: the operator API's bearer tokens, managed on the box;
// tocsinctl person add|list|disable: the people those tokens and OS accounts act for;
// tocsinctl sender approve|revoke|list: the sender IDs each shop may send under.
#include <iomanip>
#include <ostream>

#include "broadcaster/engine/credentials.h"
#include "broadcaster/engine/senders.h"
#include "broadcaster/cli/cli.h"
#include "broadcaster/engine/kiosks.h"
#include "common/base/text.h"
#include "common/base/time.h"

namespace tocsin::cli {
namespace {

Status create(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"role"}, {"name"}, {"shop"}, {"allow"}, {"person"}});
  args.expectPositionals(0, 0, "token create --role R --name N [--person P] [--shop S] [--allow CIDR]...");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  engine::NewToken t;
  t.name = args.require("name");
  const auto role = engine::parseRole(args.require("role"));
  if (!role) throw UsageError("--role is operator, approver, marketer, auditor, kiosk or admin");
  t.role = *role;
  t.shop = args.get("shop");
  t.allowFrom = args.getAll("allow");
  t.person = args.get("person");
  TOCSIN_ASSIGN_OR_RETURN(const std::string secret, engine::createToken(*e->store, *e->audit, ctx.actor(), t));
  ctx.out << secret << "\n";
  ctx.err << "token " << t.name << " (" << engine::roleName(t.role) << ") created; it is shown once, only its hash is kept\n";
  return Status::okStatus();
}

Status revoke(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "token revoke NAME");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(engine::revokeToken(*e->store, *e->audit, ctx.actor(), args.positionals()[0]));
  ctx.out << "token " << args.positionals()[0] << " revoked\n";
  return Status::okStatus();
}

Status list(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "token list");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  std::vector<ApiToken> all;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    all = tx.tokens().list();
    return Status::okStatus();
  }));
  for (const auto& t : all) {
    ctx.out << std::left << std::setw(20) << t.name << std::setw(10) << t.role << (t.shop ? "shop " + *t.shop + "  " : "")
            << (t.person ? "person " + *t.person + "  " : "") << "created " << formatUtc(t.createdAt) << " by " << t.createdBy
            << (t.revokedAt ? "  REVOKED " + formatUtc(*t.revokedAt) : "");
    for (const auto& a : t.allowFrom) ctx.out << "  from " << a;
    ctx.out << "\n";
  }
  if (all.empty()) ctx.out << "no tokens\n";
  return Status::okStatus();
}

Status addPerson(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"os-user"}});
  args.expectPositionals(1, 1, "person add NAME [--os-user LOGIN]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  Person p;
  p.name = args.positionals()[0];
  p.osUser = args.get("os-user");
  TOCSIN_RETURN_IF_ERROR(engine::addPerson(*e->store, *e->audit, ctx.actor(), p));
  ctx.out << "person " << p.name << " added" << (p.osUser ? "; the OS account " + *p.osUser + " acts for them" : "") << "\n";
  return Status::okStatus();
}

Status listPeople(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "person list");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  std::vector<Person> all;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    all = tx.people().list();
    return Status::okStatus();
  }));
  for (const auto& p : all)
    ctx.out << std::left << std::setw(20) << p.name << std::setw(20) << (p.osUser ? "os " + *p.osUser : "-") << "added "
            << formatUtc(p.createdAt) << " by " << printable(p.createdBy)
            << (p.disabledAt ? "  DISABLED " + formatUtc(*p.disabledAt) : "") << "\n";
  if (all.empty()) ctx.out << "no people\n";
  return Status::okStatus();
}

Status disablePerson(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "person disable NAME");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(engine::disablePerson(*e->store, *e->audit, ctx.actor(), args.positionals()[0]));
  ctx.out << "person " << args.positionals()[0] << " disabled\n";
  return Status::okStatus();
}

Status approveSender(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(2, 2, "sender approve SHOP SENDER");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const auto& shop = args.positionals()[0];
  const auto& sender = args.positionals()[1];
  TOCSIN_RETURN_IF_ERROR(engine::approveSender(*e->store, *e->audit, ctx.actor(), engine::reservedSenders(e->bearers, e->policies),
                                               shop, sender));
  ctx.out << "sender ID " << sender << " approved for " << shop << "\n";
  return Status::okStatus();
}

Status revokeSender(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(2, 2, "sender revoke SHOP SENDER");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(engine::revokeSender(*e->store, *e->audit, ctx.actor(), args.positionals()[0], args.positionals()[1]));
  ctx.out << "sender ID " << args.positionals()[1] << " no longer approved for " << args.positionals()[0] << "\n";
  return Status::okStatus();
}

Status listSenders(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "sender list SHOP");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  std::vector<std::string> approved;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    approved = tx.senders().approved(args.positionals()[0]);
    return Status::okStatus();
  }));
  for (const auto& a : approved) ctx.out << printable(a) << "\n";
  if (approved.empty()) ctx.out << "no sender ID approved for " << printable(args.positionals()[0]) << "\n";
  return Status::okStatus();
}

Status kioskAdd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"shop"}, {"id"}});
  args.expectPositionals(0, 0, "kiosk add --shop S --id ID");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(engine::PairingCode code, engine::addKiosk(*e->store, *e->audit, ctx.actor(),
                                                                     args.require("shop"), args.require("id")));
  ctx.out << code.code << "\n";
  ctx.err << "kiosk " << args.require("id") << " for " << args.require("shop")
          << ": type this pairing code on its staff screen before " << formatUtc(code.expiresAt)
          << "; it works once\n";
  return Status::okStatus();
}

Status kioskList(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "kiosk list");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(auto kiosks, engine::listKiosks(*e->store));
  for (const auto& k : kiosks)
    ctx.out << k.id << "  " << k.shop << "  "
            << (k.revokedAt ? "revoked" : k.pairedAt ? "paired" : "waiting for pairing")
            << (k.lastSeen ? "  last contact " + formatUtc(*k.lastSeen) : std::string()) << "  waiting " << k.waiting
            << "\n";
  if (kiosks.empty()) ctx.out << "no kiosks\n";
  return Status::okStatus();
}

Status kioskRevoke(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "kiosk revoke ID");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_RETURN_IF_ERROR(engine::revokeKiosk(*e->store, *e->audit, ctx.actor(), args.positionals()[0]));
  ctx.out << "kiosk " << args.positionals()[0] << " revoked: its token no longer works\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& tokenCommands() {
  static const std::vector<Command> kCommands = {
      {"token create", "token create --role R --name N [--person P] [--shop S] [--allow CIDR]...",
       "a bearer token for the operator API (printed once)", create},
      {"token revoke", "token revoke NAME", "revoke an API token at once", revoke},
      {"token list", "token list", "API tokens (names, roles; never the tokens)", list},
      {"kiosk add", "kiosk add --shop S --id ID", "enrol a kiosk: prints its one-time pairing code", kioskAdd},
      {"kiosk list", "kiosk list", "kiosks, their pairing, last contact and waiting sign-ups", kioskList},
      {"kiosk revoke", "kiosk revoke ID", "revoke a kiosk's token", kioskRevoke},
      {"person add", "person add NAME [--os-user LOGIN]", "a person tokens and an OS account act for", addPerson},
      {"person list", "person list", "people and their OS accounts", listPeople},
      {"person disable", "person disable NAME", "a person's tokens and OS account no longer act for them", disablePerson},
      {"sender approve", "sender approve SHOP SENDER", "let a shop send under this sender ID (never the town's)", approveSender},
      {"sender revoke", "sender revoke SHOP SENDER", "withdraw a shop's sender ID", revokeSender},
      {"sender list", "sender list SHOP", "the sender IDs a shop may send under", listSenders},
  };
  return kCommands;
}

}  // namespace tocsin::cli
