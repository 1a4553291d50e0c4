// The repositories behind the StoreTx of both stores (SqliteStore, PgStore), written once in
// SQL that both engines accept, over sql.h's connection. Private to common/store.
#pragma once

#include <utility>

#include "common/store/sql.h"
#include "common/store/store.h"

namespace tocsin::sql {

// A consent event or text from a statement selecting these columns, in this order (the
// events' columns prefixed "e.").
extern const char* const kConsentEventColumns;
extern const char* const kConsentTextColumns;
ConsentEvent readConsentEvent(const Statement& st);
ConsentText readConsentText(const Statement& st);

// Proven rows changed in the current transaction (see StoreTx::takeProvenChanges).
using ProvenLedger = std::vector<ProvenChange>;

// The next step of a walk over the audience (see ContactRepository::scanAudience): the contacts
// with ids in (after, last], in `zone` when it is set. A cursor is the index of the zone being
// walked (in the sorted list) in its high 32 bits and the last contact id in its low ones.
struct AudienceRange {
  std::optional<std::string> zone;
  ContactId after = 0, last = 0;
  ScanStep step;
  // The zone's contacts make up much of the range: reading the range in table order is cheaper
  // than going through the zone's index (which costs a table lookup per contact).
  bool dense = false;
  // The condition on the zone for a query over contacts `c` whose zone parameter is `?N`.
  std::string zoneCondition(int n) const;
};
AudienceRange audienceRange(Database& db, ScanCursor from, int64_t limit, std::vector<std::string> zones);

class SqlContacts final : public ContactRepository {
 public:
  explicit SqlContacts(Database& db) : db_(db) {}
  std::optional<Contact> findByPhone(std::string_view e164) override;
  std::optional<Contact> findById(ContactId id) override;
  std::vector<Contact> findByIds(const std::vector<ContactId>& ids) override;
  ContactId insert(const NewContact& contact) override;
  std::optional<ContactId> insertIfAbsent(const NewContact& contact) override;
  void updateDetails(ContactId id, const ContactDetails& details, Timestamp at) override;
  int64_t count() override;
  void list(ContactId afterId, int64_t limit, const std::function<void(const Contact&)>& visit) override;
  ScanStep scanAudience(ScanCursor from, int64_t limit, const std::vector<std::string>& zones, std::string_view purpose,
                        const std::function<void(const AudienceMember&)>& visit) override;

 private:
  Database& db_;
};

class SqlConsent final : public ConsentRepository {
 public:
  SqlConsent(Database& db, ProvenLedger& proven) : db_(db), proven_(proven) {}
  int64_t append(const ConsentEvent& event) override;
  std::vector<ConsentEvent> history(ContactId contact) override;
  std::optional<ConsentEvent> latest(ContactId contact, std::string_view purpose) override;
  bool hasValidConsent(ContactId contact, std::string_view purpose, Timestamp asOf) override;
  std::optional<ConsentStanding> standing(ContactId contact, std::string_view purpose) override;
  std::unordered_map<ContactId, ConsentStanding> standingOf(const std::vector<ContactId>& contacts,
                                                            std::string_view purpose) override;
  std::vector<std::pair<std::string, ConsentStanding>> standings(ContactId contact) override;
  void forEachForExport(const ConsentExportFilter& filter,
                        const std::function<void(const ConsentEvent&, const std::string& phone)>& visit) override;
  int64_t countEvents() override;
  std::optional<ConsentText> findText(std::string_view textId, std::string_view language,
                                      std::optional<int64_t> version) override;
  std::optional<ConsentText> findTextByHash(std::string_view textId, std::string_view language,
                                            std::string_view sha256) override;
  ConsentText insertText(const ConsentText& text) override;
  std::optional<std::string> textPurpose(std::string_view textId) override;
  void bindTextPurpose(std::string_view textId, std::string_view purpose) override;
  std::vector<ConsentText> currentTexts(std::string_view purpose) override;

