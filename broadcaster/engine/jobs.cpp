#include "broadcaster/engine/jobs.h"

#include <cstdio>

#include "broadcaster/engine/credentials.h"
#include "broadcaster/engine/job_texts.h"
#include "broadcaster/engine/senders.h"
#include "common/base/text.h"
#include "common/consent/consent.h"
#include "common/crypto/hash.h"
#include "common/jobs/transactional.h"
#include "common/text/sms_text.h"
#include "policies/promotion.h"
#include "policies/replies.h"
#include "policies/targeting.h"

namespace tocsin::engine {
namespace {

Status checkText(const std::string& language, const std::string& text) {
  if (language.empty() || language.size() > 8) return Status::invalid("a text's language must be a code such as 'fr' or 'en'");
  if (text.empty()) return Status::invalid("the " + language + " text is empty");
  if (!isValidUtf8(text)) return Status::invalid("the " + language + " text is not valid UTF-8");
  if (hasControlCharacters(text, /*allowNewlines=*/true)) return Status::invalid("the " + language + " text holds control characters");
  return Status::okStatus();
}

constexpr auto kIdempotencyKeyLifetime = std::chrono::hours(24);

// The job an earlier request with this key made, if any; refuses the key if that request was
// a different one.
Result<std::optional<JobId>> replayOf(StoreTx& tx, const std::string& actor, IdempotencyKey* idem) {
  if (!idem) return std::optional<JobId>();
  const auto known = tx.jobs().findRequestKey(actor, toHex(sha256(idem->key)));
  if (!known) return std::optional<JobId>();
  if (known->requestHash != idem->requestHash)
    return Status::invalid("this Idempotency-Key was already used for a different request; use a new key for a new request");
  idem->replayed = true;
  return std::optional<JobId>(known->job);
}

void rememberKey(StoreTx& tx, const std::string& actor, const IdempotencyKey* idem, JobId id, Timestamp now) {
  if (!idem) return;
  tx.jobs().rememberRequestKey(actor, toHex(sha256(idem->key)), {idem->requestHash, id}, now, now - kIdempotencyKeyLifetime);
}

// The two-person rule of a live alert: a named person drafted it and another named person
// approves it, whichever channels (tokens, OS accounts) each came in by. A machine credential
// (a token or OS account of no person) can do neither, since it may stand for anyone.
Status checkSecondPerson(const Job& job, const std::string& approver) {
  const std::string drafter = personOf(job.createdBy), by = personOf(approver);
  const auto isPerson = [](const std::string& who) { return who.rfind("person:", 0) == 0; };
  if (!isPerson(by))
    return Status::permissionDenied("a live alert is approved by a named person, and " + approver +
                                    " is not one (tocsinctl person add, then a token --person or --os-user)");
  if (!isPerson(drafter))
    return Status::permissionDenied("alert " + std::to_string(job.id) + " was drafted by " + job.createdBy +
                                    ", not a named person; a live alert needs two people, so a person must draft it");
  if (drafter == by)
    return Status::permissionDenied("a live alert needs a second person: " + drafter + " drafted alert " + std::to_string(job.id) +
                                    " and cannot approve it");
  return Status::okStatus();
}

}  // namespace

Result<std::vector<TextPreview>> JobService::previewTexts(const Texts& texts, int maxParts, bool footer) const {
  std::vector<TextPreview> out;
  for (const auto& [language, text] : texts) {
    const std::string sent = footer ? policy::withStopFooter(text, policies_.stopFooter(language)) : text;
    auto plan = text::planSms(sent);
    if (!plan.ok()) return plan.status().withContext("the " + language + " text");
    const auto limit = policy::partsLimit(*plan, maxParts);
    if (limit.refused()) return Status::invalid("the " + language + " text: " + limit.reason);
    out.push_back({language, sent, plan->encoding == text::SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2", plan->parts.size()});
  }
  return out;
}

Status JobService::checkTexts(const Texts& texts, int maxParts, bool templates, bool footer) const {
  if (texts.empty()) return Status::invalid("give at least one text");
  for (size_t i = 0; i < texts.size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(checkText(texts[i].first, texts[i].second));
    for (size_t k = 0; k < i; ++k)
      if (texts[k].first == texts[i].first) return Status::invalid("two texts in " + texts[i].first);
    for (const auto& field : templateFields(texts[i].second))
      if (!templates || field != "name")
        return Status::invalid("the " + texts[i].first + " text uses {" + field + "}; " +
                               (templates ? "only {name} is known" : "alert texts are sent as written, without fields"));
  }
  // The longest personalisation still has to fit: check with a long name in place.
  Texts worst;
  for (const auto& [language, text] : texts) worst.emplace_back(language, personalise(text, std::string(20, 'W')));
  return previewTexts(worst, maxParts, footer).status();
}

std::string alertDigest(const Job& j) {
  // Length-prefixed fields, so that no two different drafts serialise alike.
  std::string canonical;
  auto add = [&](const std::string& v) { canonical += std::to_string(v.size()) + ":" + v + ";"; };
  auto number = [&](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    add(buf);
  };
  add(className(j.messageClass));
  add(modeName(j.mode));
  add(j.title);
  add(std::to_string(j.texts.size()));
  for (const auto& [language, text] : j.texts) {
    add(language);
    add(text);
  }
  add(j.sender.value_or(""));
  add(j.target.all ? "all" : "");
  add(std::to_string(j.target.zones.size()));
  for (const auto& z : j.target.zones) add(z);
  add(std::to_string(j.target.circles.size()));
  for (const auto& c : j.target.circles) {
    number(c.latitude);
    number(c.longitude);
    number(c.radiusKm);
  }
  add(std::to_string(j.target.polygons.size()));
  for (const auto& p : j.target.polygons) {
    add(std::to_string(p.points.size()));
    for (const auto& [lat, lon] : p.points) {
      number(lat);
      number(lon);
    }
  }
  add(std::to_string(j.bearers.size()));
  for (const auto& b : j.bearers) add(b);
  add(j.expiresAt ? std::to_string(toMicros(*j.expiresAt)) : "");
  add(j.reference ? std::to_string(*j.reference) : "");
  return toHex(sha256(canonical));
}

std::string falseAlarmText(const std::string& language, const std::string& title) {
  // Prepared and reviewed in advance, never translated at run time.
  if (language == "fr") return "FAUSSE ALERTE : le message \"" + title + "\" a été envoyé par erreur. Il n'y a pas de danger. Ne tenez pas compte de ce message.";
  if (language == "it") return "FALSO ALLARME: il messaggio \"" + title + "\" è stato inviato per errore. Non c'è alcun pericolo. Ignorate quel messaggio.";
  if (language == "pl") return "FAŁSZYWY ALARM: komunikat \"" + title + "\" wysłano przez pomyłkę. Nie ma zagrożenia. Prosimy go zignorować.";
  if (language == "de") return "FEHLALARM: Die Meldung \"" + title + "\" wurde irrtümlich gesendet. Es besteht keine Gefahr. Bitte ignorieren Sie sie.";
  if (language == "es") return "FALSA ALARMA: el mensaje \"" + title + "\" se envió por error. No hay peligro. Ignore ese mensaje.";
  return "FALSE ALARM: the message \"" + title + "\" was sent in error. There is no danger. Please disregard it.";
}

Result<Job> JobService::alertJob(const AlertRequest& r) const {
  if (!isAlert(r.messageClass))
    return Status::invalid(std::string("class '") + className(r.messageClass) + "' is not an alert class");
  if (r.mode != AlertMode::kLive && r.messageClass != MessageClass::kTest)
    return Status::invalid("a test or exercise alert must have the test class, so that no phone shows it as a real alert");
  if (r.mode == AlertMode::kLive && r.messageClass == MessageClass::kTest)
    return Status::invalid("the test class is for test and exercise alerts; choose the real alert's class");
  if (r.target.empty()) return Status::invalid("an alert needs a target area");
  if (r.title.empty() || !isCleanLine(r.title, 200))
    return Status::invalid("an alert needs a title of at most 200 characters, on one line, without control characters");
  // A CAP update whose original never went through Tocsin stands alone.
  if ((r.type == AlertType::kUpdate || r.type == AlertType::kAllClear) && !r.reference && !r.cap)
    return Status::invalid(std::string("an ") + alertTypeName(r.type) + " names the alert it refers to");
  TOCSIN_RETURN_IF_ERROR(checkBearerChoice(bearers_, r.bearers, r.messageClass).withContext("bearers"));
  Texts texts;
  for (const auto& [language, text] : r.texts) texts.emplace_back(language, policy::markAlertText(text, r.mode, language));
  TOCSIN_RETURN_IF_ERROR(checkTexts(texts, policies_.maxAlertParts, false, false));
  const Timestamp now = clock_.now();
  const Timestamp expires = r.expiresAt.value_or(now + policies_.alertValidity);
  if (expires <= now) return Status::invalid("the alert's validity ends before it could be sent");
  Job j;
  j.kind = JobKind::kAlert;
  j.messageClass = r.messageClass;
  j.mode = r.mode;
  j.state = JobState::kDraft;
  j.title = r.title;
  j.texts = std::move(texts);
  j.sender = r.sender;
  j.target = r.target;
  j.bearers = r.bearers;
  j.reference = r.reference;
  j.details.type = r.type;
  j.details.cap = r.cap;
  j.details.classReason = r.classReason;
  j.expiresAt = expires;
  j.createdAt = j.updatedAt = now;
  return j;
}

namespace {

std::string object(JobId id) { return "job:" + std::to_string(id); }

// Inside a write: the job, which must be of `kind` when one is given.
Result<Job> findJob(StoreTx& tx, JobId id, std::optional<JobKind> kind = std::nullopt) {
  auto job = tx.jobs().find(id);
  if (!job || (kind && job->kind != *kind))
    return Status::notFound("no " + std::string(kind ? jobKindName(*kind) : "job") + " " + std::to_string(id));
  return *job;
}

}  // namespace

Status validateIdempotencyKey(const std::string& key) {
  if (key.empty() || key.size() > 200) return Status::invalid("an Idempotency-Key has 1 to 200 characters");
  for (char c : key)
    if (c < 0x21 || c > 0x7e) return Status::invalid("an Idempotency-Key uses printable ASCII characters only, without spaces");
  return Status::okStatus();
}

Result<JobId> JobService::draftAlert(Store& store, const AlertRequest& r, const std::string& actor, IdempotencyKey* idem) const {
  if (idem) TOCSIN_RETURN_IF_ERROR(validateIdempotencyKey(idem->key));
  TOCSIN_ASSIGN_OR_RETURN(Job j, alertJob(r));
  j.createdBy = actor;
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const auto earlier, replayOf(tx, actor, idem));
    if (earlier) {
      id = *earlier;
      return Status::okStatus();
    }
    if (r.reference) TOCSIN_RETURN_IF_ERROR(findJob(tx, *r.reference, JobKind::kAlert).status().withContext("references"));
    id = tx.jobs().insert(j);
    rememberKey(tx, actor, idem, id, rec.now());
    rec.record("alert.draft", object(id),
               std::string(className(r.messageClass)) + " " + modeName(j.mode) + " alert to " +
                   policy::describeTarget(r.target) + (r.classReason.empty() ? "" : "; " + r.classReason) +
                   (r.reference ? "; refers to job:" + std::to_string(*r.reference) : "") + "; digest " + alertDigest(j));
    return Status::okStatus();
  }));
  return id;
}

