// Shops as customers of the appliance: their accounts (registered by an admin, activated by the
// owner with a code sent by SMS, suspended or closed), their credits in SMS parts, their lists
// and tags of contacts, and the tracked short links their campaigns carry.
//
// Credits: a job of a shop reserves its estimated cost when it is accepted (refused, naming the
// shortfall, when the balance is short); once it ends, the parts the network took are charged
// and the rest of the reservation is refunded. A balance falling under the shop's threshold
// sends its owner one SMS and its webhooks one "low_balance" event, until it is topped up.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "broadcaster/engine/bearer_config.h"
#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/phone/phone.h"
#include "common/store/store.h"
#include "policies/policy_config.h"
#include "policies/promotion.h"

namespace tocsin::engine {

// The "shops" section:
//   "shops": {"public_url": "https://alerts.saint-tocsin.example", "link_code_length": 8,
//             "activation_validity": "24h"}
// Without a public_url, links in campaigns are sent as written and not tracked.
struct ShopSettings {
  std::string publicUrl;
  int linkCodeLength = 8;
  Micros activationValidity = std::chrono::hours(24);
};
Result<ShopSettings> parseShopSettings(const Poco::JSON::Object::Ptr& document);

// What an admin asks for when registering a shop.
struct ShopRequest {
  std::string id;     // short name: [a-z0-9-], 2 to 32
  std::string name;   // shown to people
  std::string country;
  std::string ownerPhone;  // as typed; normalised
  std::vector<std::string> senders;
  bool moderation = false;
  bool tracking = true;
  CreditMode creditMode = CreditMode::kBalance;
  int64_t credits = 0;  // first balance or monthly quota, in parts
  int64_t lowBalance = 0;
  bool activeNow = false;  // the installer on site: active at once, no code sent (audited as such)
};

// An admin's changes to a shop's settings; nullopt leaves one as it is.
struct ShopChanges {
  std::optional<bool> moderation;
  std::optional<bool> tracking;
  std::optional<int64_t> lowBalance;
  std::optional<int64_t> monthlyQuota;
};

// Checks a shop id: 2 to 32 of [a-z0-9-], starting with a letter or digit.
Status validateShopId(const std::string& id);

// The shop, active, for something it wants to do ("send a campaign"); a clear refusal otherwise.
Result<Shop> activeShop(StoreTx& tx, const std::string& id, const std::string& doing);

// The ids of the shop's lists named `names`, each once; kNotFound naming one that does not exist.
Result<std::vector<int64_t>> listIds(StoreTx& tx, const std::string& shop, const std::vector<std::string>& names);

// URLs (http:// or https://, up to a space) in `text`, in order.
std::vector<std::string> findUrls(const std::string& text);
// `text` with each URL replaced by what `shorten` returns for it.
std::string replaceUrls(const std::string& text, const std::function<std::string(const std::string&)>& shorten);
// A random short-link code of `length` characters from [A-Za-z0-9].
Result<std::string> newLinkCode(int length);

// How a recipient in `country` stops the shop's promotions sent under `sender` (see
// policy::stopFooterFor): the reply number its bearers take STOP on, if any.
policy::StopRoute stopRouteFor(const Shop& shop, const std::optional<std::string>& sender,
                               const std::vector<BearerEntry>& bearers, const std::vector<std::string>& chosenBearers,
                               const std::string& country);
// A campaign's text as it leaves: {name} filled, links shortened (when `shorten` is set), the
// STOP footer added.
std::string campaignMessage(const std::string& text, const std::optional<std::string>& name, const std::string& footer,
                            const std::function<std::string(const std::string&)>& shorten);

// Parts: credits inside a caller's write.
// Renews a quota shop's balance when a new month has begun.
void renewQuota(StoreTx& tx, Shop& shop, Timestamp now);
// Takes `parts` from the shop's balance for `job`; kResourceExhausted naming the shortfall when
// the balance is short. Unmetered shops reserve nothing.
Status reserveCredits(StoreTx& tx, AuditRecorder& audit, Shop& shop, JobId job, int64_t parts, const std::string& actor);
// Charges the parts `job`'s messages used and, when `finished`, refunds what is left of the
// reservation. Returns whether anything changed.
bool settleCredits(StoreTx& tx, AuditRecorder& audit, JobId job, bool finished);
// The parts a message took from the shop: sent, delivered, or handed to a bearer.
int64_t chargeableParts(const std::map<std::string, int64_t>& partsByState);

class ShopService {
 public:
  // Times come from the audit log's clock (each write's now).
  ShopService(AuditLog& audit, const PhoneNormalizer& phones, const policy::PolicyConfig& policies,
              const std::vector<BearerEntry>& bearers, ShopSettings settings)
      : audit_(audit), phones_(phones), policies_(policies), bearers_(bearers), settings_(std::move(settings)) {}

  // A pending shop; the activation code goes to the owner's mobile by SMS.
  Result<Shop> create(Store& store, const ShopRequest& request, const std::string& actor) const;
  // A new code (the old one stops working).
  Status resendCode(Store& store, const std::string& id, const std::string& actor) const;
  // The owner's code activates the shop; five wrong codes burn it.
  Result<Shop> activate(Store& store, const std::string& id, const std::string& code) const;
  // Activation by the installer on the appliance itself, without a code (audited as such).
  Status activateDirectly(Store& store, const std::string& id, const std::string& actor) const;
  // active <-> suspended; closed for good. Suspending pauses the shop's running campaigns;
  // closing cancels them, refunds their reservations, revokes its tokens and kiosks, disables
  // its people, and deletes its lists and tags (consent and messages follow their retention).
  Status suspend(Store& store, const std::string& id, const std::string& actor, const std::string& reason) const;
  Status resume(Store& store, const std::string& id, const std::string& actor) const;
  Status close(Store& store, const std::string& id, const std::string& actor, const std::string& reason) const;
  Status topUp(Store& store, const std::string& id, int64_t parts, const std::string& actor) const;
  Status change(Store& store, const std::string& id, const ShopChanges& changes, const std::string& actor) const;

  // Settles every finished job whose credits are still open: parts sent charged, the rest of
  // the reservation refunded. Returns how many jobs were settled.
  Result<int> settleOpen(Store& store) const;

  const ShopSettings& settings() const { return settings_; }

 private:
  Status queueCode(StoreTx& tx, AuditRecorder& rec, Shop& shop) const;

  AuditLog& audit_;
  const PhoneNormalizer& phones_;
  const policy::PolicyConfig& policies_;
  const std::vector<BearerEntry>& bearers_;
  ShopSettings settings_;
};

// The low-balance SMS and webhook event, sent once when a shop's balance is under its
// threshold; called after every change to a balance.
void noteBalance(StoreTx& tx, AuditRecorder& audit, Shop& shop);

}  // namespace tocsin::engine
