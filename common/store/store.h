// Store: the narrow interface to Tocsin's durable state.
//
// Everything durable goes through a unit of work: Store::write() runs a body inside one
// serialisable write transaction and commits it only if the body returns OK; Store::read()
// runs a body on a consistent snapshot. Inside a body, the repositories (contacts(),
// consent(), ...) speak in domain records and hide SQL entirely, so a PostgreSQL
// implementation only has to provide another StoreTx.
//
// Error contract: repository methods throw StoreFailure (from the implementation) on a
// storage failure; read()/write() catch it, roll back, and return it as a Status. Bodies
// report domain failures by returning a non-OK Status, which also rolls back.
//
// Threading: a Store instance is used by one thread at a time. Several processes (and
// several Store instances) may share one database; writers are serialised by the database.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/base/status.h"
#include "common/store/records.h"

namespace tocsin {

// A contact seen by a fan-out: what the audience rules need, nothing more.
struct AudienceMember {
  ContactId id = 0;
  std::string phone;
  std::string region;
  std::string source;
  std::optional<std::string> name;
  std::optional<std::string> language;
  std::optional<std::string> timeZone;
  std::optional<std::string> zone;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<ConsentStanding> standing;  // on the purpose asked for
};

struct NewContact {
  std::string phone;
  std::string numberType;
  std::string region;
  ContactDetails details;
  std::string source;
  Timestamp at;
};

// Where a fan-out stands among the contacts: opaque to callers, 0 at the start.
using ScanCursor = int64_t;
struct ScanStep {
  ScanCursor next = 0;   // where the next step starts
  int64_t scanned = 0;   // contacts visited in this step
  bool finished = false;  // nothing is left after this step
};

class ContactRepository {
 public:
  virtual ~ContactRepository() = default;
  virtual std::optional<Contact> findByPhone(std::string_view e164) = 0;
  virtual std::optional<Contact> findById(ContactId id) = 0;
  // The contacts of `ids` that exist, in a few statements whatever their number.
  virtual std::vector<Contact> findByIds(const std::vector<ContactId>& ids) = 0;
  virtual ContactId insert(const NewContact& contact) = 0;
  // Inserts unless the number is already a contact; nullopt in that case.
  virtual std::optional<ContactId> insertIfAbsent(const NewContact& contact) = 0;
  // Replaces every detail field (an unset optional clears it).
  virtual void updateDetails(ContactId id, const ContactDetails& details, Timestamp at) = 0;
  virtual int64_t count() = 0;
  // Visits contacts in id order, starting after `afterId`, at most `limit` of them.
  virtual void list(ContactId afterId, int64_t limit, const std::function<void(const Contact&)>& visit) = 0;
  // Streams the contacts an alert or a campaign may reach, at most `limit` of them from `from`:
  // those in one of `zones` (every contact when `zones` is empty), each with where it stands on
  // `purpose`. With zones, the zones are walked one after the other through their index, so a
  // small zone costs what it holds, not what the table holds.
  virtual ScanStep scanAudience(ScanCursor from, int64_t limit, const std::vector<std::string>& zones,
                                std::string_view purpose, const std::function<void(const AudienceMember&)>& visit) = 0;
};

struct ConsentExportFilter {
  std::optional<Timestamp> from;   // events recorded at or after
  std::optional<Timestamp> to;     // events recorded before
  std::optional<std::string> purpose;
};

class ConsentRepository {
 public:
  virtual ~ConsentRepository() = default;
  virtual int64_t append(const ConsentEvent& event) = 0;
  virtual std::vector<ConsentEvent> history(ContactId contact) = 0;
  virtual std::optional<ConsentEvent> latest(ContactId contact, std::string_view purpose) = 0;
  // True when a confirmation for `purpose` was recorded at or before `asOf` and no withdrawal
  // came after it. One query.
  virtual bool hasValidConsent(ContactId contact, std::string_view purpose, Timestamp asOf) = 0;
  // Where the contact stands now on `purpose` (kept by the store from the history); nullopt when
  // the contact never had an event for it.
  virtual std::optional<ConsentStanding> standing(ContactId contact, std::string_view purpose) = 0;
  // The same for many contacts at once: those with a standing on `purpose`.
  virtual std::unordered_map<ContactId, ConsentStanding> standingOf(const std::vector<ContactId>& contacts,
                                                                     std::string_view purpose) = 0;
  // Every purpose the contact has a standing for.
  virtual std::vector<std::pair<std::string, ConsentStanding>> standings(ContactId contact) = 0;
  // Streams every event matching the filter with the contact's current phone number, in order.
  virtual void forEachForExport(const ConsentExportFilter& filter,
                                const std::function<void(const ConsentEvent&, const std::string& phone)>& visit) = 0;
  virtual int64_t countEvents() = 0;

