// /v1/campaigns: a shop's promotions. A marketer's token names its shop; it sees and steers
// that shop's campaigns only. Consent, sending hours and the STOP footer are the broadcaster's
// business: the preview shows the text as it will leave, footer included.
#include <Poco/JSON/Parser.h>

#include "broadcaster/api/request_bodies.h"
#include "broadcaster/api/services.h"
#include "broadcaster/engine/job_texts.h"
#include "broadcaster/engine/senders.h"
#include "common/base/time.h"
#include "common/csv/csv.h"
#include "policies/promotion.h"

namespace tocsin::api {
namespace {

const std::set<Role> kMarketers = {Role::kMarketer, Role::kAdmin};
const std::set<Role> kCampaignReaders = {Role::kMarketer, Role::kAdmin, Role::kAuditor};

struct CampaignRoutes {
  ApiServices& s;

  // The campaign, if the caller may see it.
  Job load(StoreTx& tx, const Request& req, JobId id) {
    auto j = tx.jobs().find(id);
    if (!j || j->kind != JobKind::kCampaign) throw ApiError(404, "not_found", "no campaign " + std::to_string(id));
    const Principal& who = req.who();
    if (who.role == Role::kMarketer && j->purpose != "promotions:" + who.shop.value_or(""))
      throw ApiError(403, "forbidden", "campaign " + std::to_string(id) + " belongs to another shop");
    return *j;
  }

  // The campaign's texts as they leave for a sample person in the shop's country: the short
  // link's length, the STOP footer of its reply route.
  Texts sentSample(StoreTx& tx, const Job& j) {
    const std::string id = j.purpose ? j.purpose->substr(std::string("promotions:").size()) : "";
    Shop shop;
    if (auto found = tx.shops().findShop(id)) shop = *found;
    else shop.id = shop.name = id;
    const policy::StopRoute route = engine::stopRouteFor(shop, j.sender, s.env.bearers, j.bearers, shop.country);
    const bool tracked = shop.tracking && !s.env.shops.publicUrl.empty();
    const std::string link = s.env.shops.publicUrl + "/l/" + std::string(static_cast<size_t>(s.env.shops.linkCodeLength), 'x');
    Texts out;
    for (const auto& [language, text] : j.texts)
      out.emplace_back(language, engine::campaignMessage(text, std::string("Camille"), policy::stopFooterFor(s.policies(), language, route),
                                                         tracked ? std::function<std::string(const std::string&)>(
                                                                       [&](const std::string&) { return link; })
                                                                 : nullptr));
    return out;
  }

  // What a list of campaigns shows of each; the view starts with it.
  static Json summary(const Job& j) {
    Json o = object();
    o->set("id", j.id);
    o->set("shop", j.purpose ? j.purpose->substr(std::string("promotions:").size()) : "");
    o->set("title", j.title);
    o->set("state", jobStateName(j.state));
    o->set("created_by", j.createdBy);
    return o;
  }

  Json view(StoreTx& tx, const Job& j) {
    Json o = summary(j);
    o->set("not_before", j.notBefore ? Poco::Dynamic::Var(formatUtc(*j.notBefore)) : Poco::Dynamic::Var());
    o->set("deadline", j.expiresAt ? Poco::Dynamic::Var(formatUtc(*j.expiresAt)) : Poco::Dynamic::Var());
    if (!j.texts.empty()) o->set("preview", textsPreviewJson(sentSample(tx, j), s.policies(), s.policies().maxPromotionalParts, false));
    Json area = targetJson(j.target);
    if (!j.target.lists.empty()) {
      // The lists' names as they are now (a list deleted since sends to nobody more).
      JsonArray names = array();
      const std::string shop = j.purpose->substr(std::string("promotions:").size());
      for (const ContactList& l : tx.shops().lists(shop))
        if (std::find(j.target.lists.begin(), j.target.lists.end(), l.id) != j.target.lists.end()) names->add(l.name);
      area->set("lists", names);
    }
    o->set("area", area);
    if (j.state == JobState::kDraft) o->set("waiting_for", "an admin's approval (the shop is moderated)");
    o->set("progress", progressJson(tx, j, s.tallies));
    if (auto credit = tx.shops().findJobCredit(j.id)) {
      Json c = object();
      c->set("reserved", credit->reserved + credit->charged);
      c->set("used_so_far", engine::chargeableParts(tx.shops().partsByState(j.id)));
      c->set("refunded", credit->refunded);
      c->set("settled", credit->final);
      o->set("credits", c);
    }
    const ClickCounts clicks = tx.shops().clicks(j.id);
    Json k = object();
    k->set("links", clicks.links);
    k->set("clicks", clicks.clicks);
    k->set("recipients_who_clicked", clicks.clicked);
    o->set("clicks", k);
    return o;
  }

