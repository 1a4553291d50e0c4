#include "broadcaster/engine/jobs.h"

#include "common/base/json_text.h"
#include "common/base/text.h"
#include "common/consent/consent.h"
#include "common/crypto/hash.h"
#include "common/text/sms_text.h"
#include "policies/promotion.h"

namespace tocsin::engine {
namespace {

std::string bearersJson(const std::vector<std::string>& bearers) {
  if (bearers.empty()) return "";
  std::string out = "[";
  for (size_t i = 0; i < bearers.size(); ++i) {
    if (i) out += ",";
    appendJsonString(out, bearers[i]);
  }
  return out + "]";
}

Status checkText(const std::string& language, const std::string& text) {
  if (language.empty() || language.size() > 8) return Status::invalid("a text's language must be a code such as 'fr' or 'en'");
  if (text.empty()) return Status::invalid("the " + language + " text is empty");
  if (!isValidUtf8(text)) return Status::invalid("the " + language + " text is not valid UTF-8");
  if (hasControlCharacters(text, /*allowNewlines=*/true)) return Status::invalid("the " + language + " text holds control characters");
  return Status::okStatus();
}

}  // namespace

Result<std::vector<TextPreview>> JobService::previewTexts(const Texts& texts, int maxParts, const std::string& footer) const {
  std::vector<TextPreview> out;
  for (const auto& [language, text] : texts) {
    const std::string sent = footer.empty() ? text : policy::withStopFooter(text, policies_.stopFooter(language));
    auto plan = text::planSms(sent);
    if (!plan.ok()) return plan.status().withContext("the " + language + " text");
    const auto limit = policy::partsLimit(*plan, maxParts);
    if (limit.refused()) return Status::invalid("the " + language + " text: " + limit.reason);
    out.push_back({language, sent, plan->encoding == text::SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2", plan->parts.size()});
  }
  return out;
}

Status JobService::checkTexts(const Texts& texts, int maxParts, bool templates, const std::string& footer) const {
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
  add(j.messageClass);
  add(j.mode);
  add(j.title);
  add(j.texts.value_or(""));
  add(j.sender.value_or(""));
  add(j.target);
  add(j.bearers.value_or(""));
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
  if (!policy::isAlert(r.messageClass))
    return Status::invalid(std::string("class '") + policy::className(r.messageClass) + "' is not an alert class");
  if (r.mode != policy::AlertMode::kLive && r.messageClass != policy::MessageClass::kTest)
    return Status::invalid("a test or exercise alert must have the test class, so that no phone shows it as a real alert");
  if (r.mode == policy::AlertMode::kLive && r.messageClass == policy::MessageClass::kTest)
    return Status::invalid("the test class is for test and exercise alerts; choose the real alert's class");
  if (r.target.empty()) return Status::invalid("an alert needs a target area");
  if (r.title.empty() || r.title.size() > 200 || !isValidUtf8(r.title)) return Status::invalid("an alert needs a title of at most 200 characters");
  Texts texts;
  for (const auto& [language, text] : r.texts) texts.emplace_back(language, policy::markAlertText(text, r.mode, language));
  TOCSIN_RETURN_IF_ERROR(checkTexts(texts, policies_.maxAlertParts, false, ""));
  const Timestamp now = clock_.now();
  const Timestamp expires = r.expiresAt.value_or(now + policies_.alertValidity);
  if (expires <= now) return Status::invalid("the alert's validity ends before it could be sent");
  Job j;
  j.kind = "alert";
  j.messageClass = policy::className(r.messageClass);
  j.mode = policy::modeName(r.mode);
  j.state = "draft";
  j.title = r.title;
  j.texts = textsJson(texts);
  j.sender = r.sender;
  j.target = policy::targetJson(r.target);
  if (!r.bearers.empty()) j.bearers = bearersJson(r.bearers);
  j.reference = r.reference;
  j.details = r.details;
  j.expiresAt = expires;
  j.createdAt = j.updatedAt = now;
  return j;
}

Result<JobId> JobService::draftAlert(const AlertRequest& r, const std::string& actor) {
  TOCSIN_ASSIGN_OR_RETURN(Job j, alertJob(r));
  j.createdBy = actor;
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    if (r.reference) {
      auto original = tx.jobs().find(*r.reference);
      if (!original || original->kind != "alert") return Status::notFound("no alert " + std::to_string(*r.reference) + " to refer to");
    }
    id = tx.jobs().insert(j);
    rec.record("alert.draft", "job:" + std::to_string(id),
               std::string(policy::className(r.messageClass)) + " " + j.mode + " alert to " +
                   policy::describeTarget(r.target) + (r.classReason.empty() ? "" : "; " + r.classReason) +
                   (r.reference ? "; refers to job:" + std::to_string(*r.reference) : "") + "; digest " + alertDigest(j));
    return Status::okStatus();
  }));
  return id;
}

