// The broadcaster's durable state: jobs, message states and their counts, claims, waiting,
// crash recovery, the consent standing kept from the history, fan-out scans and codes; and the
// migration of a real version-1 store.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <thread>

#include "common/consent/consent.h"
#include "common/store/migrations.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

Job makeJob(Timestamp at, JobKind kind = JobKind::kAlert, MessageClass cls = MessageClass::kSevere) {
  Job j;
  j.kind = kind;
  j.messageClass = cls;
  j.state = JobState::kSending;
  j.title = "Flood";
  j.texts = {{"en", "Leave the riverside now."}};
  j.target.all = true;
  j.createdBy = "test";
  j.createdAt = at;
  j.updatedAt = at;
  return j;
}

NewMessage message(JobId job, const std::string& to, int rank, Timestamp at) {
  static int64_t sequence = 0;
  NewMessage m;
  m.job = job;
  m.sequence = ++sequence;
  m.destination = to;
  m.language = "en";
  m.rank = rank;
  m.at = at;
  return m;
}

template <typename F>
void tx(StoreFixture& f, F body) {
  const Status st = f.store->write([&](StoreTx& t) {
    body(t);
    return Status::okStatus();
  });
  INFO(st.toString());
  REQUIRE(st.ok());
}

template <typename F>
void rd(StoreFixture& f, F body) {
  const Status st = f.store->read(body);
  INFO(st.toString());
  REQUIRE(st.ok());
}

}  // namespace

TEST_CASE("Claims take the most urgent queued messages first, then the oldest, and mark them submitted") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  tx(f, [&](StoreTx& t) {
    const JobId promo = t.jobs().insert(makeJob(now, JobKind::kCampaign, MessageClass::kPromotional));
    const JobId alert = t.jobs().insert(makeJob(now));
    for (int i = 0; i < 5; ++i) t.messages().insert(message(promo, "+3361000000" + std::to_string(i), 0, now));
    for (int i = 0; i < 3; ++i) t.messages().insert(message(alert, "+3362000000" + std::to_string(i), 5, now));
    t.messages().countInserted(promo, MessageState::kQueued, 5);
    t.messages().countInserted(alert, MessageState::kQueued, 3);
  });
  std::vector<OutgoingMessage> first;
  tx(f, [&](StoreTx& t) { first = t.messages().claim(0, 4, now); });
  REQUIRE(first.size() == 4);
  for (int i = 0; i < 3; ++i) CHECK(first[static_cast<size_t>(i)].rank == 5);
  CHECK(first[3].rank == 0);
  CHECK(first[0].id < first[1].id);
  // Promotions are not taken when only alerts may go.
  std::vector<OutgoingMessage> alertsOnly;
  tx(f, [&](StoreTx& t) { alertsOnly = t.messages().claim(1, 10, now); });
  CHECK(alertsOnly.empty());
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE state = 'submitted' AND attempts = 1") == "4");
  JobProgress p;
  rd(f, [&](StoreTx& t) {
    p = t.jobs().progress(1);
    return Status::okStatus();
  });
  CHECK(p.count(MessageState::kQueued) == 4);
  CHECK(p.count(MessageState::kSubmitted) == 1);
  CHECK(p.total() == 5);
}

TEST_CASE("The store's clock, by which nodes' leases are measured: the server's on PostgreSQL, none for a file") {
  StoreFixture f;
  std::optional<Timestamp> first, second;
  tx(f, [&](StoreTx& t) { first = t.runtime().serverClock(); });
  if (!f.onPostgres()) {
    CHECK(!first);
    return;
  }
  // The server is on this machine here, so its clock reads as ours; and it moves within a transaction.
  const auto real = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  REQUIRE(first);
  CHECK(std::chrono::abs(*first - real) < std::chrono::seconds(5));
  tx(f, [&](StoreTx& t) {
    const auto a = t.runtime().serverClock();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    second = t.runtime().serverClock();
    REQUIRE(a);
    CHECK(*second - *a >= std::chrono::milliseconds(20));
  });
}