Status JobService::editAlert(Store& store, JobId id, const AlertRequest& r, const std::string& actor) const {
  TOCSIN_ASSIGN_OR_RETURN(Job j, alertJob(r));
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id, JobKind::kAlert));
    if (job.state != JobState::kDraft)
      return Status::failedPrecondition("alert " + std::to_string(id) + " is " + jobStateName(job.state) + "; only drafts are edited");
    if (personOf(job.createdBy) != personOf(actor))
      return Status::permissionDenied("only " + personOf(job.createdBy) + ", who drafted alert " + std::to_string(id) + ", edits it");
    j.id = id;
    j.reference = job.reference;
    const std::string before = alertDigest(job);
    if (!tx.jobs().replaceDraft(j, rec.now())) return Status::failedPrecondition("alert " + std::to_string(id) + " is no longer a draft");
    rec.record("alert.edit", object(id), "digest " + before + " -> " + alertDigest(j));
    return Status::okStatus();
  });
}

Result<JobId> JobService::draftFalseAlarmCorrection(Store& store, JobId originalId, const std::string& actor) const {
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job original, findJob(tx, originalId, JobKind::kAlert));
    if (original.state == JobState::kDraft)
      return Status::failedPrecondition("alert " + std::to_string(originalId) + " was never released; cancel the draft instead");
    if (original.texts.empty())
      return Status::failedPrecondition("alert " + std::to_string(originalId) + "'s texts were removed by retention");
    Job j = original;
    j.id = 0;
    j.state = JobState::kDraft;
    j.title = "False alarm: " + original.title;
    j.texts.clear();
    for (const auto& [language, text] : original.texts) j.texts.emplace_back(language, falseAlarmText(language, original.title));
    j.createdBy = actor;
    j.approvedBy.reset();
    j.reference = originalId;
    j.expandCursor = 0;
    j.recipients = 0;
    j.createdAt = j.updatedAt = rec.now();
    j.expiresAt = rec.now() + policies_.alertValidity;
    j.details = JobDetails{AlertType::kFalseAlarm, std::nullopt, "the class of the alert it corrects"};
    if (!isFinished(original.state)) {
      const int64_t n = tx.messages().finishPending(originalId, MessageState::kCancelled, "false alarm declared by " + actor, rec.now());
      tx.jobs().setState(originalId, JobState::kCancelled, rec.now());
      rec.record("alert.cancel", object(originalId), "false alarm; " + std::to_string(n) + " messages not yet sent were cancelled");
    }
    id = tx.jobs().insert(j);
    rec.record("alert.draft", object(id), "prepared false-alarm correction of job:" + std::to_string(originalId) + "; digest " + alertDigest(j));
    return Status::okStatus();
  }));
  return id;
}