  Response respond(const Request& req, JobId id, int status) {
    auto store = s.stores.acquire();
    Json body;
    check(store->read([&](StoreTx& tx) {
      body = view(tx, load(tx, req, id));
      return Status::okStatus();
    }));
    return json(body, status);
  }

  engine::CampaignRequest requestFrom(const Request& req, const Json& o) {
    const Principal& who = req.who();
    return campaignRequestFrom(o, who.role == Role::kMarketer ? who.shop : std::nullopt);
  }

  // What a campaign would send and to how many, before it exists: nothing is stored.
  // The newest campaigns (a marketer's: their shop's only), 100 at a time.
  Response list(Request& req) {
    const Principal& who = req.who();
    JsonArray items = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      for (const Job& j : tx.jobs().recent(JobKind::kCampaign, 0, 500)) {
        if (who.role == Role::kMarketer && j.purpose != "promotions:" + who.shop.value_or("")) continue;
        items->add(summary(j));
        if (items->size() >= 100) break;
      }
      return Status::okStatus();
    }));
    Json o = object();
    o->set("campaigns", items);
    return json(o);
  }

  // What a campaign would send and cost, before it exists: the texts for a sample person as they
  // leave (short links, the STOP footer of the shop's reply route), recipients and parts.
  Response preview(Request& req) {
    const Json o = parseBody(req);
    const engine::CampaignRequest r = requestFrom(req, o);
    if (r.texts.empty()) throw ApiError(422, "invalid", "'texts' is required", "texts");
    Json out = object();
    out->set("shop", r.shop);
    engine::JobService::CampaignCost cost;
    Shop shop;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(shop, engine::activeShop(tx, r.shop, "send a campaign"));
      engine::CampaignRequest counted = r;
      TOCSIN_ASSIGN_OR_RETURN(counted.target.lists, engine::listIds(tx, r.shop, r.lists));
      TOCSIN_ASSIGN_OR_RETURN(const std::string sender,
                              engine::campaignSender(tx, engine::reservedSenders(s.env.bearers, s.policies()), r.shop, r.sender));
      TOCSIN_ASSIGN_OR_RETURN(cost, s.jobs.campaignCost(tx, shop, counted, sender));
      out->set("sender", sender);
      return Status::okStatus();
    }));
    out->set("preview", textsPreviewJson(cost.sample, s.policies(), s.policies().maxPromotionalParts, false));
    out->set("recipients_with_confirmed_consent", cost.recipients);
    out->set("awaiting_confirmation", cost.pending);
    out->set("parts_per_message", cost.parts);
    Json credits = object();
    credits->set("cost", cost.total);
    credits->set("mode", creditModeName(shop.creditMode));
    if (shop.creditMode != CreditMode::kUnmetered) {
      credits->set("balance", shop.balance);
      credits->set("shortfall", std::max<int64_t>(0, cost.total - shop.balance));
    }
    out->set("credits", credits);
    out->set("moderated", shop.moderation);
    out->set("note", "sending hours, the frequency cap and suppression still apply per person when it is sent");
    return json(out);
  }

  Response approve(Request& req) {
    const JobId id = req.idParam("id");
    {
      auto store = s.stores.acquire();
      check(s.jobs.approveCampaign(*store, id, req.who().actor()));
    }
    return respond(req, id, 200);
  }

  // Click counts per link target: JSON, or CSV (?format=csv). No person is named.
  Response clicks(Request& req) {
    const JobId id = req.idParam("id");
    std::vector<UrlClicks> rows;
    ClickCounts total;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      load(tx, req, id);
      rows = tx.shops().clicksByUrl(id);
      total = tx.shops().clicks(id);
      return Status::okStatus();
    }));
    const auto format = req.query.find("format");
    if (format != req.query.end() && format->second == "csv") {
      std::string out = "campaign,url,links,clicks,recipients_who_clicked\n";
      for (const auto& r : rows)
        out += std::to_string(id) + "," + csvSafeCell(r.url) + "," + std::to_string(r.counts.links) + "," +
               std::to_string(r.counts.clicks) + "," + std::to_string(r.counts.clicked) + "\n";
      out += std::to_string(id) + ",total," + std::to_string(total.links) + "," + std::to_string(total.clicks) + "," +
             std::to_string(total.clicked) + "\n";
      Response r;
      r.contentType = "text/csv; charset=utf-8";
      r.body = out;
      r.headers["Content-Disposition"] = "attachment; filename=\"clicks-" + std::to_string(id) + ".csv\"";
      return r;
    }
    Json o = object();
    o->set("campaign", id);
    o->set("links", total.links);
    o->set("clicks", total.clicks);
    o->set("recipients_who_clicked", total.clicked);
    JsonArray urls = array();
    for (const auto& r : rows) {
      Json u = object();
      u->set("url", r.url);
      u->set("links", r.counts.links);
      u->set("clicks", r.counts.clicks);
      u->set("recipients_who_clicked", r.counts.clicked);
      urls->add(u);
    }
    o->set("urls", urls);
    o->set("note", "per-link records are kept for the links retention period; these counts stay");
    return json(o);
  }

  Response create(Request& req) {
    auto idempotency = req.idempotency();
    const Json o = parseBody(req);
    const engine::CampaignRequest r = requestFrom(req, o);
    const Principal& who = req.who();
    JobId id = 0;
    {
      auto store = s.stores.acquire();
      id = value(s.jobs.createCampaign(*store, r, who.actor(), idempotency ? &*idempotency : nullptr));
    }
    return replayAware(respond(req, id, 201), idempotency);
  }

  Response act(Request& req, const std::string& action) {
    const JobId id = req.idParam("id");
    std::string reason;
    if (action == "cancel") reason = requireString(parseBody(req), "reason");
    {
      auto store = s.stores.acquire();
      check(store->read([&](StoreTx& tx) {
        load(tx, req, id);
        return Status::okStatus();
      }));
      const std::string who = req.who().actor();
      check(action == "pause"    ? s.jobs.pause(*store, id, who)
            : action == "resume" ? s.jobs.resume(*store, id, who)
                                 : s.jobs.cancel(*store, id, who, reason, JobKind::kCampaign));
    }
    return respond(req, id, 200);
  }

  // A shop's sender IDs: approved by an admin, read by the shop too.
  Response senders(Request& req) {
    const std::string shop = req.params.at("shop");
    const Principal& who = req.who();
    if (who.role == Role::kMarketer && shop != *who.shop) throw ApiError(403, "forbidden", "another shop's sender IDs", "shop");
    std::vector<std::string> approved;
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      approved = tx.senders().approved(shop);
      return Status::okStatus();
    }));
    Json out = object();
    out->set("shop", shop);
    JsonArray list = array();
    for (const auto& a : approved) list->add(a);
    out->set("senders", list);
    return json(out);
  }

  Response approveSender(Request& req) {
    const std::string shop = req.params.at("shop");
    const std::string sender = requireString(parseBody(req), "sender");
    auto store = s.stores.acquire();
    check(engine::approveSender(*store, s.audit(), req.who().actor(), engine::reservedSenders(s.env.bearers, s.policies()), shop,
                                sender),
          "sender");
    Response r = senders(req);
    if (const std::string warning = policy::senderWarning(sender); !warning.empty()) {
      Json o = Poco::JSON::Parser().parse(r.body).extract<Json>();
      o->set("warning", warning);
      r = json(o);
    }
    return r;
  }

  Response revokeSender(Request& req) {
    auto store = s.stores.acquire();
    check(engine::revokeSender(*store, s.audit(), req.who().actor(), req.params.at("shop"), req.params.at("sender")), "sender");
    return senders(req);
  }
};

}  // namespace

void addCampaignRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<CampaignRoutes>(CampaignRoutes{services});
  router.add({"POST", "/v1/campaigns", kMarketers, "start a shop's campaign", "application/json",
              [r](Request& q) { return r->create(q); }, true});
  router.add({"POST", "/v1/campaigns/preview", kMarketers, "preview a campaign: texts as sent and who would get it",
              "application/json", [r](Request& q) { return r->preview(q); }});
  router.add({"GET", "/v1/campaigns", kCampaignReaders, "list recent campaigns (a shop's own for its marketers)", "",
              [r](Request& q) { return r->list(q); }});
  router.add({"GET", "/v1/campaigns/{id}", kCampaignReaders, "see a campaign: preview and progress", "",
              [r](Request& q) { return r->respond(q, q.idParam("id"), 200); }});
  router.add({"GET", "/v1/shops/{shop}/senders", kMarketers, "the sender IDs a shop may send under", "",
              [r](Request& q) { return r->senders(q); }});
  router.add({"POST", "/v1/shops/{shop}/senders", {Role::kAdmin}, "approve a sender ID for a shop (never the town's)",
              "application/json", [r](Request& q) { return r->approveSender(q); }, true});
  router.add({"DELETE", "/v1/shops/{shop}/senders/{sender}", {Role::kAdmin}, "withdraw a shop's sender ID", "",
              [r](Request& q) { return r->revokeSender(q); }, true});
  router.add({"POST", "/v1/campaigns/{id}/approve", {Role::kAdmin}, "release a moderated shop's campaign", "",
              [r](Request& q) { return r->approve(q); }, true});
  router.add({"GET", "/v1/campaigns/{id}/clicks", kCampaignReaders, "a campaign's clicks per link target (?format=csv)", "",
              [r](Request& q) { return r->clicks(q); }});
  for (const char* action : {"pause", "resume", "cancel"}) {
    const std::string a = action;
    router.add({"POST", "/v1/campaigns/{id}/" + a, kMarketers, a + " a campaign",
                a == "cancel" ? "application/json" : "", [r, a](Request& q) { return r->act(q, a); }, true});
  }
}

}  // namespace tocsin::api