  virtual std::optional<ConsentText> findText(std::string_view textId, std::string_view language,
                                              std::optional<int64_t> version) = 0;  // nullopt: newest
  virtual std::optional<ConsentText> findTextByHash(std::string_view textId, std::string_view language,
                                                    std::string_view sha256) = 0;
  virtual ConsentText insertText(const ConsentText& text) = 0;  // assigns id; version is given
  // The purpose a text id asks consent for (nullopt: not bound yet), and binding it.
  virtual std::optional<std::string> textPurpose(std::string_view textId) = 0;
  virtual void bindTextPurpose(std::string_view textId, std::string_view purpose) = 0;
  // The newest version, per text id and language, of the texts bound to `purpose`.
  virtual std::vector<ConsentText> currentTexts(std::string_view purpose) = 0;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  virtual std::optional<AuditEntry> last() = 0;
  virtual void append(const AuditEntry& entry) = 0;
  // Visits every entry in sequence order.
  virtual void forEach(const std::function<void(const AuditEntry&)>& visit) = 0;
  virtual int64_t count() = 0;
  // Visits entries with seq > afterSeq, at most `limit`, newest last.
  virtual void page(int64_t afterSeq, int64_t limit, const std::function<void(const AuditEntry&)>& visit) = 0;
  virtual std::optional<AuditCheckpoint> checkpoint() = 0;
  virtual void setCheckpoint(const AuditCheckpoint& checkpoint) = 0;
  // The newest entry recorded before `cutoff`, if any.
  virtual std::optional<AuditEntry> lastBefore(Timestamp cutoff) = 0;
  // Deletes every entry with seq <= `seq`; returns how many.
  virtual int64_t deleteThrough(int64_t seq) = 0;

  // What the chain vouches for, as the store holds it now.
  virtual void forEachProvenRow(const std::function<void(const ProvenRow&)>& visit) = 0;
  // Consent standings that differ from what the consent history says (kept by triggers, so a
  // difference means someone wrote to the table directly).
  struct StandingMismatch {
    ContactId contact = 0;
    std::string purpose;
    std::string stored;   // "" when the standing row is missing
    std::string derived;  // "" when the history has no event for it
  };
  virtual std::vector<StandingMismatch> standingMismatches() = 0;
  // Rows of a store made before proven rows were bound: bound once, on first open.
  virtual bool adoptionPending() = 0;
  virtual void adoptionDone() = 0;

