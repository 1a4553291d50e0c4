// Sign-ups for kiosks and shops' own pages: the only way their tokens reach people. A sign-up
// sends a code to the number and writes nothing about the person until the code comes back;
// the answers are the same whether the number was known, new or erased.
//
//   POST /v1/signups               {"phone", "region"?, "name"?, "language",
//                                   "purposes": [{"purpose", "text_id", "text_version"}], "evidence"?}
//   POST /v1/signups/{id}/confirm  {"code"}
//   POST /v1/signups/withdraw      {"phone", "region"?, "language"?}: the shop's offers only
#include "broadcaster/api/request_bodies.h"
#include "broadcaster/api/services.h"
#include "common/consent/signups.h"
#include "common/jobs/transactional.h"

namespace tocsin::api {
namespace {

// The consent channel a token records: "kiosk:<token>" for a kiosk, "api:<token>" for a shop's page.
std::string channelOf(const Principal& who) { return (who.role == Role::kKiosk ? "kiosk:" : "api:") + who.name; }

struct SignupRoutes {
  ApiServices& s;
  SignupService signups{*s.env.book};

  PhoneNumber number(const Json& o) {
    const std::string typed = requireString(o, "phone");
    if (auto region = optionalString(o, "region")) {
      if (region->size() != 2 || !std::isupper(static_cast<unsigned char>((*region)[0])) ||
          !std::isupper(static_cast<unsigned char>((*region)[1])))
        throw ApiError(422, "invalid", "'region' is a two-letter country code such as FR", "region");
      return value(PhoneNormalizer(*region).normalize(typed), "phone");
    }
    return value(s.env.phones->normalize(typed), "phone");
  }

  // The purposes a token may sign people up for: the town's alerts, and its own shop's offers.
  static void checkPurpose(const Principal& who, const std::string& purpose) {
    if (purpose == kAlertsPurpose || purpose == "promotions:" + *who.shop) return;
    throw ApiError(403, "forbidden", "this token signs people up for alerts and promotions:" + *who.shop + " only", "purposes");
  }

  Response start(Request& req) {
    const Json o = parseBody(req);
    const Principal& who = req.who();
    NewSignup r;
    r.number = number(o);
    r.name = optionalString(o, "name");
    r.language = requireString(o, "language");
    r.evidence = optionalString(o, "evidence");
    r.texts = signupTextsFrom(o);
    for (const auto& t : r.texts) checkPurpose(who, t.purpose);
    r.channel = channelOf(who);
    r.source = who.role == Role::kKiosk ? "kiosk" : "shop:" + *who.shop;
    r.codeSms = s.policies().repliesFor(r.language).code;
    StartedSignup started;
    auto store = s.stores.acquire();
    check(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(started, signups.start(tx, rec, r));
      return Status::okStatus();
    }));
    Json out = object();
    out->set("signup", started.id);
    out->set("expires_at", formatUtc(started.expiresAt));
    out->set("note", "a code was sent by SMS; nothing is recorded until it is typed here or replied");
    return json(out, 202);
  }

  Response confirm(Request& req) {
    const int64_t id = req.idParam("id");
    const Json o = parseBody(req);
    const std::string code = requireString(o, "code");
    const Principal& who = req.who();
    CodeCheck result;
    auto store = s.stores.acquire();
    check(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(result, signups.confirmTyped(tx, rec, id, channelOf(who), code));
      return Status::okStatus();
    }));
    switch (result.verdict) {
      case CodeCheck::Verdict::kConfirmed: {
        Json out = object();
        out->set("state", "confirmed");
        JsonArray confirmed = array();
        for (const auto& p : result.confirmed) confirmed->add(p);
        out->set("purposes", confirmed);
        return json(out);
      }
      case CodeCheck::Verdict::kWrong: {
        Json root = object(), e = object();
        e->set("code", "wrong_code");
        e->set("message", "the code is not right; " + std::to_string(result.triesLeft) + " tries left");
        e->set("field", "code");
        e->set("tries_left", result.triesLeft);
        root->set("error", e);
        return json(root, 422);
      }
      case CodeCheck::Verdict::kBlocked: break;
    }
    throw ApiError(409, "signup_closed", "this sign-up cannot be confirmed any more (used, expired, or too many wrong codes): sign up again", "");
  }

  Response withdraw(Request& req) {
    const Json o = parseBody(req);
    const Principal& who = req.who();
    const PhoneNumber n = number(o);
    const std::string language = optionalString(o, "language").value_or("en");
    const std::string purpose = "promotions:" + *who.shop;
    auto store = s.stores.acquire();
    check(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(const auto withdrawn,
                              withdrawNumber(tx, rec, n.e164, {purpose}, {"", language, channelOf(who), "kiosk-button", std::nullopt}));
      if (withdrawn.empty()) return Status::okStatus();
      std::string sms = s.policies().repliesFor(language).withdrawn;
      if (const auto at = sms.find("{shop}"); at != std::string::npos) sms.replace(at, 6, *who.shop);
      return queueTransactional(tx, rec, {"offers stopped", n.e164, std::nullopt, sms, language, std::nullopt}).status();
    }));
    // The same answer whether the number was known or not.
    Json out = object();
    out->set("state", "done");
    out->set("note", "if this number was signed up for " + purpose + ", it is not any more");
    return json(out, 202);
  }
};

}  // namespace

void addSignupRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<SignupRoutes>(SignupRoutes{services});
  const std::set<Role> signers = {Role::kKiosk, Role::kMarketer};
  router.add({"POST", "/v1/signups", signers, "start a sign-up: a code goes to the number by SMS", "application/json",
              [r](Request& q) { return r->start(q); }, true});
  router.add({"POST", "/v1/signups/{id}/confirm", signers, "confirm a sign-up with the code typed where it was taken",
              "application/json", [r](Request& q) { return r->confirm(q); }, true});
  router.add({"POST", "/v1/signups/withdraw", signers, "stop this shop's offers to a number", "application/json",
              [r](Request& q) { return r->withdraw(q); }, true});
}

}  // namespace tocsin::api