 private:
  Database& db_;
  ProvenLedger& proven_;
};

class SqlAudit final : public AuditRepository {
 public:
  explicit SqlAudit(Database& db) : db_(db) {}
  std::optional<AuditEntry> last() override;
  void append(const AuditEntry& entry) override;
  void forEach(const std::function<void(const AuditEntry&)>& visit) override;
  int64_t count() override;
  void page(int64_t afterSeq, int64_t limit, const std::function<void(const AuditEntry&)>& visit) override;
  std::optional<AuditCheckpoint> checkpoint() override;
  void setCheckpoint(const AuditCheckpoint& checkpoint) override;
  std::optional<AuditEntry> lastBefore(Timestamp cutoff) override;
  int64_t deleteThrough(int64_t seq) override;
  void forEachProvenRow(const std::function<void(const ProvenRow&)>& visit) override;
  std::vector<StandingMismatch> standingMismatches() override;
  bool adoptionPending() override;
  void adoptionDone() override;
  std::vector<KeyRecord> keyRecords() override;
  void addKeyRecord(const KeyRecord& record) override;
  void retireKeyRecord(const std::string& name, const std::string& fingerprint, Timestamp at) override;
  bool isBlank() override;

 private:
  Database& db_;
};

class SqlSuppressions final : public SuppressionRepository {
 public:
  SqlSuppressions(Database& db, ProvenLedger& proven) : db_(db), proven_(proven) {}
  bool contains(const Digest& fingerprint) override;
  std::set<Digest> containing(const std::vector<Digest>& fingerprints) override;
  bool add(const Suppression& entry) override;
  bool remove(const Digest& fingerprint) override;
  int64_t count() override;

 private:
  Database& db_;
  ProvenLedger& proven_;
};

class SqlPrivacy final : public PrivacyRepository {
 public:
  SqlPrivacy(Database& db, ProvenLedger& proven) : db_(db), proven_(proven) {}
  ErasureCounts eraseNumber(std::optional<ContactId> contact, const std::string& phone,
                            const std::string& reason) override;
  int64_t scrubMessagesBefore(Timestamp cutoff) override;
  int64_t deleteDeliveryReportsBefore(Timestamp cutoff) override;
  int64_t deleteUnconfirmedSignupsBefore(Timestamp cutoff) override;
  int64_t deleteContactsWithoutConsentBefore(Timestamp cutoff, std::vector<std::string>& withdrawnPhones) override;
  int64_t deleteSuppressionsBefore(Timestamp cutoff) override;
  PersonRecords personRecords(std::optional<ContactId> contact, const std::string& phone) override;
  ProcessingCounts processingCounts() override;

 private:
  void removedConsentEvents(Statement& returningIds, const std::string& reason);
  Database& db_;
  ProvenLedger& proven_;
};

// Per-job message counts by state, kept in the store's job_counts table. Every state change is
// counted here as the repository makes it, and the sums are written in one statement per (job,
// state) before anything reads job_counts and before the transaction commits; a transaction that
// rolls back discards them. (A trigger per row cost two more statements per state change, a
// third of the broadcaster's store time.)
class JobCountLedger {
 public:
  explicit JobCountLedger(Database& db) : db_(db) {}
  void add(JobId job, MessageState state, int64_t n);
  void move(JobId job, MessageState from, MessageState to, int64_t n = 1) {
    if (from == to || n == 0) return;
    add(job, from, -n);
    add(job, to, n);
  }
  void flush();
  void discard() { pending_.clear(); }

 private:
  struct Delta {
    JobId job;
    MessageState state;
    int64_t n;
  };
  Database& db_;
  std::vector<Delta> pending_;  // a handful: the jobs and states one transaction touches
};

class SqlJobs final : public JobRepository {
 public:
  SqlJobs(Database& db, JobCountLedger& counts) : db_(db), counts_(counts) {}
  JobId insert(const Job& job) override;
  std::optional<Job> find(JobId id) override;
  std::optional<JobStatus> status(JobId id) override;
  std::optional<std::string> shopOf(JobId id) override;
  std::vector<JobStatus> statusesIn(const std::vector<JobState>& states) override;
  std::vector<Job> inStates(const std::vector<JobState>& states, int64_t limit) override;
  std::vector<Job> recent(JobKind kind, JobId beforeId, int64_t limit) override;
  std::optional<JobId> findByCapMessage(std::string_view sender, std::string_view identifier) override;
  void setState(JobId id, JobState state, Timestamp at) override;
  void approve(JobId id, const std::string& approver, Timestamp at) override;
  bool replaceDraft(const Job& job, Timestamp at) override;
  void advanceExpansion(JobId id, ScanCursor cursor, int64_t added, Timestamp at) override;
  JobProgress progress(JobId id) override;
  std::vector<ClassCount> countsByClass() override;
  std::optional<RequestKey> findRequestKey(const std::string& scope, const std::string& keyHash) override;
  void rememberRequestKey(const std::string& scope, const std::string& keyHash, const RequestKey& key, Timestamp at,
                          Timestamp forgetBefore) override;

