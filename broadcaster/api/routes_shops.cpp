// /v1/shops: shops as customers. An admin registers a shop, which its owner activates with the
// code sent to their mobile; an admin suspends, resumes or closes it and tops up its credits.
// A shop's marketers keep its lists and tags, read its balance and monthly usage, and may turn
// link tracking off. /l/{code}: a tracked short link's redirect, for anyone.
#include <Poco/URI.h>

#include "broadcaster/api/click_recorder.h"
#include "broadcaster/api/connection_guard.h"
#include "broadcaster/api/rate_limiter.h"
#include "broadcaster/api/services.h"
#include "broadcaster/engine/shops.h"
#include "common/base/text.h"
#include "common/base/time.h"
#include "common/contacts/import.h"
#include "common/csv/csv.h"

namespace tocsin::api {
namespace {

const std::set<Role> kShopStaff = {Role::kMarketer, Role::kAdmin};
const std::set<Role> kShopReaders = {Role::kMarketer, Role::kAdmin, Role::kAuditor};

Json shopJson(const Shop& s, bool full) {
  Json o = object();
  o->set("id", s.id);
  o->set("name", s.name);
  o->set("country", s.country);
  o->set("state", shopStateName(s.state));
  if (full && s.ownerPhone) o->set("owner_phone", *s.ownerPhone);
  JsonArray senders = array();
  for (const auto& x : s.requestedSenders) senders->add(x);
  o->set("requested_senders", senders);
  o->set("moderation", s.moderation);
  o->set("tracking", s.tracking);
  Json credits = object();
  credits->set("mode", creditModeName(s.creditMode));
  if (s.creditMode != CreditMode::kUnmetered) credits->set("balance", s.balance);
  if (s.monthlyQuota) credits->set("monthly_quota", *s.monthlyQuota);
  credits->set("low_balance", s.lowBalance);
  o->set("credits", credits);
  o->set("created_at", formatUtc(s.createdAt));
  if (s.activatedAt) o->set("activated_at", formatUtc(*s.activatedAt));
  if (s.closedAt) o->set("closed_at", formatUtc(*s.closedAt));
  return o;
}

struct ShopRoutes {
  explicit ShopRoutes(ApiServices& services)
      : s(services),
        shops(*s.env.audit, *s.env.phones, s.env.policies, s.env.bearers, s.env.shops) {}
  ApiServices& s;
  engine::ShopService shops;
  // Wrong activation codes per client address: five at once, then one a minute.
  RateLimiter failedCodes{{1.0 / 60, 5}};
  std::mutex importing;

  // The shop named in the path, if the caller may act for it.
  std::string shopParam(const Request& req) {
    const std::string shop = req.params.at("shop");
    const Principal& who = req.who();
    if (who.role == Role::kMarketer && shop != who.shop.value_or(""))
      throw ApiError(403, "forbidden", "this token acts for shop " + who.shop.value_or("") + " only", "shop");
    return shop;
  }

  Shop load(StoreTx& tx, const std::string& id) {
    auto shop = tx.shops().findShop(id);
    if (!shop) throw ApiError(404, "not_found", "no shop '" + id + "'", "shop");
    return *shop;
  }

  Response show(const Request& req, const std::string& id, int status = 200) {
    auto store = s.stores.acquire();
    Json body;
    check(store->read([&](StoreTx& tx) {
      body = shopJson(load(tx, id), req.who().role == Role::kAdmin || req.who().role == Role::kMarketer);
      return Status::okStatus();
    }));
    return json(body, status);
  }