TEST_CASE("Nodes hold their claims under leases: a live node's are left alone, a dead node's come back when the lease ends") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  const auto seconds = [](int n) { return std::chrono::seconds(n); };
  JobId job = 0;
  tx(f, [&](StoreTx& t) {
    job = t.jobs().insert(makeJob(now));
    for (int i = 0; i < 6; ++i) t.messages().insert(message(job, "+3362000000" + std::to_string(i), 5, now));
    t.messages().countInserted(job, MessageState::kQueued, 6);
  });
  std::vector<OutgoingMessage> a, b;
  tx(f, [&](StoreTx& t) { a = t.messages().claim(0, 3, now, {}, Lease{"node-a", now + seconds(10)}); });
  tx(f, [&](StoreTx& t) { b = t.messages().claim(0, 3, now, {}, Lease{"node-b", now + seconds(10)}); });
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  CHECK(a.back().id < b.front().id);  // disjoint: each took the next three
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE claimed_by = 'node-a'") == "3");
  // Node B restarts: it takes back its own claims only; A's are still on their way.
  int64_t n = -1;
  tx(f, [&](StoreTx& t) { n = t.messages().requeueSubmitted("restart", now + seconds(1), "node-b"); });
  CHECK(n == 3);
  // A keeps renewing; nothing expires while it does.
  tx(f, [&](StoreTx& t) {
    std::vector<int64_t> held;
    for (const auto& m : a) held.push_back(m.id);
    CHECK(t.messages().renewLeases(Lease{"node-a", now + seconds(18)}, held) == 3);
    CHECK(t.messages().renewLeases(Lease{"node-b", now + seconds(18)}, held) == 0);  // not B's
    n = t.messages().requeueExpired("lease ended", now + seconds(12));
  });
  CHECK(n == 0);
  // A dies: once its lease has ended, its messages are queued again, for anyone.
  tx(f, [&](StoreTx& t) { n = t.messages().requeueExpired("lease ended", now + seconds(17)); });
  CHECK(n == 0);
  tx(f, [&](StoreTx& t) { n = t.messages().requeueExpired("lease ended", now + seconds(19)); });
  CHECK(n == 3);
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE state = 'queued' AND claimed_by IS NULL") == "6");
  // A claimed alert counts as pending on every node until its outcome is recorded.
  std::vector<OutgoingMessage> c;
  tx(f, [&](StoreTx& t) { c = t.messages().claim(0, 6, now + seconds(20), {}, Lease{"node-b", now + seconds(30)}); });
  REQUIRE(c.size() == 6);
  rd(f, [&](StoreTx& t) {
    CHECK(t.messages().anyPendingAtOrAbove(5));
    return Status::okStatus();
  });
  JobProgress p;
  rd(f, [&](StoreTx& t) {
    p = t.jobs().progress(job);
    return Status::okStatus();
  });
  CHECK(p.count(MessageState::kSubmitted) == 6);
  CHECK(p.total() == 6);
}