Status JobService::approve(Store& store, JobId id, const std::string& approver, const std::optional<std::string>& reviewedDigest) const {
  return audit_.write(store, approver, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id));
    if (job.kind != JobKind::kAlert) return Status::invalid("job " + std::to_string(id) + " is a " + jobKindName(job.kind) + ", not an alert");
    if (job.state != JobState::kDraft)
      return Status::failedPrecondition("alert " + std::to_string(id) + " is " + jobStateName(job.state) + ", not a draft");
    if (job.mode == AlertMode::kLive) TOCSIN_RETURN_IF_ERROR(checkSecondPerson(job, approver));
    if (job.expiresAt && *job.expiresAt <= rec.now())
      return Status::failedPrecondition("alert " + std::to_string(id) + " expired at " + formatUtc(*job.expiresAt));
    const std::string digest = alertDigest(job);
    if (reviewedDigest && *reviewedDigest != digest)
      return Status::failedPrecondition("alert " + std::to_string(id) + " changed since it was reviewed (digest " + digest +
                                        "); review it again before approving");
    tx.jobs().approve(id, approver, rec.now());
    rec.record("alert.approve", object(id),
               std::string(className(job.messageClass)) + " " + modeName(job.mode) + " alert drafted by " + job.createdBy + "; digest " + digest);
    return Status::okStatus();
  });
}