  Response create(Request& req) {
    const Json o = parseBody(req);
    engine::ShopRequest r;
    r.id = requireString(o, "id");
    r.name = requireString(o, "name");
    r.country = requireString(o, "country");
    r.ownerPhone = requireString(o, "owner_phone");
    r.senders = stringList(o, "senders");
    r.moderation = optionalBool(o, "moderation");
    r.tracking = !o->has("tracking") || optionalBool(o, "tracking");
    if (Json credits = optionalObject(o, "credits")) {
      const std::string mode = optionalString(credits, "mode").value_or("balance");
      const auto parsed = parseCreditMode(mode);
      if (!parsed) throw ApiError(422, "invalid", "credits.mode is 'balance', 'quota' or 'unmetered'", "credits.mode");
      r.creditMode = *parsed;
      r.credits = optionalInt(credits, "parts").value_or(0);
      r.lowBalance = optionalInt(credits, "low_balance").value_or(0);
    }
    Shop shop;
    {
      auto store = s.stores.acquire();
      shop = value(shops.create(*store, r, req.who().actor()));
    }
    Json body = shopJson(shop, true);
    body->set("note", "the activation code went to " + *shop.ownerPhone + " by SMS; the owner activates the shop with "
                      "POST /v1/shops/" + shop.id + "/activate");
    return json(body, 201);
  }