Status JobService::editAlert(JobId id, const AlertRequest& r, const std::string& actor) {
  TOCSIN_ASSIGN_OR_RETURN(Job j, alertJob(r));
  return audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto job = tx.jobs().find(id);
    if (!job || job->kind != "alert") return Status::notFound("no alert " + std::to_string(id));
    if (job->state != "draft") return Status::failedPrecondition("alert " + std::to_string(id) + " is " + job->state + "; only drafts are edited");
    if (job->createdBy != actor) return Status::permissionDenied("only " + job->createdBy + ", who drafted alert " + std::to_string(id) + ", edits it");
    j.id = id;
    j.reference = job->reference;
    const std::string before = alertDigest(*job);
    if (!tx.jobs().replaceDraft(j, rec.now())) return Status::failedPrecondition("alert " + std::to_string(id) + " is no longer a draft");
    rec.record("alert.edit", "job:" + std::to_string(id), "digest " + before + " -> " + alertDigest(j));
    return Status::okStatus();
  });
}

Result<JobId> JobService::draftFalseAlarmCorrection(JobId originalId, const std::string& actor) {
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto original = tx.jobs().find(originalId);
    if (!original || original->kind != "alert") return Status::notFound("no alert " + std::to_string(originalId));
    if (original->state == "draft")
      return Status::failedPrecondition("alert " + std::to_string(originalId) + " was never released; cancel the draft instead");
    TOCSIN_ASSIGN_OR_RETURN(const Texts originalTexts, parseTexts(original->texts.value_or("[]")));
    Texts texts;
    for (const auto& [language, text] : originalTexts) texts.emplace_back(language, falseAlarmText(language, original->title));
    Job j = *original;
    j.id = 0;
    j.state = "draft";
    j.title = "False alarm: " + original->title;
    j.texts = textsJson(texts);
    j.createdBy = actor;
    j.approvedBy.reset();
    j.reference = originalId;
    j.expandCursor = 0;
    j.recipients = 0;
    j.createdAt = j.updatedAt = rec.now();
    j.expiresAt = rec.now() + policies_.alertValidity;
    j.details = std::string("{\"type\":\"false_alarm\"}");
    if (original->state != "done" && original->state != "cancelled") {
      const int64_t n = tx.messages().finishPending(originalId, MessageState::kCancelled, "false alarm declared by " + actor, rec.now());
      tx.jobs().setState(originalId, "cancelled", rec.now());
      rec.record("alert.cancel", "job:" + std::to_string(originalId), "false alarm; " + std::to_string(n) + " messages not yet sent were cancelled");
    }
    id = tx.jobs().insert(j);
    rec.record("alert.draft", "job:" + std::to_string(id), "prepared false-alarm correction of job:" + std::to_string(originalId) +
                                                            "; digest " + alertDigest(j));
    return Status::okStatus();
  }));
  return id;
}

Status JobService::approve(JobId id, const std::string& approver, const std::optional<std::string>& reviewedDigest) {
  return audit_.write(store_, approver, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto job = tx.jobs().find(id);
    if (!job) return Status::notFound("no job " + std::to_string(id));
    if (job->kind != "alert") return Status::invalid("job " + std::to_string(id) + " is a " + job->kind + ", not an alert");
    if (job->state != "draft") return Status::failedPrecondition("alert " + std::to_string(id) + " is " + job->state + ", not a draft");
    if (job->mode == "live" && job->createdBy == approver)
      return Status::permissionDenied("a live alert needs a second person: " + approver +
                                      " drafted alert " + std::to_string(id) + " and cannot approve it");
    if (job->expiresAt && *job->expiresAt <= rec.now())
      return Status::failedPrecondition("alert " + std::to_string(id) + " expired at " + formatUtc(*job->expiresAt));
    const std::string digest = alertDigest(*job);
    if (reviewedDigest && *reviewedDigest != digest)
      return Status::failedPrecondition("alert " + std::to_string(id) + " changed since it was reviewed (digest " + digest +
                                        "); review it again before approving");
    tx.jobs().approve(id, approver, rec.now());
    rec.record("alert.approve", "job:" + std::to_string(id),
               job->messageClass + " " + job->mode + " alert drafted by " + job->createdBy + "; digest " + digest);
    return Status::okStatus();
  });
}

