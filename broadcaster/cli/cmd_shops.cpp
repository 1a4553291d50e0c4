// tocsinctl shop add|activate|list|show|top-up|suspend|resume|close|code: shops as customers of
// the appliance, from the box itself (the admin's API calls do the same).
#include <iomanip>

#include "broadcaster/cli/args.h"
#include "broadcaster/cli/cli.h"
#include "broadcaster/engine/shops.h"
#include "common/base/time.h"

namespace tocsin::cli {
namespace {

engine::ShopService serviceOf(Environment& e, CliContext&) {
  return engine::ShopService(*e.audit, *e.phones, e.policies, e.bearers, e.shops);
}

Status add(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"name"}, {"country"}, {"owner"}, {"sender"}, {"credits"}, {"quota"}, {"low-balance"},
                     {"unmetered", false}, {"moderation", false}, {"no-tracking", false}, {"active", false}});
  args.expectPositionals(1, 1,
                         "shop add ID --name N --country CC --owner PHONE [--sender S]... [--credits N | --quota N | --unmetered] "
                         "[--low-balance N] [--moderation] [--no-tracking] [--active]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  engine::ShopRequest r;
  r.id = args.positionals()[0];
  r.name = args.require("name");
  r.country = args.require("country");
  r.ownerPhone = args.require("owner");
  r.senders = args.getAll("sender");
  r.moderation = args.flag("moderation");
  r.tracking = !args.flag("no-tracking");
  r.activeNow = args.flag("active");
  const int modes = (args.get("credits") ? 1 : 0) + (args.get("quota") ? 1 : 0) + (args.flag("unmetered") ? 1 : 0);
  if (modes > 1) return Status::invalid("give one of --credits, --quota and --unmetered");
  if (args.flag("unmetered")) r.creditMode = CreditMode::kUnmetered;
  else if (auto q = args.getInt("quota", 1, 100'000'000)) {
    r.creditMode = CreditMode::kQuota;
    r.credits = *q;
  } else {
    r.credits = args.getInt("credits", 0, 100'000'000).value_or(0);
  }
  r.lowBalance = args.getInt("low-balance", 0, 100'000'000).value_or(0);
  TOCSIN_ASSIGN_OR_RETURN(const Shop shop, serviceOf(*e, ctx).create(*e->store, r, ctx.actor()));
  if (r.activeNow) {
    ctx.out << "shop " << shop.id << " registered and active (" << creditModeName(shop.creditMode)
            << "), without an activation code (audited)\n";
    return Status::okStatus();
  }
  ctx.out << "shop " << shop.id << " registered (" << creditModeName(shop.creditMode) << "); the activation code went to "
          << shop.ownerPhone.value_or("?") << " by SMS\n"
          << "the owner activates it: tocsinctl shop activate " << shop.id << " --code CODE "
          << "(or POST /v1/shops/" << shop.id << "/activate)\n";
  return Status::okStatus();
}

Status activate(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"code"}, {"here", false}});
  args.expectPositionals(1, 1, "shop activate ID (--code CODE | --here)");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const std::string id = args.positionals()[0];
  if (args.flag("here")) {
    TOCSIN_RETURN_IF_ERROR(serviceOf(*e, ctx).activateDirectly(*e->store, id, ctx.actor()));
    ctx.out << "shop " << id << " activated on the appliance, without the owner's code (audited)\n";
    return Status::okStatus();
  }
  const auto code = args.get("code");
  if (!code) return Status::invalid("give --code (the code the owner received) or --here (on site, without it)");
  TOCSIN_RETURN_IF_ERROR(serviceOf(*e, ctx).activate(*e->store, id, *code).status());
  ctx.out << "shop " << id << " activated\n";
  return Status::okStatus();
}