TEST_CASE("Outcomes move messages through their states and the per-job counts follow in the same commit") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  JobId job = 0;
  tx(f, [&](StoreTx& t) {
    job = t.jobs().insert(makeJob(now));
    for (int i = 0; i < 4; ++i) t.messages().insert(message(job, "+3362000000" + std::to_string(i), 5, now));
    t.messages().countInserted(job, MessageState::kQueued, 4);
  });
  std::vector<OutgoingMessage> c;
  tx(f, [&](StoreTx& t) { c = t.messages().claim(0, 4, now); });
  tx(f, [&](StoreTx& t) {
    t.messages().record({c[0].id, MessageState::kSent, std::nullopt, std::string("a1"), 1, std::nullopt, std::nullopt}, now);
    t.messages().record({c[1].id, MessageState::kFailed, std::nullopt, std::nullopt, std::nullopt,
                         std::string("rejected by the carrier: ESME_RINVDSTADR"), std::nullopt}, now);
    t.messages().record({c[2].id, MessageState::kWaiting, std::nullopt, std::nullopt, std::nullopt,
                         std::string("throttled"), now + std::chrono::seconds(30)}, now);
    t.messages().record({c[0].id, MessageState::kDelivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                         std::nullopt}, now);
  });
  JobProgress p;
  std::optional<MessageRecord> failed;
  rd(f, [&](StoreTx& t) {
    p = t.jobs().progress(job);
    failed = t.messages().find(c[1].id);
    return Status::okStatus();
  });
  CHECK(p.count(MessageState::kDelivered) == 1);
  CHECK(p.count(MessageState::kFailed) == 1);
  CHECK(p.count(MessageState::kWaiting) == 1);
  CHECK(p.count(MessageState::kSubmitted) == 1);
  CHECK(p.count(MessageState::kSent) == 0);
  REQUIRE(failed);
  CHECK(failed->lastError == "rejected by the carrier: ESME_RINVDSTADR");
  // Waiting messages come back when their time comes, not before.
  int64_t released = -1;
  tx(f, [&](StoreTx& t) { released = t.messages().releaseWaiting(now + std::chrono::seconds(29)); });
  CHECK(released == 0);
  tx(f, [&](StoreTx& t) {
    CHECK(t.messages().nextWaiting() == now + std::chrono::seconds(30));
    released = t.messages().releaseWaiting(now + std::chrono::seconds(30));
  });
  CHECK(released == 1);
  // A crash leaves one submitted message of unknown outcome: it goes back to the queue.
  int64_t requeued = 0;
  tx(f, [&](StoreTx& t) { requeued = t.messages().requeueSubmitted("outcome unknown after a restart", now); });
  CHECK(requeued == 1);
  rd(f, [&](StoreTx& t) {
    p = t.jobs().progress(job);
    return Status::okStatus();
  });
  CHECK(p.count(MessageState::kQueued) == 2);
  CHECK(p.count(MessageState::kSubmitted) == 0);
  CHECK(rawQuery(f.dbPath, "SELECT sum(n) FROM job_counts") == "4");
}

TEST_CASE("Something is pending at a rank while a message of that rank or above is queued, waiting or with a bearer") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  JobId job = 0;
  auto pending = [&](int rank) {
    bool any = false;
    rd(f, [&](StoreTx& t) {
      any = t.messages().anyPendingAtOrAbove(rank);
      return Status::okStatus();
    });
    return any;
  };
  CHECK_FALSE(pending(0));
  tx(f, [&](StoreTx& t) {
    job = t.jobs().insert(makeJob(now));
    t.messages().insert(message(job, "+33621000100", 0, now));
    t.messages().insert(message(job, "+33621000101", 3, now));
    t.messages().countInserted(job, MessageState::kQueued, 2);
  });
  CHECK(pending(0));
  CHECK(pending(3));  // queued
  CHECK_FALSE(pending(4));
  std::vector<OutgoingMessage> c;
  tx(f, [&](StoreTx& t) { c = t.messages().claim(1, 1, now); });
  REQUIRE(c.size() == 1);
  CHECK(pending(3));  // with a bearer
  tx(f, [&](StoreTx& t) {
    t.messages().record({c[0].id, MessageState::kWaiting, std::nullopt, std::nullopt, std::nullopt, std::string("retry"),
                         now + std::chrono::seconds(5)}, now);
  });
  CHECK(pending(3));  // waiting for a retry
  tx(f, [&](StoreTx& t) {
    t.messages().record({c[0].id, MessageState::kSent, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}, now);
  });
  CHECK_FALSE(pending(3));  // sent: nothing left at rank 3
  CHECK(pending(0));        // the rank-0 message is still queued
  CHECK_FALSE(pending(1));
}

TEST_CASE("Jobs by state: newest first, every one of them unless a limit is given") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  std::vector<JobId> ids;
  tx(f, [&](StoreTx& t) {
    for (int i = 0; i < 4; ++i) ids.push_back(t.jobs().insert(makeJob(now)));
    Job done = makeJob(now);
    done.state = JobState::kDone;
    t.jobs().insert(done);
  });
  rd(f, [&](StoreTx& t) {
    const auto all = t.jobs().inStates({JobState::kSending});
    REQUIRE(all.size() == 4);
    CHECK(all.front().id == ids.back());
    CHECK(t.jobs().inStates({JobState::kSending}, 2).size() == 2);
    CHECK(t.jobs().inStates({JobState::kSending, JobState::kDone}).size() == 5);
    return Status::okStatus();
  });
}

