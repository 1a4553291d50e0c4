// Sign-ups for kiosks and shops' own pages: the only way their tokens reach people. A sign-up
// sends a code to the number and writes nothing about the person until the code comes back;
// the answers are the same whether the number was known, new or erased.
//
//   GET  /v1/consent/texts         the current consent texts this token may ask consent with
//   POST /v1/signups               {"phone", "region"?, "name"?, "language", "age_confirmed"?,
//                                   "purposes": [{"purpose", "text_id", "text_version", "text_sha256"?}]}
//   POST /v1/signups/withdraw      {"phone", "region"?, "language"?, "purposes"?}: a withdrawal, also
//                                   checked by a code (the shop's offers unless purposes say otherwise)
//   POST /v1/signups/{id}/confirm  {"code"}: either
//
// Each token (a kiosk) may have 10 codes sent a minute; each number 3 an hour.
#include "broadcaster/api/rate_limiter.h"
#include "broadcaster/api/request_bodies.h"
#include "broadcaster/api/services.h"
#include "common/crypto/hash.h"
#include "common/consent/signups.h"
#include "common/jobs/transactional.h"

namespace tocsin::api {
namespace {

// The consent channel a token records: "kiosk:<token>" for a kiosk, "api:<token>" for a shop's page.
std::string channelOf(const Principal& who) { return (who.role == Role::kKiosk ? "kiosk:" : "api:") + who.name; }

struct SignupRoutes {
  explicit SignupRoutes(ApiServices& services) : s(services) {}
  ApiServices& s;
  SignupService signups{*s.env.book};
  RateLimiter codesPerToken{RateLimit{10.0 / 60.0, 10}};

  // A sign-up sent again with the same Idempotency-Key (a kiosk's outbox retrying after a
  // dropped connection) finds the one it started; the key is the caller's, kept a day.
  std::optional<int64_t> replayed(StoreTx& tx, const Principal& who, engine::IdempotencyKey* idem) {
    if (!idem) return std::nullopt;
    const auto known = tx.jobs().findRequestKey("signup:" + who.name, toHex(sha256(idem->key)));
    if (!known) return std::nullopt;
    if (known->requestHash != idem->requestHash)
      throw ApiError(422, "invalid", "this Idempotency-Key was already used for a different sign-up", "Idempotency-Key");
    idem->replayed = true;
    return known->job;
  }
  static void remember(StoreTx& tx, const Principal& who, const engine::IdempotencyKey* idem, int64_t id, Timestamp now) {
    if (!idem) return;
    tx.jobs().rememberRequestKey("signup:" + who.name, toHex(sha256(idem->key)), {idem->requestHash, id}, now,
                                 now - std::chrono::hours(24));
  }

  // A kiosk cannot be made to bomb phones: its codes are rationed.
  void chargeCode(const Principal& who) {
    if (auto wait = codesPerToken.take(who.name, s.clock.monotonic())) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*wait).count() + 1;
      throw ApiError(429, "too_many_requests",
                     "this token had its 10 codes of the minute sent; try again in " + std::to_string(seconds) + " s")
          .retryAfter(seconds);
    }
  }

  // A number that had its codes for the window is told to come back once the window has passed.
  void checkStarted(const Status& status) const {
    if (status.code() == StatusCode::kTooMany) {
      const auto window = std::chrono::duration_cast<std::chrono::seconds>(signups.limits().codeWindow).count();
      throw ApiError(429, "too_many_requests", status.message()).retryAfter(window);
    }
    check(status);
  }

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

  // What every sign-up or withdrawal through this token shares: the number, the channel and
  // source it records, and the code SMS in the person's language.
  // A withdrawal may leave out the language (English then).
  NewSignup request(const Principal& who, const Json& o, bool languageRequired) {
    NewSignup r;
    r.number = number(o);
    r.language = languageRequired ? requireString(o, "language") : optionalString(o, "language").value_or("en");
    r.channel = channelOf(who);
    r.source = who.role == Role::kKiosk ? "kiosk" : "shop:" + *who.shop;
    r.codeSms = s.policies().repliesFor(r.language).code;
    return r;
  }

  // The purposes a token may sign people up for: the town's alerts, and its own shop's offers.
  static void checkPurpose(const Principal& who, const std::string& purpose) {
    if (purpose == kAlertsPurpose || purpose == "promotions:" + *who.shop) return;
    throw ApiError(403, "forbidden", "this token signs people up for alerts and promotions:" + *who.shop + " only", "purposes");
  }