Result<JobService::CampaignCost> JobService::campaignCost(StoreTx& tx, const Shop& shop, const CampaignRequest& r,
                                                          const std::string& sender) const {
  CampaignCost cost;
  const bool tracked = shop.tracking && !shops_.publicUrl.empty();
  const std::string sampleLink = shops_.publicUrl + "/l/" + std::string(static_cast<size_t>(shops_.linkCodeLength), 'x');
  const std::string country = shop.country.empty() ? std::string() : shop.country;
  const policy::StopRoute route = stopRouteFor(shop, sender, bearers_, r.bearers, country);
  for (const auto& [language, text] : r.texts) {
    const std::string footer = policy::stopFooterFor(policies_, language, route);
    const std::string sent = campaignMessage(text, std::string("Camille"), footer,
                                             tracked ? std::function<std::string(const std::string&)>(
                                                           [&](const std::string&) { return sampleLink; })
                                                     : nullptr);
    auto plan = text::planSms(sent);
    if (!plan.ok()) return plan.status().withContext("the " + language + " text");
    const auto limit = policy::partsLimit(*plan, policies_.maxPromotionalParts);
    if (limit.refused()) return Status::invalid("the " + language + " text as sent (links and STOP footer included): " + limit.reason);
    cost.parts = std::max(cost.parts, static_cast<int>(plan->parts.size()));
    cost.sample.emplace_back(language, sent);
  }
  // Each confirmed recipient's message as it will be built, its parts counted.
  std::map<std::pair<std::string, std::string>, std::string> footers;
  std::map<std::string, int> partsOfText;  // most people share a name's length and alphabet with someone
  const std::string purpose = "promotions:" + shop.id;
  ScanCursor cursor = 0;
  Status failure;
  for (;;) {
    const ScanStep step = tx.shops().scanShopAudience(
        cursor, 5000, r.target.lists, shop.id, r.target.tags, r.target.zones, r.target.all, purpose, [&](const AudienceMember& m) {
          if (m.standing && m.standing->state == ConsentAction::kGranted) ++cost.pending;
          if (!m.standing || m.standing->state != ConsentAction::kConfirmed) return;
          const auto& [language, text] = textFor(r.texts, m.language.value_or(""));
          auto key = std::make_pair(language, m.region);
          auto f = footers.find(key);
          if (f == footers.end())
            f = footers.emplace(key, policy::stopFooterFor(policies_, language, stopRouteFor(shop, sender, bearers_, r.bearers, m.region)))
                    .first;
          const std::string sent = campaignMessage(text, m.name, f->second,
                                                   tracked ? std::function<std::string(const std::string&)>(
                                                                 [&](const std::string&) { return sampleLink; })
                                                           : nullptr);
          auto known = partsOfText.find(sent);
          int parts = 0;
          if (known != partsOfText.end()) {
            parts = known->second;
          } else {
            auto plan = text::planSms(sent);
            if (!plan.ok()) {
              failure = plan.status();
              return;
            }
            parts = static_cast<int>(plan->parts.size());
            if (partsOfText.size() < 100000) partsOfText.emplace(sent, parts);
          }
          ++cost.recipients;
          cost.total += parts;
        });
    if (step.finished || step.next == cursor) break;
    cursor = step.next;
  }
  TOCSIN_RETURN_IF_ERROR(failure);
  return cost;
}