TEST_CASE("Outcomes recorded together leave the messages and the counts as recording them one at a time does") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  JobId one = 0, together = 0;
  tx(f, [&](StoreTx& t) {
    for (JobId* job : {&one, &together}) {
      *job = t.jobs().insert(makeJob(now));
      for (int i = 0; i < 6; ++i) t.messages().insert(message(*job, "+3362100000" + std::to_string(i), 5, now));
      t.messages().countInserted(*job, MessageState::kQueued, 6);
    }
  });
  std::vector<OutgoingMessage> c;
  tx(f, [&](StoreTx& t) { c = t.messages().claim(0, 12, now); });
  REQUIRE(c.size() == 12);
  std::map<JobId, std::vector<int64_t>> ids;
  for (const auto& m : c) ids[m.job].push_back(m.id);
  // The same outcomes for both jobs' messages, in the same order: a second outcome for one
  // message (sent, then delivered), a retry's time, a text with quotes and accents, a return to
  // the queue that gives back its attempt.
  auto outcomes = [&](JobId job) {
    const auto& m = ids[job];
    std::vector<MessageOutcome> o(7);
    o[0] = {m[0], MessageState::kSent, std::string("sim"), std::string("c1,c2"), 2, std::nullopt, std::nullopt};
    o[1] = {m[1], MessageState::kFailed, std::string("sim"), std::nullopt, std::nullopt,
            std::string("refused: \"ESME_RINVDSTADR\" \\ numéro"), std::nullopt};
    o[2] = {m[2], MessageState::kWaiting, std::nullopt, std::nullopt, std::nullopt, std::string("throttled"),
            now + std::chrono::seconds(30)};
    o[3] = {m[3], MessageState::kQueued, std::string("modem-1"), std::nullopt, std::nullopt, std::string("given back"),
            std::nullopt, -1};
    o[4] = {m[0], MessageState::kDelivered, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    o[5] = {m[4], MessageState::kSent, std::string("sim"), std::string("c9"), 1, std::nullopt, std::nullopt};
    o[6] = {m[5], MessageState::kExpired, std::nullopt, std::nullopt, std::nullopt, std::string("receipt: expired"),
            std::nullopt};
    return o;
  };
  tx(f, [&](StoreTx& t) {
    for (const auto& o : outcomes(one)) t.messages().record(o, now);
    t.messages().recordAll(outcomes(together), now);
  });
  auto rows = [&](JobId job) {
    return rawQuery(f.dbPath, "SELECT group_concat(r, ' / ') FROM (SELECT state || '|' || coalesce(bearer, '-') || '|' || "
                              "coalesce(carrier_ids, '-') || '|' || coalesce(parts, -1) || '|' || coalesce(last_error, '-') || "
                              "'|' || coalesce(not_before, -1) || '|' || attempts AS r FROM messages WHERE job_id = " +
                                  std::to_string(job) + " ORDER BY id) AS x");
  };
  auto counts = [&](JobId job) {
    return rawQuery(f.dbPath, "SELECT group_concat(s, ' ') FROM (SELECT state || n AS s FROM job_counts WHERE n <> 0 AND job_id = " +
                                  std::to_string(job) + " ORDER BY state) AS x");
  };
  CHECK(rows(together) == rows(one));
  CHECK(rows(one).find("refused: \"ESME_RINVDSTADR\" \\ numéro") != std::string::npos);
  CHECK(counts(together) == counts(one));
  CHECK(counts(one) == "delivered1 expired1 failed1 queued1 sent1 waiting1");
}