  Response start(Request& req) {
    const Json o = parseBody(req);
    const Principal& who = req.who();
    noteKioskContact(s, req);
    NewSignup r = request(who, o, /*languageRequired=*/true);
    r.name = optionalString(o, "name");
    r.evidence = optionalString(o, "evidence");
    if (auto age = optionalInt(o, "age_confirmed")) {
      if (*age < 0 || *age > 120) throw ApiError(422, "invalid", "'age_confirmed' is the age the person said they have reached", "age_confirmed");
      r.evidence = "age confirmed at least " + std::to_string(*age) + (r.evidence ? "; " + *r.evidence : "");
    }
    r.texts = signupTextsFrom(o);
    for (const auto& t : r.texts) checkPurpose(who, t.purpose);
    const auto shown = signupTextHashes(o);
    StartedSignup started;
    auto idempotency = req.idempotency();
    auto store = s.stores.acquire();
    std::optional<int64_t> again;
    check(store->read([&](StoreTx& tx) {
      again = replayed(tx, who, idempotency ? &*idempotency : nullptr);
      return Status::okStatus();
    }));
    if (again) return replayAware(startedResponse(*again, std::nullopt), idempotency);
    chargeCode(who);
    checkStarted(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      // The hash recorded must be the hash shown: a kiosk with an old copy of a text is told.
      for (const auto& t : r.texts) {
        auto it = shown.find(t.purpose);
        if (it == shown.end()) continue;
        const auto text = tx.consent().findText(t.textId, r.language, t.textVersion);
        if (text && text->sha256 != it->second)
          return Status::failedPrecondition("the text shown for " + t.purpose + " is not " + t.textId + " version " +
                                            std::to_string(t.textVersion) + " as registered: fetch the texts again");
      }
      TOCSIN_ASSIGN_OR_RETURN(started, signups.start(tx, rec, r));
      remember(tx, who, idempotency ? &*idempotency : nullptr, started.id, rec.now());
      return Status::okStatus();
    }));
    return startedResponse(started.id, started.expiresAt);
  }

  static Response startedResponse(int64_t id, std::optional<Timestamp> expiresAt) {
    Json out = object();
    out->set("signup", id);
    if (expiresAt) out->set("expires_at", formatUtc(*expiresAt));
    out->set("note", "a code was sent by SMS; nothing is recorded until it is typed here or replied");
    return json(out, 202);
  }

  Response confirm(Request& req) {
    noteKioskContact(s, req);
    const int64_t id = req.idParam("id");
    const Json o = parseBody(req);
    const std::string code = requireString(o, "code");
    const Principal& who = req.who();
    CodeCheck result;
    auto store = s.stores.acquire();
    check(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(result, signups.confirmTyped(tx, rec, id, channelOf(who), code));
      // A withdrawal made is confirmed to the number, as a STOP is: the record of it says so.
      if (result.verdict == CodeCheck::Verdict::kConfirmed && result.withdrawal && !result.confirmed.empty()) {
        const auto contact = tx.contacts().findByPhone(result.phone);
        TOCSIN_RETURN_IF_ERROR(queueTransactional(tx, rec, {"withdrawal confirmed", result.phone,
                                                            contact ? std::optional<ContactId>(contact->id) : std::nullopt,
                                                            s.policies().repliesFor(result.language).stop,
                                                            result.language, std::nullopt, std::nullopt, std::nullopt})
                                   .status());
      }
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
    noteKioskContact(s, req);
    NewSignup r = request(who, o, /*languageRequired=*/false);
    r.withdrawal = true;
    std::vector<std::string> purposes = stringList(o, "purposes");
    if (purposes.empty()) purposes.push_back("promotions:" + *who.shop);
    for (const auto& p : purposes) {
      checkPurpose(who, p);
      r.texts.push_back({p, "", 0});
    }
    StartedSignup started;
    auto store = s.stores.acquire();
    chargeCode(who);
    checkStarted(s.audit().write(*store, who.actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(started, signups.start(tx, rec, r));
      return Status::okStatus();
    }));
    // The same answer whether the number was known or not.
    Json out = object();
    out->set("signup", started.id);
    out->set("expires_at", formatUtc(started.expiresAt));
    out->set("note", "a code was sent by SMS; the withdrawal is made when it is typed here or replied");
    return json(out, 202);
  }

  // The texts a person may be asked to agree to through this token, newest version per language.
  Response texts(Request& req) {
    const Principal& who = req.who();
    noteKioskContact(s, req);
    std::vector<std::string> purposes = {kAlertsPurpose};
    if (who.shop) purposes.push_back("promotions:" + *who.shop);
    JsonArray list = array();
    auto store = s.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      for (const auto& purpose : purposes)
        for (const ConsentText& t : tx.consent().currentTexts(purpose)) {
          Json e = object();
          e->set("purpose", purpose);
          e->set("text_id", t.textId);
          e->set("language", t.language);
          e->set("version", t.version);
          e->set("sha256", t.sha256);
          e->set("body", t.body);
          list->add(e);
        }
      return Status::okStatus();
    }));
    Json out = object();
    out->set("texts", list);
    return json(out);
  }
};

}  // namespace

void addSignupRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<SignupRoutes>(services);
  const std::set<Role> signers = {Role::kKiosk, Role::kMarketer};
  router.add({"POST", "/v1/signups", signers, "start a sign-up: a code goes to the number by SMS", "application/json",
              [r](Request& q) { return r->start(q); }, true});
  router.add({"POST", "/v1/signups/{id}/confirm", signers, "confirm a sign-up with the code typed where it was taken",
              "application/json", [r](Request& q) { return r->confirm(q); }, true});
  router.add({"POST", "/v1/signups/withdraw", signers,
              "withdraw a number's consent (this shop's offers unless purposes say), once the code sent to it comes back",
              "application/json", [r](Request& q) { return r->withdraw(q); }, true});
  router.add({"GET", "/v1/consent/texts", {Role::kKiosk, Role::kMarketer, Role::kAuditor, Role::kAdmin},
              "the consent texts in force for the town's alerts and this token's shop", "",
              [r](Request& q) { return r->texts(q); }});
}

}  // namespace tocsin::api