  // The keys the store was made with.
  virtual std::vector<KeyRecord> keyRecords() = 0;
  virtual void addKeyRecord(const KeyRecord& record) = 0;
  virtual void retireKeyRecord(const std::string& name, const std::string& fingerprint, Timestamp at) = 0;
  // Nothing was ever recorded in the store: no audit entry, contact, consent or suppression.
  virtual bool isBlank() = 0;
};

class SuppressionRepository {
 public:
  virtual ~SuppressionRepository() = default;
  virtual bool contains(const Digest& fingerprint) = 0;
  // Which of `fingerprints` are on the list, in a few statements whatever their number.
  virtual std::set<Digest> containing(const std::vector<Digest>& fingerprints) = 0;
  // Adds the fingerprint unless present; returns true if it was added.
  virtual bool add(const Suppression& entry) = 0;
  virtual bool remove(const Digest& fingerprint) = 0;
  virtual int64_t count() = 0;
};

// What erasing one number removed, for the audit entry (counts only).
struct ErasureCounts {
  int64_t contacts = 0;
  int64_t consentEvents = 0;
  int64_t messagesScrubbed = 0;   // recipient, personalised body and error text cleared
  int64_t deliveryReports = 0;    // receipts of those messages
  int64_t incoming = 0;           // messages the number sent
  int64_t signups = 0;            // pending sign-ups holding the number
  int64_t webhookDeliveries = 0;  // posts not yet made, or kept after, that hold the number
  int64_t jobTargets = 0;         // jobs addressed to the number itself
  std::string summary() const;    // "consent_events=2 messages_scrubbed=1 ..."
};

// What the store holds about one number, for the person's own copy (GDPR art. 15).
struct PersonMessage {
  int64_t id = 0;
  JobId job = 0;
  std::string kind;   // alert, campaign, transactional
  std::string messageClass;
  std::string title;
  std::string state;
  std::optional<std::string> bearer;
  Timestamp createdAt;
  Timestamp updatedAt;
};
struct PersonIncoming {
  int64_t id = 0;
  std::optional<std::string> body;  // NULL once retention scrubbed it
  std::string intent;
  std::string outcome;
  std::string bearer;
  Timestamp receivedAt;
};
struct PersonRecords {
  std::vector<PersonMessage> messages;
  std::vector<PersonIncoming> incoming;
  int64_t pendingSignups = 0;
};

// Counts for the records-of-processing report.
struct ProcessingCounts {
  int64_t contacts = 0;
  int64_t contactsWithName = 0;
  std::vector<std::tuple<std::string, std::string, int64_t>> standings;  // purpose, state, contacts
  int64_t consentEvents = 0;
  int64_t consentTexts = 0;
  int64_t suppressions = 0;
  int64_t messagesWithRecipient = 0;  // not yet scrubbed
  int64_t incomingWithSender = 0;
  int64_t pendingSignups = 0;
  int64_t webhookDeliveries = 0;
  int64_t auditEntries = 0;
};

// Bulk deletions done by retention and erasure. Each opens the consent log's purge gate for
// itself only, so no other code path can delete consent history. Proven rows removed are
// reported to the audit log (see StoreTx::takeProvenChanges) with `reason`.
class PrivacyRepository {
 public:
  virtual ~PrivacyRepository() = default;
  // Removes every trace of the number `phone` (E.164): its contact if it has one, with the
  // consent history, and everywhere else the number, its name or what it sent can be.
  virtual ErasureCounts eraseNumber(std::optional<ContactId> contact, const std::string& phone,
                                    const std::string& reason) = 0;
  // Clears body and recipient of final messages last changed before `cutoff`.
  virtual int64_t scrubMessagesBefore(Timestamp cutoff) = 0;
  virtual int64_t deleteDeliveryReportsBefore(Timestamp cutoff) = 0;
  // Deletes grants never confirmed nor withdrawn recorded before `cutoff`, then contacts that
  // came in through a sign-up and are left without any consent history.
  virtual int64_t deleteUnconfirmedSignupsBefore(Timestamp cutoff) = 0;
  // Deletes contacts with no valid consent for any purpose whose last activity (creation,
  // update or consent event) is before `cutoff`. Numbers that had withdrawn a consent are
  // added to `withdrawnPhones` so the caller can keep a suppression fingerprint.
  virtual int64_t deleteContactsWithoutConsentBefore(Timestamp cutoff, std::vector<std::string>& withdrawnPhones) = 0;
  virtual int64_t deleteSuppressionsBefore(Timestamp cutoff) = 0;