void print(CliContext& ctx, const Shop& s) {
  ctx.out << std::left << std::setw(24) << s.id << std::setw(10) << shopStateName(s.state) << std::setw(4) << s.country
          << std::setw(11) << creditModeName(s.creditMode)
          << (s.creditMode == CreditMode::kUnmetered ? std::string("-") : std::to_string(s.balance) + " parts")
          << (s.moderation ? "  moderated" : "") << (s.tracking ? "" : "  links untracked") << "  " << s.name << "\n";
}

Status list(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "shop list");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  std::vector<Shop> all;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    all = tx.shops().shops();
    return Status::okStatus();
  }));
  for (const Shop& s : all) print(ctx, s);
  if (all.empty()) ctx.out << "no shops\n";
  return Status::okStatus();
}

Status simple(CliContext& ctx, const std::vector<std::string>& tokens, const std::string& what) {
  const bool reason = what == "suspend" || what == "close";
  Args args(tokens, {{"reason"}});
  args.expectPositionals(what == "top-up" ? 2 : 1, what == "top-up" ? 2 : 1,
                         "shop " + what + " ID" + (what == "top-up" ? " PARTS" : "") + (reason ? " --reason R" : ""));
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  const std::string id = args.positionals()[0];
  auto service = serviceOf(*e, ctx);
  if (what == "top-up") {
    long long parts = 0;
    try {
      parts = std::stoll(args.positionals()[1]);
    } catch (const std::exception&) {
      return Status::invalid("PARTS is a whole number of SMS parts");
    }
    TOCSIN_RETURN_IF_ERROR(service.topUp(*e->store, id, parts, ctx.actor()));
  } else if (what == "suspend") {
    TOCSIN_RETURN_IF_ERROR(service.suspend(*e->store, id, ctx.actor(), args.require("reason")));
  } else if (what == "close") {
    TOCSIN_RETURN_IF_ERROR(service.close(*e->store, id, ctx.actor(), args.require("reason")));
  } else if (what == "resume") {
    TOCSIN_RETURN_IF_ERROR(service.resume(*e->store, id, ctx.actor()));
  } else {
    TOCSIN_RETURN_IF_ERROR(service.resendCode(*e->store, id, ctx.actor()));
  }
  std::optional<Shop> shop;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    shop = tx.shops().findShop(id);
    return Status::okStatus();
  }));
  if (shop) print(ctx, *shop);
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& shopCommands() {
  static const std::vector<Command> kCommands = {
      {"shop add",
       "shop add ID --name N --country CC --owner PHONE [--sender S]... [--credits N | --quota N | --unmetered] "
       "[--low-balance N] [--moderation] [--no-tracking] [--active]",
       "register a shop; its owner's mobile gets the activation code by SMS (--active: on site, no code)", add},
      {"shop activate", "shop activate ID (--code CODE | --here)", "activate a shop with the owner's code, or on site", activate},
      {"shop list", "shop list", "shops, their state and credits", list},
      {"shop top-up", "shop top-up ID PARTS", "add SMS parts to a shop's balance",
       [](CliContext& c, const std::vector<std::string>& t) { return simple(c, t, "top-up"); }},
      {"shop suspend", "shop suspend ID --reason R", "pause a shop's campaigns and refuse new ones",
       [](CliContext& c, const std::vector<std::string>& t) { return simple(c, t, "suspend"); }},
      {"shop resume", "shop resume ID", "let a suspended shop send again",
       [](CliContext& c, const std::vector<std::string>& t) { return simple(c, t, "resume"); }},
      {"shop close", "shop close ID --reason R",
       "close a shop for good: campaigns cancelled and refunded, tokens, kiosks and people stopped, lists deleted",
       [](CliContext& c, const std::vector<std::string>& t) { return simple(c, t, "close"); }},
      {"shop code", "shop code ID", "send the owner a new activation code",
       [](CliContext& c, const std::vector<std::string>& t) { return simple(c, t, "code"); }},
  };
  return kCommands;
}

}  // namespace tocsin::cli