Result<JobId> JobService::createCampaign(Store& store, const CampaignRequest& r, const std::string& actor,
                                         IdempotencyKey* idem) const {
  if (idem) TOCSIN_RETURN_IF_ERROR(validateIdempotencyKey(idem->key));
  const std::string purpose = "promotions:" + r.shop;
  TOCSIN_RETURN_IF_ERROR(validatePurpose(purpose));
  if (r.target.empty() && r.lists.empty()) return Status::invalid("a campaign needs a target (zones, lists, tags or all)");
  if (r.title.empty() || !isCleanLine(r.title, 200))
    return Status::invalid("a campaign needs a title of at most 200 characters, on one line, without control characters");
  if (r.lists.size() > 20 || r.target.tags.size() > 20) return Status::invalid("a campaign names at most 20 lists and 20 tags");
  TOCSIN_RETURN_IF_ERROR(checkTexts(r.texts, policies_.maxPromotionalParts, true, true));
  TOCSIN_RETURN_IF_ERROR(checkBearerChoice(bearers_, r.bearers, MessageClass::kPromotional).withContext("bearers"));
  if (r.sender) {
    // Checked against the strictest rule of any country here; per recipient again when sending.
    const auto d = policy::senderAllowed({}, "", *r.sender);
    if (d.refused()) return Status::invalid(d.reason);
  }
  const Timestamp now = clock_.now();
  // A minute's grace for clocks and typing; anything earlier is a mistake, not "now".
  if (r.notBefore && *r.notBefore < now - std::chrono::minutes(1))
    return Status::invalid("'at' (" + formatUtc(*r.notBefore) + ") is in the past: give a time to come, or none to start now");
  if (r.deadline && *r.deadline <= now) return Status::invalid("the campaign's deadline has passed");
  if (r.deadline && r.notBefore && *r.deadline <= *r.notBefore) return Status::invalid("the deadline comes before 'at'");
  Job j;
  j.kind = JobKind::kCampaign;
  j.messageClass = MessageClass::kPromotional;
  j.state = JobState::kApproved;
  j.title = r.title;
  j.texts = r.texts;
  j.sender = r.sender;
  j.purpose = purpose;
  j.target = r.target;
  j.bearers = r.bearers;
  j.createdBy = actor;
  j.approvedBy = actor;
  j.notBefore = r.notBefore;
  j.expiresAt = r.deadline;
  j.createdAt = j.updatedAt = now;
  // The audience is counted in a read first: a campaign to everyone reads every contact, and
  // the write lock (which an alert may be waiting for) is not held meanwhile. The count is an
  // estimate anyway; the settlement charges what was sent.
  auto prepare = [&](StoreTx& tx, Job& campaign, Shop& shop) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(shop, activeShop(tx, r.shop, "send a campaign"));
    campaign = j;
    TOCSIN_ASSIGN_OR_RETURN(campaign.target.lists, listIds(tx, r.shop, r.lists));
    TOCSIN_ASSIGN_OR_RETURN(const std::string sender, campaignSender(tx, reservedSenders(bearers_, policies_), r.shop, r.sender));
    campaign.sender = sender;
    if (shop.moderation) {
      campaign.state = JobState::kDraft;
      campaign.approvedBy.reset();
    }
    return Status::okStatus();
  };
  CampaignCost cost;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) -> Status {
    Job campaign;
    Shop shop;
    TOCSIN_RETURN_IF_ERROR(prepare(tx, campaign, shop));
    CampaignRequest counted = r;
    counted.target = campaign.target;
    TOCSIN_ASSIGN_OR_RETURN(cost, campaignCost(tx, shop, counted, *campaign.sender));
    return Status::okStatus();
  }));
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const auto earlier, replayOf(tx, actor, idem));
    if (earlier) {
      id = *earlier;
      return Status::okStatus();
    }
    Job campaign;
    Shop shop;
    TOCSIN_RETURN_IF_ERROR(prepare(tx, campaign, shop));
    id = tx.jobs().insert(campaign);
    const int64_t parts = cost.total;
    TOCSIN_RETURN_IF_ERROR(reserveCredits(tx, rec, shop, id, parts, actor));
    rememberKey(tx, actor, idem, id, rec.now());
    rec.record("campaign.create", object(id),
               purpose + " to " + policy::describeTarget(campaign.target) + " as " + *campaign.sender + "; " +
                   std::to_string(cost.recipients) + " confirmed recipients, " + std::to_string(parts) + " parts reserved" + (shop.moderation ? "; waiting for an admin's approval" : ""));
    return Status::okStatus();
  }));
  return id;
}