  virtual PersonRecords personRecords(std::optional<ContactId> contact, const std::string& phone) = 0;
  virtual ProcessingCounts processingCounts() = 0;
};

// Per-job message counts by state, kept by the store in the same transaction as every change.
struct JobProgress {
  std::map<MessageState, int64_t> counts;
  int64_t count(MessageState s) const {
    auto it = counts.find(s);
    return it == counts.end() ? 0 : it->second;
  }
  int64_t total() const {
    int64_t n = 0;
    for (const auto& [state, count] : counts) n += count;
    return n;
  }
};

// How many of a job's messages are in each state, per bearer and, for those that ended badly,
// per reason.
struct MessageTally {
  std::string bearer;  // "" when none was used
  MessageState state = MessageState::kQueued;
  std::string reason;  // failed, expired, cancelled, refused only
  int64_t count = 0;
};

struct ZoneTally {
  std::string zone;
  MessageState state = MessageState::kQueued;
  int64_t count = 0;
};

// Messages per class and state over every job.
struct ClassCount {
  MessageClass messageClass = MessageClass::kPromotional;
  MessageState state = MessageState::kQueued;
  int64_t count = 0;
};

// A job's moving parts without its content: what the broadcaster's loop reads every pass.
struct JobStatus {
  JobId id = 0;
  JobKind kind = JobKind::kAlert;
  MessageClass messageClass = MessageClass::kPublicSafety;
  JobState state = JobState::kDraft;
  std::optional<Timestamp> notBefore;
  std::optional<Timestamp> expiresAt;
  int64_t expandCursor = 0;
  int64_t recipients = 0;
};

class JobRepository {
 public:
  virtual ~JobRepository() = default;
  virtual JobId insert(const Job& job) = 0;  // assigns the id
  virtual std::optional<Job> find(JobId id) = 0;
  virtual std::optional<JobStatus> status(JobId id) = 0;
  // The shop a job belongs to (a campaign or a shop's own message), from its purpose.
  virtual std::optional<std::string> shopOf(JobId id) = 0;
  // Jobs in any of `states`, oldest first, without their content.
  virtual std::vector<JobStatus> statusesIn(const std::vector<JobState>& states) = 0;
  // Jobs in any of `states`, newest first, at most `limit` (-1: all of them).
  virtual std::vector<Job> inStates(const std::vector<JobState>& states, int64_t limit = -1) = 0;
  // Jobs of `kind` with ids below `beforeId` (0: from the newest), newest first, at most `limit`.
  virtual std::vector<Job> recent(JobKind kind, JobId beforeId, int64_t limit) = 0;
  // The newest alert drafted from the CAP message `identifier` of `sender`.
  virtual std::optional<JobId> findByCapMessage(std::string_view sender, std::string_view identifier) = 0;
  virtual void setState(JobId id, JobState state, Timestamp at) = 0;
  virtual void approve(JobId id, const std::string& approver, Timestamp at) = 0;
  // Replaces what a draft says (title, texts, sender, target, bearers, class, mode, details,
  // validity); false when the job is no longer a draft.
  virtual bool replaceDraft(const Job& job, Timestamp at) = 0;
  // Records fan-out progress: contacts up to `cursor` are expanded, `added` more recipients.
  virtual void advanceExpansion(JobId id, ScanCursor cursor, int64_t added, Timestamp at) = 0;
  virtual JobProgress progress(JobId id) = 0;
  virtual std::vector<ClassCount> countsByClass() = 0;
  // A creation request's idempotency key (hashed) within `scope` (the person or token asking):
  // the job it made and a hash of the request, so a retry finds the job instead of a second one.
  struct RequestKey {
    std::string requestHash;
    JobId job = 0;
  };
  virtual std::optional<RequestKey> findRequestKey(const std::string& scope, const std::string& keyHash) = 0;
  // Also forgets keys created before `forgetBefore`.
  virtual void rememberRequestKey(const std::string& scope, const std::string& keyHash, const RequestKey& key,
                                  Timestamp at, Timestamp forgetBefore) = 0;
};

// Outcome of a message's part or whole, as the dispatcher records it.
struct MessageOutcome {
  int64_t id = 0;
  MessageState state = MessageState::kSent;
  std::optional<std::string> bearer;
  std::optional<std::string> carrierIds;
  std::optional<int> parts;
  std::optional<std::string> error;
  std::optional<Timestamp> notBefore;  // for kWaiting / kQueued retries
  int attemptDelta = 0;                // -1 undoes the attempt a claim counted (never handed over)
};

// One step of an alert's fan-out done inside the store (the fast path for targets given as zones
// or "everyone"): the same rule as policy::alertAudience, applied to the next `batch` contacts
// from `from`, walked as scanAudience() walks them.
struct AlertFanOut {
  JobId job = 0;
  int rank = 0;
  bool national = false;                  // nobody may opt out
  bool everyone = false;
  std::vector<std::string> zones;         // when not everyone
  std::vector<std::string> languages;     // the job's text languages; the first is the default
  ScanCursor from = 0;
  int64_t batch = 0;
  Timestamp at;
};
struct FanOutStep {
  ScanStep scan;
  int64_t queued = 0;
  int64_t refused = 0;
};

struct DeliveryReport {
  std::optional<int64_t> message;
  int part = 0;
  std::string bearer;
  std::string carrierId;
  std::string status;  // delivered, failed, expired, pending
  std::string detail;
  Timestamp receivedAt;
};

// Who holds the messages a claim takes, and until when. Several broadcaster nodes may share one
// store: a node renews the leases of what it holds while it lives; one that dies loses its
// claims when their lease ends, and another node sends them.
struct Lease {
  std::string node;                // "" on a single node: held until that node says otherwise
  std::optional<Timestamp> until;  // nullopt: no end
};

class MessageRepository {
 public:
  virtual ~MessageRepository() = default;
  // Inserts one message. Per-job counts are not touched: the caller adds them with
  // countInserted() once per batch.
  virtual int64_t insert(const NewMessage& message) = 0;
  virtual void countInserted(JobId job, MessageState state, int64_t n) = 0;
  // Inserts an alert fan-out step's messages (and counts them) in a few statements.
  virtual FanOutStep fanOutAlert(const AlertFanOut& step) = 0;
  // Up to `limit` queued messages of rank >= `minRank`, most urgent first (then oldest), marked
  // submitted with one more attempt, leaving out the messages of `skipJobs`. The caller hands
  // them to bearers once this commits, and records which bearer with the outcome.
  // On PostgreSQL, rows another node is claiming at the same moment are skipped (SKIP LOCKED).
  virtual std::vector<OutgoingMessage> claim(int minRank, int64_t limit, Timestamp at,
                                             const std::vector<JobId>& skipJobs = {}, const Lease& lease = {}) = 0;
  // Extends the leases of the messages `ids` that `lease.node` holds (those its bearers have);
  // returns how many. A claim whose commit was lost with the server is not among them: its
  // lease ends and the message is sent again.
  virtual int64_t renewLeases(const Lease& lease, const std::vector<int64_t>& ids) = 0;
  virtual void record(const MessageOutcome& outcome, Timestamp at) = 0;
  // The same for many messages, in order, in a few statements whatever their number (a
  // broadcast's acceptances, recorded once per dispatcher pass).
  virtual void recordAll(const std::vector<MessageOutcome>& outcomes, Timestamp at) = 0;
  // Waiting messages whose time has come go back to the queue; returns how many.
  virtual int64_t releaseWaiting(Timestamp now) = 0;
  // The earliest time a waiting message wakes up.
  virtual std::optional<Timestamp> nextWaiting() = 0;
  // After a crash: messages handed to a bearer whose outcome is unknown go back to the queue
  // (they will be sent again: a possible duplicate, never a loss). Returns how many. With a
  // `node`, only those it held, those nobody holds and those whose lease ended: the other
  // nodes' are still on their way.
  virtual int64_t requeueSubmitted(const std::string& reason, Timestamp at, const std::string& node = "") = 0;
  // Messages whose holder's lease ended before `at` (the node died) go back to the queue.
  virtual int64_t requeueExpired(const std::string& reason, Timestamp at) = 0;
  // Messages not yet final in job `job` become `state` (cancelled, expired) with `reason`.
  virtual int64_t finishPending(JobId job, MessageState state, const std::string& reason, Timestamp at) = 0;
  // A paused job's queued messages are held (waiting with no time) until it resumes.
  virtual int64_t holdQueued(JobId job, Timestamp at) = 0;
  virtual int64_t releaseHeld(JobId job, Timestamp at) = 0;
  // Queued, waiting (a retry's backoff) or held by a bearer of any node at `rank` or above:
  // still to be sent.
  virtual bool anyPendingAtOrAbove(int rank) = 0;
  // Promotional messages to the contact created at or after `since`: how many, and the oldest.
  virtual std::pair<int, std::optional<Timestamp>> recentPromotional(ContactId contact, Timestamp since) = 0;
  virtual void addDeliveryReport(const DeliveryReport& report) = 0;
  // A receipt said part `part` (0-based) of message `id` was delivered: counted in the store, so
  // a long message is delivered once every part is, across restarts. True when every part of
  // the message (as many as recorded when it was sent, at least one) is now delivered.
  virtual bool recordPartDelivered(int64_t id, int part) = 0;
  virtual std::vector<MessageRecord> ofJob(JobId job, std::optional<MessageState> state, int64_t afterId,
                                           int64_t limit) = 0;
  virtual std::optional<MessageRecord> find(int64_t id) = 0;
  // Reads every message of the job: for status views, not for loops.
  virtual std::vector<MessageTally> tally(JobId job, size_t maxRows) = 0;
  // A job's messages per zone of their recipients ("" for none or an erased contact) and state.
  virtual std::vector<ZoneTally> tallyByZone(JobId job, size_t maxRows) = 0;
};

class InboxRepository {
 public:
  virtual ~InboxRepository() = default;
  virtual int64_t addIncoming(const IncomingRecord& message) = 0;
};

class SignupRepository {
 public:
  virtual ~SignupRepository() = default;
  virtual int64_t add(const SignupRecord& signup) = 0;
  virtual void setCodeHash(int64_t id, const std::string& codeHash) = 0;
  virtual std::optional<SignupRecord> find(int64_t id) = 0;
  // Unused, unexpired sign-ups of a number, newest first.
  virtual std::vector<SignupRecord> open(const std::string& phone, Timestamp now) = 0;
  // Sign-ups started for a number since `since` (codes sent), used or not.
  virtual int64_t countSince(const std::string& phone, Timestamp since) = 0;
  virtual void markUsed(int64_t id, Timestamp at) = 0;
  virtual void countAttempt(int64_t id) = 0;
  // Deletes the sign-ups that expired or were used before `before`; returns how many.
  virtual int64_t purge(Timestamp before) = 0;
};

class RuntimeStatusRepository {
 public:
  virtual ~RuntimeStatusRepository() = default;
  virtual void put(const std::string& key, const std::string& json, Timestamp at) = 0;
  // Every entry whose key starts with `prefix`: key -> (json, updated at).
  virtual std::map<std::string, std::pair<std::string, Timestamp>> get(const std::string& prefix) = 0;
  // The database server's own clock (PostgreSQL), by which nodes that share the store measure
  // their leases, whatever their own clocks say; nullopt for a file on this machine.
  virtual std::optional<Timestamp> serverClock() = 0;
};

class PeopleRepository {
 public:
  virtual ~PeopleRepository() = default;
  virtual void insert(const Person& person) = 0;
  virtual std::optional<Person> find(const std::string& name) = 0;
  virtual std::optional<Person> findByOsUser(const std::string& osUser) = 0;
  virtual std::vector<Person> list() = 0;
  virtual void disable(const std::string& name, Timestamp at) = 0;
};

// The sender IDs an admin approved for each shop.
class SenderRepository {
 public:
  virtual ~SenderRepository() = default;
  virtual void approve(const std::string& shop, const std::string& sender, const std::string& by, Timestamp at) = 0;
  virtual bool revoke(const std::string& shop, const std::string& sender) = 0;
  virtual bool isApproved(const std::string& shop, const std::string& sender) = 0;
  virtual std::vector<std::string> approved(const std::string& shop) = 0;
};

// What the console keeps: people's sign-in accounts, the zones' boundaries, alert templates.
class ConsoleRepository {
 public:
  virtual ~ConsoleRepository() = default;
  virtual void saveAccount(const ConsoleAccount& account) = 0;  // inserts or replaces
  virtual std::optional<ConsoleAccount> findAccount(const std::string& person) = 0;
  virtual std::vector<ConsoleAccount> accounts() = 0;
  virtual void replaceZones(const std::vector<Zone>& zones) = 0;
  virtual std::vector<Zone> zones() = 0;
  virtual void saveTemplate(const AlertTemplate& t) = 0;  // inserts or replaces
  virtual bool removeTemplate(const std::string& name) = 0;
  virtual std::vector<AlertTemplate> templates() = 0;
};

// Shops as customers: their accounts, credits, lists and tags, and tracked links.
class ShopRepository {
 public:
  virtual ~ShopRepository() = default;
  virtual void saveShop(const Shop& shop) = 0;  // inserts or replaces
  virtual std::optional<Shop> findShop(const std::string& id) = 0;
  virtual std::vector<Shop> shops() = 0;

