// The values the store keeps, named for what they mean to an operator or an auditor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/crypto/hash.h"
#include "common/jobs/job.h"

namespace tocsin {

using ContactId = int64_t;

// Personal fields of a contact besides the number; every one is optional.
struct ContactDetails {
  std::optional<std::string> name;
  std::optional<std::string> language;  // BCP 47 tag, e.g. "fr" or "en-GB"
  std::optional<std::string> timeZone;  // IANA name, e.g. "Europe/Paris"
  std::optional<std::string> zone;      // the municipality's zone code used for alert targeting
  std::optional<double> latitude;
  std::optional<double> longitude;
};

struct Contact {
  ContactId id = 0;
  std::string phone;       // E.164, e.g. "+33612345678"
  std::string numberType;  // libphonenumber's type: "mobile", "fixed_line", ...
  std::string region;      // ISO 3166 region of the number, e.g. "FR"
  ContactDetails details;
  std::string source;  // how the contact first arrived: "import", "kiosk", "api", "cli"
  Timestamp createdAt;
  Timestamp updatedAt;
};

enum class ConsentAction { kGranted, kConfirmed, kWithdrawn };
const char* consentActionName(ConsentAction a);
std::optional<ConsentAction> parseConsentAction(std::string_view s);

// One entry of a contact's consent history. Entries are only ever appended.
struct ConsentEvent {
  int64_t id = 0;
  ContactId contactId = 0;
  std::string purpose;  // "alerts" or "promotions:<shop>"
  ConsentAction action = ConsentAction::kGranted;
  // The exact text the person was shown (required for kGranted).
  std::optional<std::string> textId;
  std::optional<int64_t> textVersion;
  std::optional<std::string> textSha256;
  std::string language;  // language of the interaction
  std::string channel;   // "kiosk:<id>", "api:<client>", "sms:<keyword>", "import:<file>", "cli:<user>"
  std::string method;    // "checkbox", "confirmation-code", "sms-reply", "sms-keyword", "staff-entry", ...
  std::optional<std::string> evidence;  // e.g. the confirmation SMS's message id
  Timestamp recordedAt;
};

// A consent text exactly as shown, one version per (text id, language).
struct ConsentText {
  int64_t id = 0;
  std::string textId;
  std::string language;
  int64_t version = 0;
  std::string sha256;  // hex SHA-256 of body's UTF-8 bytes
  std::string body;
  Timestamp createdAt;
};

// One line of the tamper-evident audit log.
struct AuditEntry {
  int64_t seq = 0;
  Timestamp recordedAt;
  std::string actor;   // who: "cli:root", "kiosk:K-01", "token:alice", "system:retention"
  std::string action;  // what: "contact.import", "consent.grant", "contact.erase", ...
  std::string object;  // on what: "contact:42", "store", "file:residents.csv"
  std::string reason;  // why or details; never a phone number
  Digest prevMac{};
  Digest mac{};
};

// Where the audit chain starts once retention removed older entries.
struct AuditCheckpoint {
  int64_t seq = 0;  // the last removed entry's sequence number
  Digest mac{};     // that entry's MAC, which the next entry chains from
  Digest tag{};     // HMAC over (seq, mac) so the checkpoint itself cannot be forged
};

// A keyed fingerprint of an erased or opted-out number.
struct Suppression {
  Digest fingerprint{};
  int64_t keyVersion = 1;
  std::string reason;
  Timestamp createdAt;
};

// Rows whose content the audit chain vouches for: the consent history, the consent texts and
// the suppression fingerprints. Each insertion is bound by an audit entry holding the row's key
// and the SHA-256 of its content; each lawful removal (erasure, retention, a confirmed sign-up
// lifting a suppression) is retired by one.
inline constexpr const char* kProvenConsentEvents = "consent_events";
inline constexpr const char* kProvenConsentTexts = "consent_texts";
inline constexpr const char* kProvenSuppressions = "suppressions";

struct ProvenRow {
  std::string table;   // one of the kProven* names
  std::string key;     // the row id, or for a suppression the SHA-256 of its fingerprint (hex)
  std::string digest;  // hex SHA-256 of the row's canonical content (see row_digest.h)
  std::string label;   // for people reading a report: "contact:4 alerts withdrawn"; not in the digest
};

// A change to a proven row made in the current transaction, waiting for its audit entry.
struct ProvenChange {
  ProvenRow row;       // digest empty when removed
  bool removed = false;
  std::string reason;  // why a row was removed: "erasure", "retention", "signed up again"
};

// A key the store was made with, by fingerprint; the file itself stays outside the database.
struct KeyRecord {
  std::string name;         // "audit", "suppression", "export-signing"
  std::string fingerprint;  // secrets: HMAC of a fixed label; signing keys: of the public key
  std::optional<std::string> publicKey;  // signing keys: base64 of the raw public key
  Timestamp createdAt;
  std::optional<Timestamp> retiredAt;  // a rotated signing key: still trusted for old exports
};

// A contact's consent for one purpose as it stands now (kept from the history by the store).
struct ConsentStanding {
  ConsentAction state = ConsentAction::kGranted;  // granted = pending confirmation
  Timestamp since;
};

// Message states (see the v2 migration for the life of a message).
enum class MessageState { kQueued, kWaiting, kSubmitted, kSent, kDelivered, kFailed, kExpired, kCancelled, kRefused };
const char* messageStateName(MessageState s);
std::optional<MessageState> parseMessageState(std::string_view s);
bool isFinal(MessageState s);

// A message's id: its job in the high 32 bits, a number unique within the job in the low ones.
inline int64_t messageId(JobId job, int64_t sequence) { return (job << 32) + sequence; }
inline JobId jobOfMessage(int64_t id) { return id >> 32; }

struct NewMessage {
  JobId job = 0;
  int64_t sequence = 0;  // unique within the job, below 2^32: the contact id in a fan-out
  std::optional<ContactId> contact;
  std::string destination;
  std::optional<std::string> body;  // personalised text; nullopt: the job's text in `language`
  std::string language;
  int rank = 0;
  MessageState state = MessageState::kQueued;
  std::optional<Timestamp> notBefore;
  std::optional<std::string> bearer;     // preferred bearer (a reply leaves where the message came in)
  std::optional<std::string> lastError;  // for refused messages: the policy's reason
  Timestamp at;
};

// A message as the dispatcher takes it to send.
struct OutgoingMessage {
  int64_t id = 0;
  JobId job = 0;
  std::optional<ContactId> contact;
  std::string destination;
  std::optional<std::string> body;
  std::string language;
  int rank = 0;
  int attempts = 0;  // before this one
  std::optional<std::string> bearer;
};

// One message's row, for the views that list recipients.
struct MessageRecord {
  int64_t id = 0;
  JobId job = 0;
  std::optional<std::string> destination;
  MessageState state = MessageState::kQueued;
  int attempts = 0;
  std::optional<std::string> bearer;
  std::optional<std::string> carrierIds;
  std::optional<std::string> lastError;
  Timestamp updatedAt;
};

struct IncomingRecord {
  std::optional<ContactId> contact;
  std::string sender;
  std::string recipient;
  std::string body;
  std::string bearer;
  std::string intent;   // stop, start, help, code, other
  std::string outcome;  // what Tocsin did about it
  Timestamp receivedAt;
};

// A sign-up waiting for its code. Nothing about the person is written anywhere else until the
// code comes back (typed at the kiosk or replied by SMS): then the contact is created if new,
// and the grants and their confirmation are recorded. Unconfirmed sign-ups expire and are purged.
struct SignupText {
  std::string purpose;
  std::string textId;
  int64_t textVersion = 0;
};

struct SignupRecord {
  int64_t id = 0;
  std::string phone;                    // E.164 of the number the code went to
  std::string region;                   // the number's region and type, for a new contact
  std::string numberType;
  std::string codeHash;
  std::optional<std::string> name;      // for a new contact only; an existing one is not changed
  std::string source;                   // a new contact's source: "kiosk", "shop:bakery"
  std::vector<SignupText> texts;        // what was shown and ticked, per purpose
  std::optional<std::string> evidence;  // e.g. the age the person confirmed
  // A code sent before sign-ups waited (schema 5): its grants are recorded already and its
  // hash is keyed by this contact.
  std::optional<ContactId> legacyContact;
  std::string channel;                  // who took it: "kiosk:K-01", "api:bakery-web"
  std::string language;
  Timestamp createdAt;
  Timestamp expiresAt;
  int attempts = 0;
  std::optional<Timestamp> usedAt;
  // A withdrawal asked where a number is only typed: the code proves the phone's holder asked;
  // `texts` then name the purposes only.
  bool withdrawal = false;
};

// A kiosk enrolled for a shop's stand: paired once with a one-time code, then known by its
// token; what it last said of itself (version, sign-ups waiting in its outbox) for status.
struct KioskRecord {
  std::string id;    // "K-01"
  std::string shop;
  std::optional<std::string> pairingHash;  // SHA-256 of the open pairing code
  std::optional<Timestamp> pairingExpires;
  int pairingAttempts = 0;
  std::optional<std::string> tokenName;    // once paired
  std::string createdBy;
  Timestamp createdAt;
  std::optional<Timestamp> pairedAt;
  std::optional<Timestamp> revokedAt;
  std::optional<Timestamp> lastSeen;
  std::optional<std::string> version;
  int64_t waiting = 0;
};

// A person who acts on the appliance, whichever way: API tokens and an OS account map to them,
// so the two-person rule holds across the API and tocsinctl.
struct Person {
  std::string name;
  std::optional<std::string> osUser;
  std::string createdBy;
  Timestamp createdAt;
  std::optional<Timestamp> disabledAt;
};

// How a person signs in to the console: one role (and shop for a marketer), a password kept as
// a salted scrypt hash, and a TOTP secret once enrolled.
struct ConsoleAccount {
  std::string person;
  std::string role;
  std::optional<std::string> shop;
  std::string passwordHash;               // "scrypt$..." (common/crypto/password.h)
  std::optional<std::string> totpSecret;  // base32; nullopt: enrolled at the next sign-in
  bool totpConfirmed = false;             // a code from the secret was seen once
  int64_t totpLastStep = 0;               // the last time step accepted: a code is used once
  int64_t failures = 0;                   // failed sign-ins in a row
  std::optional<Timestamp> lockedUntil;
  Timestamp createdAt;
  Timestamp updatedAt;
};

// A named area an admin uploaded (a GeoJSON geometry), shown on the console's map.
struct Zone {
  std::string name;
  std::string geometry;  // GeoJSON Polygon or MultiPolygon, as validated
  std::string uploadedBy;
  Timestamp uploadedAt;
};

// A saved alert an operator starts from: the body of POST /v1/alerts, as JSON.
struct AlertTemplate {
  std::string name;
  std::string body;
  std::string createdBy;
  Timestamp createdAt;
};

// A shop as a customer of the appliance: registered by an admin, activated by its owner with a
// code sent by SMS, suspended or closed by an admin. Its id is the short name in its consent
// purpose ("promotions:<id>"), its tokens and its kiosks.
enum class ShopState { kPending, kActive, kSuspended, kClosed };
const char* shopStateName(ShopState s);
std::optional<ShopState> parseShopState(std::string_view name);

// How a shop pays for what it sends, in SMS parts: a balance topped up by an admin, a quota
// renewed each calendar month, or nothing counted (shops registered before credits existed).
enum class CreditMode { kBalance, kQuota, kUnmetered };
const char* creditModeName(CreditMode m);
std::optional<CreditMode> parseCreditMode(std::string_view name);

struct Shop {
  std::string id;
  std::string name;
  std::string country;                          // ISO 3166 alpha-2: its sender and STOP rules
  std::optional<std::string> ownerPhone;        // E.164; codes and low-balance alerts go there
  ShopState state = ShopState::kPending;
  std::vector<std::string> requestedSenders;    // what it asked for; an admin approves each
  std::optional<std::string> activationHash;    // SHA-256 of the code sent to the owner
  std::optional<Timestamp> activationExpires;
  int64_t activationAttempts = 0;
  bool moderation = false;                      // an admin approves each campaign first
  bool tracking = true;                         // links in campaigns become tracked short links
  CreditMode creditMode = CreditMode::kBalance;
  int64_t balance = 0;                          // parts available now, reservations taken off
  std::optional<int64_t> monthlyQuota;
  std::optional<std::string> quotaMonth;        // "2026-11": the month the balance was renewed for
  int64_t lowBalance = 0;                       // threshold in parts; 0: no alert
  bool lowAlerted = false;                      // below the threshold and already told
  std::string createdBy;
  Timestamp createdAt;
  std::optional<Timestamp> activatedAt;
  std::optional<Timestamp> closedAt;
};

// One line of a shop's credit history.
struct CreditEntry {
  std::string shop;
  std::optional<JobId> job;
  std::string kind;       // top_up, quota, reserve, charge, refund, adjust
  int64_t parts = 0;      // signed: what it did to the balance
  int64_t balanceAfter = 0;
  std::string actor;
  Timestamp at;
};

// What a job of a shop holds of its credits: reserved when accepted, charged for the parts the
// network took, the rest refunded once the job ends.
struct JobCredit {
  JobId job = 0;
  std::string shop;
  int64_t reserved = 0;   // still held against the balance
  int64_t charged = 0;    // taken for parts sent
  int64_t refunded = 0;
  std::optional<Timestamp> settledAt;  // last settlement; a finished job is settled once more later
  bool final = false;
};

// A shop's named list of contacts.
struct ContactList {
  int64_t id = 0;
  std::string shop;
  std::string name;
  int64_t members = 0;
  std::string createdBy;
  Timestamp createdAt;
};

// A tracked short link: one per recipient of a campaign's URL.
struct LinkRecord {
  std::string code;
  JobId job = 0;
  std::optional<ContactId> contact;
  std::string url;
  Timestamp createdAt;
};

struct LinkClick {
  std::string code;
  Timestamp at;
};

struct ClickCounts {
  int64_t links = 0;     // short links made
  int64_t clicks = 0;    // every click
  int64_t clicked = 0;   // links clicked at least once: recipients who clicked
};

struct UrlClicks {
  std::string url;
  ClickCounts counts;
};

// A bearer token of the operator API, as the store keeps it (its hash, never the token).
struct ApiToken {
  int64_t id = 0;
  std::string name;
  std::string role;
  std::optional<std::string> shop;
  std::optional<std::string> person;  // who uses it; nullopt: the token stands for itself
  std::string tokenHash;  // SHA-256, hex
  std::vector<std::string> allowFrom;
  std::string createdBy;
  Timestamp createdAt;
  std::optional<Timestamp> revokedAt;
};

// A webhook: where delivery reports and incoming messages are posted.
struct Webhook {
  int64_t id = 0;
  std::string name;
  std::string url;
  std::vector<std::string> events;  // "delivery", "incoming"
  std::string secret;               // hex HMAC key
  std::optional<std::string> shop;  // a shop's own: only its jobs' events; nullopt: the town's, every event
  std::string createdBy;
  Timestamp createdAt;
  std::optional<Timestamp> disabledAt;
};

struct WebhookDelivery {
  int64_t id = 0;
  int64_t webhook = 0;
  std::string url;
  std::string secret;
  std::string event;
  std::string payload;  // JSON
  int attempts = 0;
};

}  // namespace tocsin