 private:
  Database& db_;
  JobCountLedger& counts_;
};

class SqlMessages final : public MessageRepository {
 public:
  SqlMessages(Database& db, JobCountLedger& counts) : db_(db), counts_(counts) {}
  int64_t insert(const NewMessage& message) override;
  void countInserted(JobId job, MessageState state, int64_t n) override;
  FanOutStep fanOutAlert(const AlertFanOut& step) override;
  std::vector<OutgoingMessage> claim(int minRank, int64_t limit, Timestamp at, const std::vector<JobId>& skipJobs,
                                     const Lease& lease) override;
  void record(const MessageOutcome& outcome, Timestamp at) override;
  void recordAll(const std::vector<MessageOutcome>& outcomes, Timestamp at) override;
  int64_t releaseWaiting(Timestamp now) override;
  std::optional<Timestamp> nextWaiting() override;
  int64_t requeueSubmitted(const std::string& reason, Timestamp at, const std::string& node) override;
  int64_t requeueExpired(const std::string& reason, Timestamp at) override;
  int64_t renewLeases(const Lease& lease, const std::vector<int64_t>& ids) override;
  int64_t finishPending(JobId job, MessageState state, const std::string& reason, Timestamp at) override;
  int64_t holdQueued(JobId job, Timestamp at) override;
  int64_t releaseHeld(JobId job, Timestamp at) override;
  bool anyPendingAtOrAbove(int rank) override;
  std::pair<int, std::optional<Timestamp>> recentPromotional(ContactId contact, Timestamp since) override;
  void addDeliveryReport(const DeliveryReport& report) override;
  bool recordPartDelivered(int64_t id, int part) override;
  std::vector<MessageRecord> ofJob(JobId job, std::optional<MessageState> state, int64_t afterId, int64_t limit) override;
  std::optional<MessageRecord> find(int64_t id) override;
  std::vector<MessageTally> tally(JobId job, size_t maxRows) override;
  std::vector<ZoneTally> tallyByZone(JobId job, size_t maxRows) override;

 private:
  // Moves the messages a statement returned (`RETURNING job_id`) from `from` to `to` in the counts.
  int64_t countReturned(Statement& st, MessageState from, MessageState to);
  Database& db_;
  JobCountLedger& counts_;
};

class SqlInbox final : public InboxRepository {
 public:
  explicit SqlInbox(Database& db) : db_(db) {}
  int64_t addIncoming(const IncomingRecord& message) override;

 private:
  Database& db_;
};

class SqlSignups final : public SignupRepository {
 public:
  explicit SqlSignups(Database& db) : db_(db) {}
  int64_t add(const SignupRecord& signup) override;
  void setCodeHash(int64_t id, const std::string& codeHash) override;
  std::optional<SignupRecord> find(int64_t id) override;
  std::vector<SignupRecord> open(const std::string& phone, Timestamp now) override;
  int64_t countSince(const std::string& phone, Timestamp since) override;
  void markUsed(int64_t id, Timestamp at) override;
  void countAttempt(int64_t id) override;
  int64_t purge(Timestamp before) override;

 private:
  Database& db_;
};

class SqlRuntimeStatus final : public RuntimeStatusRepository {
 public:
  explicit SqlRuntimeStatus(Database& db) : db_(db) {}
  void put(const std::string& key, const std::string& json, Timestamp at) override;
  std::map<std::string, std::pair<std::string, Timestamp>> get(const std::string& prefix) override;
  std::optional<Timestamp> serverClock() override;