TEST_CASE("The per-job counts always agree with the messages, and a rolled-back change counts for nothing (random sequences)") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  std::vector<JobId> jobs;
  std::mt19937 rng(20261130);
  tx(f, [&](StoreTx& t) {
    for (int j = 0; j < 3; ++j) {
      jobs.push_back(t.jobs().insert(makeJob(now)));
      for (int i = 0; i < 40; ++i) t.messages().insert(message(jobs.back(), "+336200" + std::to_string(j * 100 + i), 5 - j, now));
      t.messages().countInserted(jobs.back(), MessageState::kQueued, 40);
    }
  });
  auto agree = [&] {
    const std::string counted = rawQuery(f.dbPath, "SELECT group_concat(job_id || state || n, ' ') FROM "
                                                  "(SELECT job_id, state, n FROM job_counts WHERE n <> 0 ORDER BY 1, 2)");
    const std::string actual = rawQuery(f.dbPath, "SELECT group_concat(job_id || state || n, ' ') FROM "
                                                  "(SELECT job_id, state, count(*) AS n FROM messages GROUP BY 1, 2 ORDER BY 1, 2)");
    INFO(counted << " vs " << actual);
    CHECK(counted == actual);
  };
  const MessageState outcomes[] = {MessageState::kSent, MessageState::kDelivered, MessageState::kFailed,
                                   MessageState::kWaiting, MessageState::kQueued, MessageState::kRefused};
  for (int round = 0; round < 60; ++round) {
    const int op = static_cast<int>(rng() % 7);
    const bool rollBack = rng() % 5 == 0;
    const Status st = f.store->write([&](StoreTx& t) {
      const JobId job = jobs[rng() % jobs.size()];
      if (op == 0 || op == 1) {
        std::vector<MessageOutcome> recorded;
        for (const auto& m : t.messages().claim(0, static_cast<int64_t>(rng() % 8), now))
          recorded.push_back({m.id, outcomes[rng() % 6], std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                              now + std::chrono::seconds(rng() % 3)});
        if (op == 0) {
          for (const auto& o : recorded) t.messages().record(o, now);
        } else {
          t.messages().recordAll(recorded, now);  // together, as a dispatcher pass records acceptances
        }
      } else if (op == 2) {
        t.messages().releaseWaiting(now + std::chrono::seconds(rng() % 3));
      } else if (op == 3) {
        t.messages().holdQueued(job, now);
      } else if (op == 4) {
        t.messages().releaseHeld(job, now);
      } else if (op == 5) {
        t.messages().claim(0, 3, now);
        t.messages().requeueSubmitted("restart", now);
      } else if (rng() % 4 == 0) {
        t.messages().finishPending(job, MessageState::kCancelled, "cancelled", now);
      }
      // Counts read inside the transaction see its own changes.
      const JobProgress p = t.jobs().progress(job);
      CHECK(p.total() == 40);
      return rollBack ? Status::ioError("rolled back on purpose") : Status::okStatus();
    });
    CHECK(st.ok() != rollBack);
    agree();
  }
}

TEST_CASE("Cancelling a job finishes only what has not left") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  JobId job = 0;
  tx(f, [&](StoreTx& t) {
    job = t.jobs().insert(makeJob(now));
    for (int i = 0; i < 3; ++i) t.messages().insert(message(job, "+3362000000" + std::to_string(i), 5, now));
    t.messages().claim(0, 1, now);
  });
  int64_t n = 0;
  tx(f, [&](StoreTx& t) { n = t.messages().finishPending(job, MessageState::kCancelled, "cancelled by b.martin", now); });
  CHECK(n == 2);
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE state = 'submitted'") == "1");
}

TEST_CASE("The consent standing follows the history: grant, confirm, re-grant, withdraw, retention") {
  StoreFixture f;
  const ContactId c = f.addContact("0612345678");
  auto standing = [&]() {
    std::optional<ConsentStanding> s;
    rd(f, [&](StoreTx& t) {
      s = t.consent().standing(c, "promotions:bakery");
      return Status::okStatus();
    });
    return s;
  };
  CHECK_FALSE(standing());
  f.giveConsent(c, "promotions:bakery", false);
  CHECK(standing()->state == ConsentAction::kGranted);
  f.write([&](StoreTx& t, AuditRecorder& rec) {
    return consent::confirm(t, rec, c, {"promotions:bakery", "en", "sms:reply", "sms-reply", std::string("reply #1")}).status();
  });
  CHECK(standing()->state == ConsentAction::kConfirmed);
  f.clock.advance(std::chrono::hours(1));
  f.giveConsent(c, "promotions:bakery", false);  // signs up again at another kiosk
  CHECK(standing()->state == ConsentAction::kConfirmed);
  f.write([&](StoreTx& t, AuditRecorder& rec) {
    return consent::withdraw(t, rec, c, {"promotions:bakery", "en", "sms:STOP", "sms-keyword", {}}).status();
  });
  CHECK(standing()->state == ConsentAction::kWithdrawn);
  CHECK(standing()->since == f.clock.now());
}