  virtual void addCredit(const CreditEntry& entry) = 0;
  // A shop's credit history from `from` (inclusive) to `to` (exclusive), oldest first.
  virtual std::vector<CreditEntry> credits(const std::string& shop, Timestamp from, Timestamp to) = 0;
  virtual void saveJobCredit(const JobCredit& credit) = 0;  // inserts or replaces
  virtual std::optional<JobCredit> findJobCredit(JobId job) = 0;
  // Jobs whose credits are not settled for good, and finished ones settled before `resettleBefore`
  // but not finally.
  virtual std::vector<JobCredit> openJobCredits() = 0;
  // Parts of a job's messages per state (a message whose parts are unknown counts as one).
  virtual std::map<std::string, int64_t> partsByState(JobId job) = 0;

  // Lists: ids are global; names unique per shop.
  virtual int64_t createList(const ContactList& list) = 0;
  virtual std::optional<ContactList> findList(const std::string& shop, const std::string& name) = 0;
  virtual std::vector<ContactList> lists(const std::string& shop) = 0;
  virtual void renameList(int64_t id, const std::string& name) = 0;
  virtual void deleteList(int64_t id) = 0;  // and its memberships
  virtual void forgetLists(const std::string& shop) = 0;  // every list, membership and tag of the shop
  virtual bool addMember(int64_t list, ContactId contact) = 0;     // false: already a member
  virtual bool removeMember(int64_t list, ContactId contact) = 0;  // false: was not
  virtual bool tag(const std::string& shop, const std::string& tag, ContactId contact) = 0;
  virtual bool untag(const std::string& shop, const std::string& tag, ContactId contact) = 0;
  virtual std::vector<std::pair<std::string, int64_t>> tags(const std::string& shop) = 0;  // tag, members
  // The audience of a shop's campaign: contacts in any of `lists`, tagged with any of `tags`, in
  // any of `zones`, or everyone; in id order after `from`, with their standing on `purpose`.
  virtual ScanStep scanShopAudience(ScanCursor from, int64_t limit, const std::vector<int64_t>& lists,
                                    const std::string& shop, const std::vector<std::string>& tags,
                                    const std::vector<std::string>& zones, bool everyone, std::string_view purpose,
                                    const std::function<void(const AudienceMember&)>& visit) = 0;