 private:
  Database& db_;
};

class SqlTokens final : public TokenRepository {
 public:
  explicit SqlTokens(Database& db) : db_(db) {}
  int64_t insert(const ApiToken& token) override;
  std::optional<ApiToken> findByHash(const std::string& tokenHash) override;
  std::optional<ApiToken> findByName(const std::string& name) override;
  void revoke(int64_t id, Timestamp at) override;
  std::vector<ApiToken> list() override;
  void putKiosk(const KioskRecord& kiosk) override;
  std::optional<KioskRecord> findKiosk(const std::string& id) override;
  std::vector<KioskRecord> listKiosks() override;
  void noteKioskContact(const std::string& tokenName, const std::string& version, int64_t waiting, Timestamp at) override;

 private:
  Database& db_;
};

class SqlWebhooks final : public WebhookRepository {
 public:
  explicit SqlWebhooks(Database& db) : db_(db) {}
  int64_t insert(const Webhook& webhook) override;
  std::optional<Webhook> findByName(const std::string& name) override;
  std::vector<Webhook> list() override;
  void disable(int64_t id, Timestamp at) override;
  int64_t enqueue(const std::string& event, const std::string& payload, Timestamp at,
                  const std::optional<std::string>& shop) override;
  std::vector<WebhookDelivery> takeDue(Timestamp now, int64_t limit, Timestamp heldUntil) override;
  void delivered(int64_t id, Timestamp at) override;
  void retryAt(int64_t id, Timestamp next, const std::string& error, Timestamp at) override;
  void failed(int64_t id, const std::string& error, Timestamp at) override;
  int64_t deleteEndedBefore(Timestamp cutoff) override;
  std::optional<Timestamp> nextDue() override;

 private:
  Database& db_;
};

class SqlPeople final : public PeopleRepository {
 public:
  explicit SqlPeople(Database& db) : db_(db) {}
  void insert(const Person& person) override;
  std::optional<Person> find(const std::string& name) override;
  std::optional<Person> findByOsUser(const std::string& osUser) override;
  std::vector<Person> list() override;
  void disable(const std::string& name, Timestamp at) override;

 private:
  Database& db_;
};

class SqlConsole final : public ConsoleRepository {
 public:
  explicit SqlConsole(Database& db) : db_(db) {}
  void saveAccount(const ConsoleAccount& account) override;
  std::optional<ConsoleAccount> findAccount(const std::string& person) override;
  std::vector<ConsoleAccount> accounts() override;
  void replaceZones(const std::vector<Zone>& zones) override;
  std::vector<Zone> zones() override;
  void saveTemplate(const AlertTemplate& t) override;
  bool removeTemplate(const std::string& name) override;
  std::vector<AlertTemplate> templates() override;

 private:
  Database& db_;
};

// One audience row: c.id, c.phone, c.region, c.source, c.name, c.language, c.time_zone, c.zone,
// c.latitude, c.longitude, then the standing's state and since (NULL when none).
void readAudienceRow(const Statement& st, AudienceMember& m);

class SqlShops final : public ShopRepository {
 public:
  explicit SqlShops(Database& db) : db_(db) {}
  void saveShop(const Shop& shop) override;
  std::optional<Shop> findShop(const std::string& id) override;
  std::vector<Shop> shops() override;
  void addCredit(const CreditEntry& entry) override;
  std::vector<CreditEntry> credits(const std::string& shop, Timestamp from, Timestamp to) override;
  void saveJobCredit(const JobCredit& credit) override;
  std::optional<JobCredit> findJobCredit(JobId job) override;
  std::vector<JobCredit> openJobCredits() override;
  std::map<std::string, int64_t> partsByState(JobId job) override;
  int64_t createList(const ContactList& list) override;
  std::optional<ContactList> findList(const std::string& shop, const std::string& name) override;
  std::vector<ContactList> lists(const std::string& shop) override;
  void renameList(int64_t id, const std::string& name) override;
  void deleteList(int64_t id) override;
  void forgetLists(const std::string& shop) override;
  bool addMember(int64_t list, ContactId contact) override;
  bool removeMember(int64_t list, ContactId contact) override;
  bool tag(const std::string& shop, const std::string& tag, ContactId contact) override;
  bool untag(const std::string& shop, const std::string& tag, ContactId contact) override;
  std::vector<std::pair<std::string, int64_t>> tags(const std::string& shop) override;
  ScanStep scanShopAudience(ScanCursor from, int64_t limit, const std::vector<int64_t>& lists, const std::string& shop,
                            const std::vector<std::string>& tags, const std::vector<std::string>& zones, bool everyone,
                            std::string_view purpose, const std::function<void(const AudienceMember&)>& visit) override;
  void insertLink(const LinkRecord& link) override;
  std::optional<std::string> linkTarget(const std::string& code) override;
  void recordClicks(const std::vector<LinkClick>& clicks) override;
  ClickCounts clicks(JobId job) override;
  std::vector<UrlClicks> clicksByUrl(JobId job) override;
  int64_t purgeLinks(Timestamp createdBefore) override;