TEST_CASE("The consent standing always agrees with the history (random sequences)") {
  StoreFixture f;
  std::mt19937 rng(7);
  std::vector<ContactId> people;
  for (int i = 0; i < 12; ++i) people.push_back(f.addContact("06123456" + std::to_string(10 + i)));
  f.write([&](StoreTx& t, AuditRecorder& rec) {
    return consent::registerText(t, rec, "promo", "promotions:bakery", "en", "Offers by SMS").status();
  });
  for (int step = 0; step < 300; ++step) {
    const ContactId c = people[rng() % people.size()];
    const int what = static_cast<int>(rng() % 3);
    f.clock.advance(std::chrono::minutes(1));
    (void)f.audit->write(*f.store, "test", [&](StoreTx& t, AuditRecorder& rec) -> Status {
      if (what == 0) return consent::grant(t, rec, c, {"promotions:bakery", "promo", std::nullopt, "en", "kiosk:K1", "checkbox", {}, {}}).status();
      if (what == 1) return consent::confirm(t, rec, c, {"promotions:bakery", "en", "sms:reply", "sms-reply", std::string("reply #1")}).status();
      return consent::withdraw(t, rec, c, {"promotions:bakery", "en", "sms:STOP", "sms-keyword", {}}).status();
    });
  }
  rd(f, [&](StoreTx& t) {
    for (ContactId c : people) {
      const bool valid = t.consent().hasValidConsent(c, "promotions:bakery", f.clock.now());
      const auto s = t.consent().standing(c, "promotions:bakery");
      INFO("contact " << c);
      CHECK(valid == (s && s->state == ConsentAction::kConfirmed));
    }
    return Status::okStatus();
  });
}

TEST_CASE("Fan-out scans stream contacts by zone, one zone at a time, with their standing on the purpose") {
  StoreFixture f;
  ContactDetails centre, port;
  centre.zone = "CENTRE";
  port.zone = "PORT";
  const ContactId a = f.addContact("0611111111", port, "import");
  const ContactId b = f.addContact("0622222222", centre, "kiosk");
  const ContactId c = f.addContact("0633333333", {}, "import");
  const ContactId d = f.addContact("0644444444", port, "import");
  f.giveConsent(b, "alerts");
  std::vector<AudienceMember> seen;
  std::vector<ScanStep> steps;
  auto walk = [&](const std::vector<std::string>& zones, int64_t limit) {
    seen.clear();
    steps.clear();
    ScanCursor at = 0;
    for (int guard = 0; guard < 20; ++guard) {
      rd(f, [&](StoreTx& t) {
        steps.push_back(t.contacts().scanAudience(at, limit, zones, "alerts", [&](const AudienceMember& m) { seen.push_back(m); }));
        return Status::okStatus();
      });
      if (steps.back().finished) return;
      at = steps.back().next;
    }
    FAIL("the walk never finished");
  };
  // Zones in sorted order, each in id order; duplicates in the list do not repeat anyone.
  walk({"PORT", "CENTRE", "PORT"}, 100);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].id == b);
  CHECK(seen[0].standing->state == ConsentAction::kConfirmed);
  CHECK(seen[1].id == a);
  CHECK_FALSE(seen[1].standing);
  CHECK(seen[1].source == "import");
  CHECK(seen[2].id == d);
  CHECK(steps.size() == 2);  // one step per zone
  // Small steps resume where the last one stopped.
  walk({"CENTRE", "PORT"}, 1);
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].id == a);
  CHECK(seen[2].id == d);
  // No zones: everyone, in id order.
  walk({}, 3);
  REQUIRE(seen.size() == 4);
  CHECK(seen[2].id == c);
  CHECK(steps.size() == 2);
  CHECK(steps[0].scanned == 3);
  CHECK(steps[1].scanned == 1);
  // A zone nobody is in.
  walk({"NOWHERE"}, 10);
  CHECK(seen.empty());
}