Result<JobId> JobService::sendShopMessage(Store& store, const ShopMessageRequest& r, const std::string& actor,
                                          IdempotencyKey* idem) const {
  if (idem) TOCSIN_RETURN_IF_ERROR(validateIdempotencyKey(idem->key));
  if (!r.noPromotion)
    return Status::invalid("a transactional message holds no promotion: declare it with \"no_promotion\": true "
                           "(the declaration is audited); offers go in campaigns, to people who consented");
  TOCSIN_RETURN_IF_ERROR(checkText(r.language, r.text));
  if (r.fields.size() > 20) return Status::invalid("at most 20 fields");
  for (const auto& [name, value] : r.fields)
    if (!isCleanLine(value, 200)) return Status::invalid("field '" + name + "' is at most 200 characters on one line");
  // Every {field} of the template filled from the request; nothing else is a field.
  std::string text;
  for (size_t i = 0; i < r.text.size();) {
    if (r.text[i] != '{') {
      text += r.text[i++];
      continue;
    }
    const size_t end = r.text.find('}', i);
    if (end == std::string::npos) return Status::invalid("the text has a '{' without its '}'");
    const std::string name = r.text.substr(i + 1, end - i - 1);
    const auto it = r.fields.find(name);
    if (it == r.fields.end()) return Status::invalid("the text uses {" + name + "} but 'fields' has no '" + name + "'");
    text += it->second;
    i = end + 1;
  }
  if (r.reference.size() > 100 || !isCleanLine(r.reference, 100))
    return Status::invalid("'reference' is at most 100 characters on one line");
  auto plan = text::planSms(text);
  if (!plan.ok()) return plan.status().withContext("the text");
  const auto limit = policy::partsLimit(*plan, policies_.maxPromotionalParts);
  if (limit.refused()) return Status::invalid("the text as sent: " + limit.reason);
  const int64_t parts = static_cast<int64_t>(plan->parts.size());
  const std::string purpose = "promotions:" + r.shop;
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const auto earlier, replayOf(tx, actor, idem));
    if (earlier) {
      id = *earlier;
      return Status::okStatus();
    }
    TOCSIN_ASSIGN_OR_RETURN(Shop shop, activeShop(tx, r.shop, "send messages"));
    if (tx.suppressions().contains(r.fingerprint))
      return Status::refused("this number asked for no more messages (STOP or erasure); nothing is sent to it");
    std::optional<ContactId> contact;
    if (auto c = tx.contacts().findByPhone(r.to)) {
      contact = c->id;
      const auto standing = tx.consent().standing(c->id, purpose);
      if (standing && standing->state == ConsentAction::kWithdrawn)
        return Status::refused("this number replied STOP to " + r.shop + "'s messages; nothing more is sent to it");
    }
    TOCSIN_ASSIGN_OR_RETURN(const std::string sender, campaignSender(tx, reservedSenders(bearers_, policies_), r.shop, r.sender));
    TransactionalMessage m;
    m.title = "message of shop " + r.shop + (r.reference.empty() ? "" : " (" + r.reference + ")");
    m.to = r.to;
    m.contact = contact;
    m.text = text;
    m.language = r.language;
    m.sender = sender;
    m.purpose = purpose;
    TOCSIN_ASSIGN_OR_RETURN(id, queueTransactional(tx, rec, m));
    TOCSIN_RETURN_IF_ERROR(reserveCredits(tx, rec, shop, id, parts, actor));
    rememberKey(tx, actor, idem, id, rec.now());
    rec.record("message.declare", object(id), "shop " + r.shop + " declared it holds no promotion; " + std::to_string(parts) +
                                                  " parts as " + sender);
    return Status::okStatus();
  }));
  return id;
}