  Response list(Request& req) {
    const Principal& who = req.who();
    JsonArray items = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      for (const Shop& shop : tx.shops().shops())
        if (who.role != Role::kMarketer || shop.id == who.shop) items->add(shopJson(shop, who.role != Role::kAuditor));
      return Status::okStatus();
    }));
    Json o = object();
    o->set("shops", items);
    return json(o);
  }

  // Open: the owner has no account yet. Wrong codes are limited per address and per shop.
  Response activate(Request& req) {
    const std::string id = req.params.at("shop");
    const std::string key = ConnectionGuard::addressKey(req.peer);
    if (const auto wait = failedCodes.wait(key, s.clock.monotonic())) {
      const int64_t seconds = std::max<int64_t>(1, (wait->count() + 999999) / 1000000);
      Response r = errorResponse(429, "too_many_requests", "too many wrong codes from this address; try again in " +
                                                               std::to_string(seconds) + " s", "code");
      r.headers["Retry-After"] = std::to_string(seconds);
      return r;
    }
    const std::string code = requireString(parseBody(req), "code");
    Result<Shop> shop = Status::internal("unset");
    {
      auto store = s.stores.acquire();
      shop = shops.activate(*store, id, code);
    }
    if (!shop.ok()) {
      (void)failedCodes.take(key, s.clock.monotonic());
      check(shop.status(), "code");
    }
    Json o = object();
    o->set("id", shop->id);
    o->set("state", shopStateName(shop->state));
    o->set("note", "the shop is active: an admin now gives its people their console accounts and tokens");
    return json(o);
  }

  Response act(Request& req, const std::string& action) {
    const std::string id = req.params.at("shop");
    const std::string actor = req.who().actor();
    {
      auto store = s.stores.acquire();
      if (action == "code") check(shops.resendCode(*store, id, actor));
      else if (action == "resume") check(shops.resume(*store, id, actor));
      else if (action == "activate-here") check(shops.activateDirectly(*store, id, actor));
      else {
        const std::string reason = requireString(parseBody(req), "reason");
        check(action == "suspend" ? shops.suspend(*store, id, actor, reason) : shops.close(*store, id, actor, reason), "reason");
      }
    }
    return show(req, id);
  }

  Response topUp(Request& req) {
    const std::string id = req.params.at("shop");
    const auto parts = optionalInt(parseBody(req), "parts");
    if (!parts) throw ApiError(422, "invalid", "'parts' is required: how many SMS parts to add", "parts");
    {
      auto store = s.stores.acquire();
      check(shops.topUp(*store, id, *parts, req.who().actor()), "parts");
    }
    return show(req, id);
  }

  // An admin changes any setting; a shop's marketer may only turn its link tracking on or off.
  Response change(Request& req) {
    const std::string id = shopParam(req);
    const Json o = parseBody(req);
    engine::ShopChanges c;
    if (o->has("tracking")) c.tracking = optionalBool(o, "tracking");
    if (req.who().role == Role::kAdmin) {
      if (o->has("moderation")) c.moderation = optionalBool(o, "moderation");
      c.lowBalance = optionalInt(o, "low_balance");
      c.monthlyQuota = optionalInt(o, "monthly_quota");
    } else {
      for (const char* field : {"moderation", "low_balance", "monthly_quota"})
        if (o->has(field)) throw ApiError(403, "forbidden", std::string("only an admin changes '") + field + "'", field);
    }
    {
      auto store = s.stores.acquire();
      check(shops.change(*store, id, c, req.who().actor()));
    }
    return show(req, id);
  }

  // The month's credit movements per job: reserved, charged, refunded; JSON or CSV.
  Response usage(Request& req) {
    const std::string id = shopParam(req);
    const auto monthParam = req.query.find("month");
    const std::string month = monthParam != req.query.end() ? monthParam->second : formatUtc(s.clock.now()).substr(0, 7);
    auto from = parseTimestamp(month + "-01T00:00:00Z");
    if (month.size() != 7 || !from.ok()) throw ApiError(422, "invalid", "'month' is YYYY-MM", "month");
    const std::string y = month.substr(0, 4);
    const int m = std::stoi(month.substr(5, 2));
    const std::string next = m == 12 ? std::to_string(std::stoi(y) + 1) + "-01" : y + "-" + (m < 9 ? "0" : "") + std::to_string(m + 1);
    const Timestamp to = parseTimestamp(next + "-01T00:00:00Z").value();
    struct Line {
      int64_t reserved = 0, charged = 0, refunded = 0;
    };
    std::map<std::string, Line> lines;  // "job 12", "top-ups", "quota"
    int64_t topUps = 0;
    std::optional<int64_t> balance;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      load(tx, id);
      for (const CreditEntry& e : tx.shops().credits(id, *from, to)) {
        balance = e.balanceAfter;
        if (!e.job) {
          topUps += e.parts;
          continue;
        }
        Line& l = lines[std::to_string(*e.job)];
        if (e.kind == "reserve") l.reserved -= e.parts;
        else if (e.kind == "refund") l.refunded += e.parts;
        else if (e.kind == "charge") l.charged -= e.parts;
      }
      return Status::okStatus();
    }));
    int64_t charged = 0, refunded = 0;
    for (auto& [job, l] : lines) {
      l.charged += l.reserved - l.refunded;  // what the reservation paid for, plus any overrun
      charged += l.charged;
      refunded += l.refunded;
    }
    const auto format = req.query.find("format");
    if (format != req.query.end() && format->second == "csv") {
      std::string out = "shop,month,job,reserved,charged,refunded\n";
      for (const auto& [job, l] : lines)
        out += csvSafeCell(id) + "," + month + "," + job + "," + std::to_string(l.reserved) + "," + std::to_string(l.charged) +
               "," + std::to_string(l.refunded) + "\n";
      out += csvSafeCell(id) + "," + month + ",total,," + std::to_string(charged) + "," + std::to_string(refunded) + "\n";
      Response r;
      r.contentType = "text/csv; charset=utf-8";
      r.body = out;
      r.headers["Content-Disposition"] = "attachment; filename=\"usage-" + id + "-" + month + ".csv\"";
      return r;
    }
    Json o = object();
    o->set("shop", id);
    o->set("month", month);
    o->set("charged", charged);
    o->set("refunded", refunded);
    o->set("added", topUps);
    if (balance) o->set("balance_at_month_end", *balance);
    JsonArray jobs = array();
    for (const auto& [job, l] : lines) {
      Json j = object();
      j->set("job", std::stoll(job));
      j->set("reserved", l.reserved);
      j->set("charged", l.charged);
      j->set("refunded", l.refunded);
      jobs->add(j);
    }
    o->set("jobs", jobs);
    return json(o);
  }

  // --- lists and tags -----------------------------------------------------------------------
  static void checkName(const std::string& name, const char* what) {
    if (name.empty() || name.size() > 60 || !isCleanLine(name, 60) || name.find('/') != std::string::npos)
      throw ApiError(422, "invalid", std::string("a ") + what + " name is 1 to 60 characters on one line, without '/'", "name");
  }

  ContactList findList(StoreTx& tx, const std::string& shop, const std::string& name) {
    auto l = tx.shops().findList(shop, name);
    if (!l) throw ApiError(404, "not_found", "no list '" + name + "' in shop " + shop, "list");
    return *l;
  }

  static Json listJson(const ContactList& l) {
    Json o = object();
    o->set("id", l.id);
    o->set("name", l.name);
    o->set("members", l.members);
    o->set("created_by", l.createdBy);
    o->set("created_at", formatUtc(l.createdAt));
    return o;
  }

  Response lists(Request& req) {
    const std::string shop = shopParam(req);
    JsonArray items = array();
    JsonArray tags = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      load(tx, shop);
      for (const ContactList& l : tx.shops().lists(shop)) items->add(listJson(l));
      for (const auto& [tag, n] : tx.shops().tags(shop)) {
        Json t = object();
        t->set("tag", tag);
        t->set("members", n);
        tags->add(t);
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("lists", items);
    o->set("tags", tags);
    return json(o);
  }

  // Every change to lists and tags: in an audited write, refused unless the shop is active.
  template <typename Body>
  void change(Request& req, const std::string& shop, const std::string& action, Body body) {
    auto store = s.stores.acquire();
    check(s.audit().write(*store, req.who().actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(const Shop active, engine::activeShop(tx, shop, "change its lists"));
      (void)active;
      const std::string what = body(tx);
      rec.record(action, "shop:" + shop, what);
      return Status::okStatus();
    }));
  }

  Response createList(Request& req) {
    const std::string shop = shopParam(req);
    const std::string name = requireString(parseBody(req), "name");
    checkName(name, "list");
    change(req, shop, "list.create", [&](StoreTx& tx) {
      if (tx.shops().findList(shop, name)) throw ApiError(409, "already_exists", "shop " + shop + " has a list '" + name + "'", "name");
      ContactList l;
      l.shop = shop;
      l.name = name;
      l.createdBy = req.who().actor();
      l.createdAt = s.clock.now();
      return "list " + std::to_string(tx.shops().createList(l)) + " '" + name + "'";
    });
    return showList(shop, name, 201);
  }

  Response showList(const std::string& shop, const std::string& name, int status = 200) {
    Json body;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      body = listJson(findList(tx, shop, name));
      return Status::okStatus();
    }));
    return json(body, status);
  }

  Response renameList(Request& req) {
    const std::string shop = shopParam(req);
    const std::string name = req.params.at("list");
    const std::string to = requireString(parseBody(req), "name");
    checkName(to, "list");
    change(req, shop, "list.rename", [&](StoreTx& tx) {
      const ContactList l = findList(tx, shop, name);
      if (tx.shops().findList(shop, to)) throw ApiError(409, "already_exists", "shop " + shop + " has a list '" + to + "'", "name");
      tx.shops().renameList(l.id, to);
      return "list " + std::to_string(l.id) + " '" + name + "' renamed '" + to + "'";
    });
    return showList(shop, to);
  }

  Response deleteList(Request& req) {
    const std::string shop = shopParam(req);
    const std::string name = req.params.at("list");
    change(req, shop, "list.delete", [&](StoreTx& tx) {
      const ContactList l = findList(tx, shop, name);
      tx.shops().deleteList(l.id);
      return "list " + std::to_string(l.id) + " '" + name + "' and its " + std::to_string(l.members) + " memberships";
    });
    Response r;
    r.status = 204;
    r.contentType.clear();
    return r;
  }

  // Numbers as E.164, each an existing contact: a list holds people the appliance knows.
  std::vector<ContactId> contactsFor(StoreTx& tx, const std::vector<std::string>& phones) {
    if (phones.empty() || phones.size() > 1000) throw ApiError(422, "invalid", "'phones' lists 1 to 1,000 numbers", "phones");
    std::vector<ContactId> out;
    for (const auto& p : phones) {
      auto number = s.env.phones->normalize(p);
      if (!number.ok()) throw ApiError(422, "invalid", "'" + p + "': " + number.status().message(), "phones");
      auto c = tx.contacts().findByPhone(number->e164);
      if (!c) throw ApiError(404, "not_found", "no contact with the number " + number->e164 + " (import it into the list)", "phones");
      out.push_back(c->id);
    }
    return out;
  }

  Response members(Request& req, bool add) {
    const std::string shop = shopParam(req);
    const std::string name = req.params.at("list");
    const std::vector<std::string> phones = stringList(parseBody(req), "phones");
    int64_t changed = 0;
    change(req, shop, add ? "list.add" : "list.remove", [&](StoreTx& tx) {
      const ContactList l = findList(tx, shop, name);
      for (ContactId c : contactsFor(tx, phones)) changed += (add ? tx.shops().addMember(l.id, c) : tx.shops().removeMember(l.id, c)) ? 1 : 0;
      return std::to_string(changed) + (add ? " added to" : " removed from") + " list " + std::to_string(l.id);
    });
    Response r = showList(shop, name);
    return r;
  }

  Response importList(Request& req) {
    const std::string shop = shopParam(req);
    const std::string name = req.params.at("list");
    std::unique_lock running(importing, std::try_to_lock);
    if (!running.owns_lock()) {
      Response busy = errorResponse(429, "too_many_requests", "another import is running; try again in a moment", "body");
      busy.headers["Retry-After"] = "5";
      return busy;
    }
    int64_t listId = 0;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      TOCSIN_ASSIGN_OR_RETURN(const Shop active, engine::activeShop(tx, shop, "import into its lists"));
      (void)active;
      listId = findList(tx, shop, name).id;
      return Status::okStatus();
    }));
    ContactImporter importer(*s.env.phones, *s.env.book);
    ImportOptions options;
    options.label = "list-" + std::to_string(listId) + ".csv";
    options.source = "shop";
    options.updateExisting = false;
    options.into = "list " + std::to_string(listId) + " of shop " + shop;
    int64_t added = 0;
    options.each = [&](StoreTx& tx, ContactId c) {
      if (tx.shops().addMember(listId, c)) ++added;
    };
    const ImportReport r = value(importer.run(*store, s.audit(), req.who().actor(), req.bodyText(), options));
    Json o = object();
    o->set("list", name);
    o->set("committed", r.committed);
    o->set("rows", static_cast<int64_t>(r.rows));
    o->set("new_contacts", static_cast<int64_t>(r.created));
    o->set("added_to_list", added);
    JsonArray problems = array();
    for (const auto& p : r.problems) {
      Json e = object();
      e->set("line", static_cast<int64_t>(p.line));
      e->set("reason", p.reason);
      problems->add(e);
    }
    o->set("problems", problems);
    o->set("note", "a list member receives the shop's campaigns only once they confirmed consent to its promotions");
    return json(o, r.committed ? 200 : 422);
  }

  Response tag(Request& req) {
    const std::string shop = shopParam(req);
    const std::string tag = req.params.at("tag");
    checkName(tag, "tag");
    const Json o = parseBody(req);
    const std::vector<std::string> phones = stringList(o, "phones");
    const bool remove = optionalBool(o, "remove");
    int64_t changed = 0;
    change(req, shop, remove ? "tag.remove" : "tag.add", [&](StoreTx& tx) {
      for (ContactId c : contactsFor(tx, phones)) changed += (remove ? tx.shops().untag(shop, tag, c) : tx.shops().tag(shop, tag, c)) ? 1 : 0;
      return std::to_string(changed) + " contacts " + (remove ? "untagged " : "tagged ") + tag;
    });
    Json out = object();
    out->set("tag", tag);
    out->set(remove ? "removed" : "added", changed);
    return json(out);
  }

  // --- transactional messages -----------------------------------------------------------------
  Response sendMessage(Request& req) {
    auto idempotency = req.idempotency();
    const Json o = parseBody(req);
    const Principal& who = req.who();
    engine::ShopMessageRequest m;
    m.shop = who.role == Role::kMarketer ? who.shop.value_or("") : requireString(o, "shop");
    if (who.role == Role::kMarketer && o->has("shop") && optionalString(o, "shop") != who.shop)
      throw ApiError(403, "forbidden", "this token sends for " + m.shop + " only", "shop");
    const std::string to = requireString(o, "to");
    auto number = s.env.phones->normalize(to);
    if (!number.ok()) throw ApiError(422, "invalid", "'to': " + number.status().message(), "to");
    check(checkSmsCapable(*number), "to");
    m.to = number->e164;
    m.region = number->region;
    m.fingerprint = s.env.suppressor->fingerprint(m.to);
    m.text = requireString(o, "text");
    m.language = optionalString(o, "language").value_or("fr");
    m.sender = optionalString(o, "sender");
    m.noPromotion = optionalBool(o, "no_promotion");
    m.reference = optionalString(o, "reference").value_or("");
    if (Json fields = optionalObject(o, "fields"))
      for (const auto& name : fields->getNames()) {
        if (!fields->get(name).isString()) throw ApiError(400, "wrong_type", "each field is a string", "fields." + name);
        m.fields[name] = fields->getValue<std::string>(name);
      }
    JobId id = 0;
    {
      auto store = s.stores.acquire();
      id = value(s.jobs.sendShopMessage(*store, m, who.actor(), idempotency ? &*idempotency : nullptr));
    }
    return replayAware(message(req, id, 201), idempotency);
  }

  // A shop's message as its sender sees it: the state of its one SMS.
  Response message(const Request& req, JobId id, int status = 200) {
    const Principal& who = req.who();
    Json o = object();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) -> Status {
      auto job = tx.jobs().find(id);
      const auto shop = job && job->kind == JobKind::kTransactional ? tx.jobs().shopOf(id) : std::nullopt;
      if (!shop || (who.role == Role::kMarketer && shop != who.shop))
        return Status::notFound("no message " + std::to_string(id));
      const auto record = tx.messages().find((id << 32) + 1);
      o->set("id", id);
      o->set("shop", *shop);
      o->set("title", job->title);
      o->set("sender", job->sender.value_or(""));
      if (record) {
        o->set("to", record->destination ? Poco::Dynamic::Var(*record->destination) : Poco::Dynamic::Var());
        o->set("state", messageStateName(record->state));
        o->set("attempts", record->attempts);
        if (record->bearer) o->set("bearer", *record->bearer);
        if (record->lastError) o->set("error", *record->lastError);
        o->set("updated_at", formatUtc(record->updatedAt));
      }
      const auto parts = tx.shops().partsByState(id);
      o->set("parts_charged", engine::chargeableParts(parts));
      o->set("created_at", formatUtc(job->createdAt));
      return Status::okStatus();
    }));
    return json(o, status);
  }

  // --- tracked links --------------------------------------------------------------------------
  Response redirect(Request& req) {
    const std::string code = req.params.at("code");
    std::optional<std::string> url;
    if (code.size() >= 7 && code.size() <= 16 && std::all_of(code.begin(), code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
      auto store = s.stores.acquire();
      check(store->read([&](StoreTx& tx) {
        url = tx.shops().linkTarget(code);
        return Status::okStatus();
      }));
    }
    Response r;
    r.headers["Cache-Control"] = "no-store";
    r.headers["Referrer-Policy"] = "no-referrer";
    if (!url) {
      r.status = 404;
      r.contentType = "text/plain; charset=utf-8";
      r.body = "This link does not exist or has expired.\n";
      return r;
    }
    s.clicks().record(code);
    r.status = 302;
    r.contentType = "text/plain; charset=utf-8";
    r.headers["Location"] = *url;
    r.body = "See " + *url + "\n";
    return r;
  }
};

}  // namespace

void addShopRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<ShopRoutes>(services);
  const std::set<Role> admin = {Role::kAdmin};
  router.add({"POST", "/v1/shops", admin, "register a shop; its owner gets an activation code by SMS", "application/json",
              [r](Request& q) { return r->create(q); }, true});
  router.add({"GET", "/v1/shops", kShopReaders, "list shops (a marketer: its own)", "", [r](Request& q) { return r->list(q); }});
  router.add({"GET", "/v1/shops/{shop}", kShopReaders, "a shop: state, credits, settings", "",
              [r](Request& q) { return r->show(q, r->shopParam(q)); }});
  router.add({"PATCH", "/v1/shops/{shop}", kShopStaff, "change a shop's settings (a marketer: link tracking only)",
              "application/json", [r](Request& q) { return r->change(q); }, true});
  router.add({"POST", "/v1/shops/{shop}/activate", {}, "the owner activates a shop with the code sent by SMS",
              "application/json", [r](Request& q) { return r->activate(q); }, true});
  for (const char* action : {"code", "suspend", "resume", "close", "activate-here"}) {
    const std::string a = action;
    const bool reason = a == "suspend" || a == "close";
    router.add({"POST", "/v1/shops/{shop}/" + a, admin,
                a == "code"            ? "send the owner a new activation code"
                : a == "activate-here" ? "activate a shop without its owner's code (the installer, on site)"
                                       : a + " a shop",
                reason ? "application/json" : "", [r, a](Request& q) { return r->act(q, a); }, true});
  }
  router.add({"POST", "/v1/shops/{shop}/credits", admin, "top up a shop's balance (SMS parts)", "application/json",
              [r](Request& q) { return r->topUp(q); }, true});
  router.add({"GET", "/v1/shops/{shop}/usage", kShopReaders, "a month's credits per job (?month=YYYY-MM, ?format=csv)", "",
              [r](Request& q) { return r->usage(q); }});
  router.add({"GET", "/v1/shops/{shop}/lists", kShopStaff, "a shop's lists and tags", "", [r](Request& q) { return r->lists(q); }});
  router.add({"POST", "/v1/shops/{shop}/lists", kShopStaff, "create a list", "application/json",
              [r](Request& q) { return r->createList(q); }, true});
  router.add({"PATCH", "/v1/shops/{shop}/lists/{list}", kShopStaff, "rename a list", "application/json",
              [r](Request& q) { return r->renameList(q); }, true});
  router.add({"DELETE", "/v1/shops/{shop}/lists/{list}", kShopStaff, "delete a list (its contacts stay)", "",
              [r](Request& q) { return r->deleteList(q); }, true});
  router.add({"POST", "/v1/shops/{shop}/lists/{list}/members", kShopStaff, "add known numbers to a list", "application/json",
              [r](Request& q) { return r->members(q, true); }, true});
  router.add({"POST", "/v1/shops/{shop}/lists/{list}/members/remove", kShopStaff, "remove numbers from a list",
              "application/json", [r](Request& q) { return r->members(q, false); }, true});
  router.add({"POST", "/v1/shops/{shop}/lists/{list}/import", kShopStaff, "import a CSV into a list (all rows or none)",
              "text/csv", [r](Request& q) { return r->importList(q); }, true, BodySize::kUpload});
  router.add({"POST", "/v1/shops/{shop}/tags/{tag}", kShopStaff, "tag numbers (or untag them: \"remove\": true)",
              "application/json", [r](Request& q) { return r->tag(q); }, true});
  router.add({"POST", "/v1/messages", kShopStaff,
              "a shop's transactional message to one number (any hour, never to a suppressed number, no promotion)",
              "application/json", [r](Request& q) { return r->sendMessage(q); }, true});
  router.add({"GET", "/v1/messages/{id}", kShopStaff, "the state of a shop's transactional message", "",
              [r](Request& q) { return r->message(q, q.idParam("id")); }});
  router.add({"GET", "/l/{code}", {}, "follow a tracked short link", "", [r](Request& q) { return r->redirect(q); }});
}

}  // namespace tocsin::api