TEST_CASE("Sign-ups: open until used or expired, what was asked kept as asked") {
  StoreFixture f;
  const Timestamp now = f.clock.now();
  SignupRecord r;
  r.phone = "+33612345678";
  r.region = "FR";
  r.numberType = "mobile";
  r.codeHash = "hash1";
  r.name = std::string("Zoé \"Z\"");
  r.source = "kiosk";
  r.texts = {{"alerts", "alerts-fr", 2}, {"promotions:bakery", "bakery", 1}};
  r.evidence = std::string("age confirmed at least 16");
  r.channel = "kiosk:K1";
  r.language = "fr";
  r.createdAt = now;
  r.expiresAt = now + std::chrono::minutes(15);
  tx(f, [&](StoreTx& t) { r.id = t.signups().add(r); });
  std::vector<SignupRecord> open;
  rd(f, [&](StoreTx& t) {
    open = t.signups().open("+33612345678", now + std::chrono::minutes(1));
    CHECK(t.signups().open("+33612345678", now + std::chrono::minutes(16)).empty());
    CHECK(t.signups().countSince("+33612345678", now) == 1);
    return Status::okStatus();
  });
  REQUIRE(open.size() == 1);
  CHECK(open[0].name == r.name);
  CHECK(open[0].region == "FR");
  CHECK(open[0].texts.size() == 2);
  CHECK(open[0].texts[1].purpose == "promotions:bakery");
  CHECK(open[0].texts[0].textVersion == 2);
  CHECK(open[0].evidence == r.evidence);
  CHECK_FALSE(open[0].legacyContact);
  tx(f, [&](StoreTx& t) {
    t.signups().countAttempt(open[0].id);
    t.signups().markUsed(open[0].id, now);
  });
  rd(f, [&](StoreTx& t) {
    CHECK(t.signups().open("+33612345678", now).empty());
    CHECK(t.signups().find(open[0].id)->attempts == 1);
    return Status::okStatus();
  });
}

TEST_CASE("A version-1 store migrates to the latest version with each contact's consent standing rebuilt") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  rawSql(path, readFile(std::string(TOCSIN_TEST_FIXTURES) + "/store_v1.sql"));
  REQUIRE(rawQuery(path, "PRAGMA user_version") == "1");
  auto store = SqliteStore::open(path);
  REQUIRE(store.ok());
  CHECK((*store)->info().schemaVersion == sql::latestSchemaVersion());
  auto state = [&](int contact) {
    return rawQuery(path, "SELECT state FROM consent_state WHERE contact_id = " + std::to_string(contact) +
                              " AND purpose = 'promotions:bakery'");
  };
  CHECK(state(1) == "confirmed");  // granted, confirmed, granted again: still confirmed
  CHECK(state(2) == "granted");
  CHECK(state(3) == "withdrawn");
  CHECK(rawQuery(path, "SELECT count(*) FROM consent_events") == "7");
  CHECK(rawQuery(path, "SELECT count(*) FROM contacts") == "3");
  // The store as it was, copied before the first step.
  const StoreInfo info = (*store)->info();
  CHECK(info.migratedFrom == 1);
  REQUIRE(info.migrationBackup.rfind(dir.file("backups/old.db.schema-v1."), 0) == 0);
  CHECK(rawQuery(info.migrationBackup, "PRAGMA user_version") == "1");
  CHECK(rawQuery(info.migrationBackup, "SELECT count(*) FROM contacts") == "3");
  CHECK(rawQuery(info.migrationBackup, "PRAGMA journal_mode") == "delete");
  // Opened again: nothing more to migrate, no second copy.
  auto again = SqliteStore::open(path);
  REQUIRE(again.ok());
  CHECK((*again)->info().migratedFrom == 0);
}

TEST_CASE("A store that cannot be copied before its migration is not migrated") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  rawSql(path, readFile(std::string(TOCSIN_TEST_FIXTURES) + "/store_v1.sql"));
  writeFile(dir.file("backups"), "not a directory");
  auto store = SqliteStore::open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().message().find("must be copied before its schema is migrated from version 1") != std::string::npos);
  CHECK(rawQuery(path, "PRAGMA user_version") == "1");
}