  virtual void insertLink(const LinkRecord& link) = 0;
  virtual std::optional<std::string> linkTarget(const std::string& code) = 0;  // the URL
  virtual void recordClicks(const std::vector<LinkClick>& clicks) = 0;          // unknown codes ignored
  virtual ClickCounts clicks(JobId job) = 0;
  virtual std::vector<UrlClicks> clicksByUrl(JobId job) = 0;  // from the links still kept
  virtual int64_t purgeLinks(Timestamp createdBefore) = 0;  // link records only; counts stay
};

class TokenRepository {
 public:
  virtual ~TokenRepository() = default;
  virtual int64_t insert(const ApiToken& token) = 0;  // assigns the id
  virtual std::optional<ApiToken> findByHash(const std::string& tokenHash) = 0;
  virtual std::optional<ApiToken> findByName(const std::string& name) = 0;
  virtual void revoke(int64_t id, Timestamp at) = 0;
  virtual std::vector<ApiToken> list() = 0;

  // Kiosks and their pairing.
  virtual void putKiosk(const KioskRecord& kiosk) = 0;  // insert or replace
  virtual std::optional<KioskRecord> findKiosk(const std::string& id) = 0;
  virtual std::vector<KioskRecord> listKiosks() = 0;
  // What a kiosk said of itself on its last call (not audited: it is status, not a change).
  virtual void noteKioskContact(const std::string& tokenName, const std::string& version, int64_t waiting,
                                Timestamp at) = 0;
};

class WebhookRepository {
 public:
  virtual ~WebhookRepository() = default;
  virtual int64_t insert(const Webhook& webhook) = 0;
  virtual std::optional<Webhook> findByName(const std::string& name) = 0;
  virtual std::vector<Webhook> list() = 0;
  virtual void disable(int64_t id, Timestamp at) = 0;
  // One pending delivery per enabled webhook subscribed to `event`: the town's, and the shop's
  // own when the event is about one of its jobs; returns how many.
  virtual int64_t enqueue(const std::string& event, const std::string& payload, Timestamp at,
                          const std::optional<std::string>& shop) = 0;
  // Pending deliveries due at `now`, oldest first, taken for posting: they are not due again
  // before `heldUntil`, so another node (or this one after a crash) posts them only if this one
  // has not recorded an outcome by then.
  virtual std::vector<WebhookDelivery> takeDue(Timestamp now, int64_t limit, Timestamp heldUntil) = 0;
  virtual void delivered(int64_t id, Timestamp at) = 0;
  virtual void retryAt(int64_t id, Timestamp next, const std::string& error, Timestamp at) = 0;
  virtual void failed(int64_t id, const std::string& error, Timestamp at) = 0;
  virtual int64_t deleteEndedBefore(Timestamp cutoff) = 0;
  virtual std::optional<Timestamp> nextDue() = 0;
};

class StoreTx {
 public:
  virtual ~StoreTx() = default;
  virtual ContactRepository& contacts() = 0;
  virtual ConsentRepository& consent() = 0;
  virtual AuditRepository& audit() = 0;
  virtual SuppressionRepository& suppressions() = 0;
  virtual PrivacyRepository& privacy() = 0;
  virtual JobRepository& jobs() = 0;
  virtual MessageRepository& messages() = 0;
  virtual InboxRepository& inbox() = 0;
  virtual SignupRepository& signups() = 0;
  virtual RuntimeStatusRepository& runtime() = 0;
  virtual TokenRepository& tokens() = 0;
  virtual WebhookRepository& webhooks() = 0;
  virtual PeopleRepository& people() = 0;
  virtual SenderRepository& senders() = 0;
  virtual ConsoleRepository& console() = 0;
  virtual ShopRepository& shops() = 0;
  // Proven rows inserted or removed since the transaction began (see records.h); the audit
  // log takes them before commit and binds each with an entry.
  virtual std::vector<ProvenChange> takeProvenChanges() = 0;
};

struct StoreInfo {
  std::string location;
  int schemaVersion = 0;
  // Set when this opening migrated the store forward: the version it had, and the copy of it
  // taken before the first migration step.
  int migratedFrom = 0;
  std::string migrationBackup;
};

class Store {
 public:
  using Body = std::function<Status(StoreTx&)>;
  virtual ~Store() = default;
  virtual Status read(const Body& body) = 0;
  virtual Status write(const Body& body) = 0;
  virtual StoreInfo info() const = 0;
  // After erasure: make sure deleted pages do not survive in the write-ahead log.
  virtual Status compact() = 0;
  // A number that changes whenever another connection (this process's or another's) commits to
  // the store: a cheap way to notice someone else's write without opening a transaction.
  virtual Result<uint64_t> changeCount() = 0;
};

}  // namespace tocsin
