// Putting work into the store: alerts (drafted by one person, approved by another) and
// campaigns. The broadcaster picks up what is approved. Every change is audited with its actor;
// every refusal names the problem.
//
// Threading: a JobService holds no state of its own; one instance may serve many threads, each
// passing its own store connection.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broadcaster/engine/bearer_config.h"
#include "broadcaster/engine/shops.h"
#include "common/audit/audit_log.h"
#include "common/crypto/hash.h"
#include "common/jobs/job.h"
#include "common/store/store.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

struct AlertRequest {
  std::string title;
  Texts texts;                               // as the operator wrote them; test marking is added here
  Target target;
  MessageClass messageClass = MessageClass::kPublicSafety;
  std::string classReason;                   // why this class (CAP facts, or "set by the operator")
  AlertMode mode = AlertMode::kLive;
  std::optional<Timestamp> expiresAt;        // default: now + the policy's alert validity
  std::optional<std::string> sender;
  std::vector<std::string> bearers;          // empty: every bearer that carries alerts
  AlertType type = AlertType::kAlert;
  std::optional<CapOrigin> cap;              // the CAP message it was drafted from
  std::optional<JobId> reference;            // update or correction of
};

struct CampaignRequest {
  std::string shop;                          // the purpose is "promotions:<shop>"
  std::string title;
  Texts texts;                               // may use {name} / {name|fallback}
  Target target;
  std::optional<std::string> sender;
  std::optional<Timestamp> notBefore;        // scheduled start
  std::optional<Timestamp> deadline;         // not sent after
  std::vector<std::string> bearers;
  std::vector<std::string> lists;            // the shop's lists, by name (in the target as ids)
};

// A shop's transactional message (an order notice): one number, a template filled from the
// request's fields, sent at any hour in the transactional class. The shop declares it holds no
// promotion; the declaration is audited.
struct ShopMessageRequest {
  std::string shop;
  std::string to;                              // E.164, already normalised
  std::string region;                          // of the number
  Digest fingerprint{};                        // the number's suppression fingerprint
  std::string text;                            // may use {field} for each of `fields`
  std::map<std::string, std::string> fields;
  std::string language = "fr";
  std::optional<std::string> sender;
  bool noPromotion = false;                    // the shop's declaration
  std::string reference;                       // the shop's own, for its records
};

// A client's Idempotency-Key for a creation: a retry with the same key and the same request
// finds the job the first one made instead of making a second; the same key with a different
// request is refused. Keys are remembered per caller for a day.
struct IdempotencyKey {
  std::string key;          // as the client sent it: 1 to 200 printable ASCII characters
  std::string requestHash;  // of what was asked (method, path, media type, body)
  bool replayed = false;    // set when the job already existed
};
Status validateIdempotencyKey(const std::string& key);

// What an operator sees before approving: per language, the text as sent and its parts.
struct TextPreview {
  std::string language;
  std::string text;
  std::string encoding;  // GSM-7 or UCS-2
  size_t parts = 0;
};

class JobService {
 public:
  // `bearers`: the configured bearers, against which a job's choice is checked.
  JobService(AuditLog& audit, const policy::PolicyConfig& policies, const Clock& clock, std::vector<BearerEntry> bearers,
             ShopSettings shops = {})
      : audit_(audit), policies_(policies), clock_(clock), bearers_(std::move(bearers)), shops_(std::move(shops)) {}

  // A draft: nothing is sent until someone else approves it (test and exercise alerts may be
  // approved by their author).
  Result<JobId> draftAlert(Store& store, const AlertRequest& request, const std::string& actor,
                           IdempotencyKey* idempotency = nullptr) const;
  // Replaces what a draft says; its digest changes, so an approval given for the old content
  // is refused. Only the person who drafted it edits it.
  Status editAlert(Store& store, JobId job, const AlertRequest& request, const std::string& actor) const;
  // Releases an alert. With `reviewedDigest`, the approval binds the content the approver saw:
  // it is refused (kFailedPrecondition) when the draft no longer has that digest.
  Status approve(Store& store, JobId job, const std::string& approver,
                 const std::optional<std::string>& reviewedDigest = std::nullopt) const;
  // The prepared correction of a released alert: a draft in every language of the original, to
  // the same area, class and bearers, referencing it. The original's unsent messages are
  // cancelled at once (stopping is always safe); the correction still needs a second person.
  Result<JobId> draftFalseAlarmCorrection(Store& store, JobId original, const std::string& actor) const;
  // A shop's campaign: the shop must be active, the start (`at`) not in the past, the lists its
  // own. Its cost (confirmed recipients x parts) is reserved from the shop's credits, or it is
  // refused naming the shortfall. A shop under moderation gets a draft an admin approves.
  Result<JobId> createCampaign(Store& store, const CampaignRequest& request, const std::string& actor,
                               IdempotencyKey* idempotency = nullptr) const;
  // Queued at once, or refused: the shop inactive, the declaration missing, the number
  // suppressed or withdrawn from the shop's messages, a field missing, the credits short.
  Result<JobId> sendShopMessage(Store& store, const ShopMessageRequest& request, const std::string& actor,
                                IdempotencyKey* idempotency = nullptr) const;
  // An admin releases (or turns down) a moderated shop's campaign.
  Status approveCampaign(Store& store, JobId job, const std::string& admin) const;
  // Per language, the campaign's text for a sample person in the shop's country: links as the
  // short links they become, the STOP footer of its reply route; and the parts every confirmed
  // recipient's message will take, counted with their own language, name and country.
  struct CampaignCost {
    Texts sample;
    int parts = 0;            // of the sample's longest text
    int64_t recipients = 0;   // with confirmed consent
    int64_t total = 0;        // parts for every one of them: their language, name and country
    int64_t pending = 0;      // granted, not yet confirmed: not sent to
  };
  Result<CampaignCost> campaignCost(StoreTx& tx, const Shop& shop, const CampaignRequest& request,
                                    const std::string& sender) const;
  // Cancels what is not sent yet. With `kind`, only a job of that kind (an alert route does not
  // cancel a campaign).
  Status cancel(Store& store, JobId job, const std::string& actor, const std::string& reason,
                std::optional<JobKind> kind = std::nullopt) const;
  // An approver turns down another person's draft alert, saying why; it is cancelled.
  Status reject(Store& store, JobId job, const std::string& actor, const std::string& reason) const;
  Status pause(Store& store, JobId job, const std::string& actor) const;
  Status resume(Store& store, JobId job, const std::string& actor) const;

  // Texts of an alert or campaign as they will leave, one per language.
  Result<std::vector<TextPreview>> previewTexts(const Texts& texts, int maxParts, bool footer) const;
  // The bearers a job sends through: its own choice, else every configured one that carries it.
  std::vector<std::string> bearersFor(const Job& job) const;

 private:
  Result<Job> alertJob(const AlertRequest& request) const;
  Status checkTexts(const Texts& texts, int maxParts, bool templates, bool footer) const;

  AuditLog& audit_;
  const policy::PolicyConfig& policies_;
  const Clock& clock_;
  std::vector<BearerEntry> bearers_;
  ShopSettings shops_;
};

// SHA-256 (hex) of everything an approver approves: class, mode, title, texts, sender, target,
// bearers, validity and reference. Any edit changes it.
std::string alertDigest(const Job& job);

// The prepared "false alarm" text in `language` (English when there is no translation).
std::string falseAlarmText(const std::string& language, const std::string& title);

}  // namespace tocsin::engine