 private:
  Database& db_;
};

class SqlSenders final : public SenderRepository {
 public:
  explicit SqlSenders(Database& db) : db_(db) {}
  void approve(const std::string& shop, const std::string& sender, const std::string& by, Timestamp at) override;
  bool revoke(const std::string& shop, const std::string& sender) override;
  bool isApproved(const std::string& shop, const std::string& sender) override;
  std::vector<std::string> approved(const std::string& shop) override;

 private:
  Database& db_;
};

// Opens the purge gate for the life of the object (inside the caller's transaction).
class PurgeGate {
 public:
  explicit PurgeGate(Database& db);
  ~PurgeGate();
  PurgeGate(const PurgeGate&) = delete;
  PurgeGate& operator=(const PurgeGate&) = delete;

 private:
  Database& db_;
};

Digest digestFromBlob(const std::vector<uint8_t>& blob);

// Every repository over one connection: the StoreTx that both engines' stores hand to bodies.
struct RepositorySet final : StoreTx {
  explicit RepositorySet(Database& database)
      : db(database), counts(db), contactsRepo(db), consentRepo(db, proven), auditRepo(db), suppressionRepo(db, proven),
        privacyRepo(db, proven), jobsRepo(db, counts), messagesRepo(db, counts), inboxRepo(db), signupsRepo(db),
        runtimeRepo(db), tokensRepo(db), webhooksRepo(db), peopleRepo(db), sendersRepo(db), consoleRepo(db), shopsRepo(db) {}

  ContactRepository& contacts() override { return contactsRepo; }
  ConsentRepository& consent() override { return consentRepo; }
  AuditRepository& audit() override { return auditRepo; }
  SuppressionRepository& suppressions() override { return suppressionRepo; }
  PrivacyRepository& privacy() override { return privacyRepo; }
  JobRepository& jobs() override { return jobsRepo; }
  MessageRepository& messages() override { return messagesRepo; }
  InboxRepository& inbox() override { return inboxRepo; }
  SignupRepository& signups() override { return signupsRepo; }
  RuntimeStatusRepository& runtime() override { return runtimeRepo; }
  TokenRepository& tokens() override { return tokensRepo; }
  WebhookRepository& webhooks() override { return webhooksRepo; }
  PeopleRepository& people() override { return peopleRepo; }
  SenderRepository& senders() override { return sendersRepo; }
  ConsoleRepository& console() override { return consoleRepo; }
  ShopRepository& shops() override { return shopsRepo; }
  std::vector<ProvenChange> takeProvenChanges() override { return std::exchange(proven, {}); }

  // Before a transaction's body runs (again): nothing pending from an earlier attempt.
  void startTransaction() {
    counts.discard();
    proven.clear();
  }

  Database& db;
  ProvenLedger proven;  // declared before the repositories that keep a reference to it
  JobCountLedger counts;
  SqlContacts contactsRepo;
  SqlConsent consentRepo;
  SqlAudit auditRepo;
  SqlSuppressions suppressionRepo;
  SqlPrivacy privacyRepo;
  SqlJobs jobsRepo;
  SqlMessages messagesRepo;
  SqlInbox inboxRepo;
  SqlSignups signupsRepo;
  SqlRuntimeStatus runtimeRepo;
  SqlTokens tokensRepo;
  SqlWebhooks webhooksRepo;
  SqlPeople peopleRepo;
  SqlSenders sendersRepo;
  SqlConsole consoleRepo;
  SqlShops shopsRepo;
};

}  // namespace tocsin::sql