Status JobService::approveCampaign(Store& store, JobId id, const std::string& admin) const {
  return audit_.write(store, admin, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id, JobKind::kCampaign));
    if (job.state != JobState::kDraft)
      return Status::failedPrecondition("campaign " + std::to_string(id) + " is " + jobStateName(job.state) + ", not waiting for approval");
    if (job.createdBy == admin) return Status::permissionDenied("a campaign is approved by someone other than its author");
    tx.jobs().approve(id, admin, rec.now());
    rec.record("campaign.approve", object(id), "released for the moderated shop");
    return Status::okStatus();
  });
}

Status JobService::cancel(Store& store, JobId id, const std::string& actor, const std::string& reason, std::optional<JobKind> kind) const {
  if (reason.empty() || !isCleanLine(reason, 500))
    return Status::invalid("give the reason for cancelling: at most 500 characters, on one line, without control characters");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id, kind));
    if (isFinished(job.state))
      return Status::failedPrecondition("job " + std::to_string(id) + " is already " + jobStateName(job.state));
    const int64_t n = tx.messages().finishPending(id, MessageState::kCancelled, "cancelled by " + actor + ": " + reason, rec.now());
    tx.jobs().setState(id, JobState::kCancelled, rec.now());
    rec.record(std::string(jobKindName(job.kind)) + ".cancel", object(id),
               reason + "; " + std::to_string(n) + " messages not yet sent were cancelled");
    return Status::okStatus();
  });
}

