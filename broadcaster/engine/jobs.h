// Putting work into the store: alerts (drafted by one person, approved by another), campaigns,
// and transactional messages (sign-up codes, replies to STOP/HELP). The broadcaster picks up
// what is approved. Every change is audited with its actor; every refusal names the problem.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broadcaster/engine/job_texts.h"
#include "common/audit/audit_log.h"
#include "common/phone/phone.h"
#include "common/store/store.h"
#include "policies/message_class.h"
#include "policies/policy_config.h"
#include "policies/replies.h"
#include "policies/targeting.h"

namespace tocsin::engine {

struct AlertRequest {
  std::string title;
  Texts texts;                               // as the operator wrote them; test marking is added here
  policy::Target target;
  policy::MessageClass messageClass = policy::MessageClass::kPublicSafety;
  std::string classReason;                   // why this class (CAP facts, or "set by the operator")
  policy::AlertMode mode = policy::AlertMode::kLive;
  std::optional<Timestamp> expiresAt;        // default: now + the policy's alert validity
  std::optional<std::string> sender;
  std::vector<std::string> bearers;          // empty: every bearer that carries alerts
  std::optional<std::string> details;        // JSON (CAP identifiers...)
  std::optional<JobId> reference;            // update or correction of
};

struct CampaignRequest {
  std::string shop;                          // the purpose is "promotions:<shop>"
  std::string title;
  Texts texts;                               // may use {name} / {name|fallback}
  policy::Target target;
  std::optional<std::string> sender;
  std::optional<Timestamp> notBefore;        // scheduled start
  std::optional<Timestamp> deadline;         // not sent after
  std::vector<std::string> bearers;
};

// What an operator sees before approving: per language, the text as sent and its parts.
struct TextPreview {
  std::string language;
  std::string text;
  std::string encoding;  // GSM-7 or UCS-2
  size_t parts = 0;
};

class JobService {
 public:
  JobService(Store& store, AuditLog& audit, const policy::PolicyConfig& policies, const Clock& clock)
      : store_(store), audit_(audit), policies_(policies), clock_(clock) {}

  // A draft: nothing is sent until someone else approves it (test and exercise alerts may be
  // approved by their author).
  Result<JobId> draftAlert(const AlertRequest& request, const std::string& actor);
  // Replaces what a draft says; its digest changes, so an approval given for the old content
  // is refused. Only the person who drafted it edits it.
  Status editAlert(JobId job, const AlertRequest& request, const std::string& actor);
  // Releases an alert. With `reviewedDigest`, the approval binds the content the approver saw:
  // it is refused (kFailedPrecondition) when the draft no longer has that digest.
  Status approve(JobId job, const std::string& approver, const std::optional<std::string>& reviewedDigest = std::nullopt);
  // The prepared correction of a released alert: a draft in every language of the original, to
  // the same area, class and bearers, referencing it. The original's unsent messages are
  // cancelled at once (stopping is always safe); the correction still needs a second person.
  Result<JobId> draftFalseAlarmCorrection(JobId original, const std::string& actor);
  Result<JobId> createCampaign(const CampaignRequest& request, const std::string& actor);
  Status cancel(JobId job, const std::string& actor, const std::string& reason);
  Status pause(JobId job, const std::string& actor);
  Status resume(JobId job, const std::string& actor);

  // Texts of an alert or campaign as they will leave, one per language.
  Result<std::vector<TextPreview>> previewTexts(const Texts& texts, int maxParts, const std::string& footer) const;

 private:
  Result<Job> alertJob(const AlertRequest& request) const;
  Status checkTexts(const Texts& texts, int maxParts, bool templates, const std::string& footerLanguage) const;

  Store& store_;
  AuditLog& audit_;
  const policy::PolicyConfig& policies_;
  const Clock& clock_;
};

// SHA-256 (hex) of everything an approver approves: class, mode, title, texts, sender, target,
// bearers, validity and reference. Any edit changes it.
std::string alertDigest(const Job& job);

// The prepared "false alarm" text in `language` (English when there is no translation).
std::string falseAlarmText(const std::string& language, const std::string& title);

// A transactional message (rank 1) to one number, in its own job, inside the caller's audited
// write: a sign-up code, a reply to STOP or HELP. `viaBearer` asks that it leave by the bearer
// the person wrote to (a modem's SIM answers from its own number).
Result<JobId> queueTransactional(StoreTx& tx, AuditRecorder& audit, const std::string& title, const std::string& to,
                                 std::optional<ContactId> contact, const std::string& text, const std::string& language,
                                 const std::optional<std::string>& viaBearer);

}  // namespace tocsin::engine