Result<JobId> JobService::createCampaign(const CampaignRequest& r, const std::string& actor) {
  const std::string purpose = "promotions:" + r.shop;
  TOCSIN_RETURN_IF_ERROR(validatePurpose(purpose));
  if (r.target.empty()) return Status::invalid("a campaign needs a target (zones or all)");
  if (r.title.empty() || r.title.size() > 200 || !isValidUtf8(r.title)) return Status::invalid("a campaign needs a title of at most 200 characters");
  TOCSIN_RETURN_IF_ERROR(checkTexts(r.texts, policies_.maxPromotionalParts, true, "with footer"));
  if (r.sender) {
    // Checked against the strictest rule of any country here; per recipient again when sending.
    const auto d = policy::senderAllowed({}, "", *r.sender);
    if (d.refused()) return Status::invalid(d.reason);
  }
  const Timestamp now = clock_.now();
  if (r.deadline && *r.deadline <= now) return Status::invalid("the campaign's deadline has passed");
  Job j;
  j.kind = "campaign";
  j.messageClass = "promotional";
  j.state = "approved";
  j.title = r.title;
  j.texts = textsJson(r.texts);
  j.sender = r.sender;
  j.purpose = purpose;
  j.target = policy::targetJson(r.target);
  if (!r.bearers.empty()) j.bearers = bearersJson(r.bearers);
  j.createdBy = actor;
  j.approvedBy = actor;
  j.notBefore = r.notBefore;
  j.expiresAt = r.deadline;
  j.createdAt = j.updatedAt = now;
  JobId id = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    id = tx.jobs().insert(j);
    rec.record("campaign.create", "job:" + std::to_string(id), purpose + " to " + policy::describeTarget(r.target));
    return Status::okStatus();
  }));
  return id;
}

Status JobService::cancel(JobId id, const std::string& actor, const std::string& reason) {
  return audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto job = tx.jobs().find(id);
    if (!job) return Status::notFound("no job " + std::to_string(id));
    if (job->state == "done" || job->state == "cancelled")
      return Status::failedPrecondition("job " + std::to_string(id) + " is already " + job->state);
    const int64_t n = tx.messages().finishPending(id, MessageState::kCancelled, "cancelled by " + actor + ": " + reason, rec.now());
    tx.jobs().setState(id, "cancelled", rec.now());
    rec.record(job->kind + ".cancel", "job:" + std::to_string(id),
               reason + "; " + std::to_string(n) + " messages not yet sent were cancelled");
    return Status::okStatus();
  });
}

Status JobService::pause(JobId id, const std::string& actor) {
  return audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto job = tx.jobs().find(id);
    if (!job) return Status::notFound("no job " + std::to_string(id));
    if (job->kind != "campaign") return Status::invalid("only campaigns are paused; alerts are cancelled or corrected");
    if (job->state != "sending" && job->state != "approved" && job->state != "expanding")
      return Status::failedPrecondition("campaign " + std::to_string(id) + " is " + job->state);
    tx.jobs().setState(id, "paused", rec.now());
    const int64_t held = tx.messages().holdQueued(id, rec.now());
    rec.record("campaign.pause", "job:" + std::to_string(id), "paused by " + actor + "; " + std::to_string(held) + " messages held");
    return Status::okStatus();
  });
}

Status JobService::resume(JobId id, const std::string& actor) {
  return audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto job = tx.jobs().find(id);
    if (!job) return Status::notFound("no job " + std::to_string(id));
    if (job->state != "paused") return Status::failedPrecondition("campaign " + std::to_string(id) + " is not paused");
    // Expansion resumes from its cursor: it adds whoever was not reached yet, then sends.
    tx.jobs().setState(id, "expanding", rec.now());
    const int64_t released = tx.messages().releaseHeld(id, rec.now());
    rec.record("campaign.resume", "job:" + std::to_string(id),
               "resumed by " + actor + "; " + std::to_string(released) + " messages back in the queue");
    return Status::okStatus();
  });
}

Result<JobId> queueTransactional(StoreTx& tx, AuditRecorder& audit, const std::string& title, const std::string& to,
                                 std::optional<ContactId> contact, const std::string& text, const std::string& language,
                                 const std::optional<std::string>& viaBearer) {
  Job j;
  j.kind = "transactional";
  j.messageClass = "transactional";
  j.state = "sending";
  j.title = title;
  j.texts = textsJson({{language, text}});
  j.target = "{}";
  j.createdBy = audit.actor();
  j.expiresAt = audit.now() + std::chrono::hours(24);
  j.recipients = 1;
  j.createdAt = j.updatedAt = audit.now();
  const JobId id = tx.jobs().insert(j);
  NewMessage m;
  m.job = id;
  m.sequence = 1;
  m.contact = contact;
  m.destination = to;
  m.language = language;
  m.rank = policy::rank(policy::MessageClass::kTransactional);
  m.bearer = viaBearer;
  m.at = audit.now();
  tx.messages().insert(m);
  tx.messages().countInserted(id, MessageState::kQueued, 1);
  audit.record("transactional.queue", "job:" + std::to_string(id), title);
  return id;
}

}  // namespace tocsin::engine