Status JobService::reject(Store& store, JobId id, const std::string& actor, const std::string& reason) const {
  if (reason.empty() || !isCleanLine(reason, 500))
    return Status::invalid("give the reason for rejecting: at most 500 characters, on one line, without control characters");
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id, JobKind::kAlert));
    if (job.state != JobState::kDraft)
      return Status::failedPrecondition("alert " + std::to_string(id) + " is " + jobStateName(job.state) + ", not a draft");
    if (personOf(job.createdBy) == personOf(actor))
      return Status::permissionDenied("the person who drafted an alert cannot review it; cancel it instead");
    tx.jobs().setState(id, JobState::kCancelled, rec.now());
    rec.record("alert.reject", object(id), "rejected: " + reason);
    return Status::okStatus();
  });
}

Status JobService::pause(Store& store, JobId id, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id));
    if (job.kind != JobKind::kCampaign) return Status::invalid("only campaigns are paused; alerts are cancelled or corrected");
    if (job.state != JobState::kSending && job.state != JobState::kApproved && job.state != JobState::kExpanding)
      return Status::failedPrecondition("campaign " + std::to_string(id) + " is " + jobStateName(job.state));
    tx.jobs().setState(id, JobState::kPaused, rec.now());
    const int64_t held = tx.messages().holdQueued(id, rec.now());
    rec.record("campaign.pause", object(id), "paused by " + actor + "; " + std::to_string(held) + " messages held");
    return Status::okStatus();
  });
}

Status JobService::resume(Store& store, JobId id, const std::string& actor) const {
  return audit_.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const Job job, findJob(tx, id));
    if (job.state != JobState::kPaused) return Status::failedPrecondition("campaign " + std::to_string(id) + " is not paused");
    // Expansion resumes from its cursor: it adds whoever was not reached yet, then sends.
    tx.jobs().setState(id, JobState::kExpanding, rec.now());
    const int64_t released = tx.messages().releaseHeld(id, rec.now());
    rec.record("campaign.resume", object(id), "resumed by " + actor + "; " + std::to_string(released) + " messages back in the queue");
    return Status::okStatus();
  });
}

std::vector<std::string> JobService::bearersFor(const Job& job) const {
  if (!job.bearers.empty()) return job.bearers;
  std::vector<std::string> names;
  for (const auto& b : bearers_)
    if (b.carries(job.messageClass)) names.push_back(b.name);
  return names;
}

}  // namespace tocsin::engine
