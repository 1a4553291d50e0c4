// A throwaway PostgreSQL 15 server for tests: initdb in a temporary folder, a free port on
// 127.0.0.1, its socket in that folder, and its postmaster a ChildProcess stopped by its PID.
// Under root the server runs as the `postgres` user (initdb refuses root), through setpriv,
// which keeps the PID. A primary may get a synchronous streaming standby, which a test can
// promote after killing the primary.
#pragma once

#include <memory>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace tocsin::testing {

class PgServer {
 public:
  // The server binaries' folder (Debian: /usr/lib/postgresql/<version>/bin); "" when none.
  static std::string binDir();
  // A new primary with a database "tocsin"; replication allowed from loopback.
  static std::unique_ptr<PgServer> primary();
  // A synchronous standby of this server, streaming from it (pg_basebackup -R): from then on, a
  // commit on this server waits until the standby has it (synchronous_standby_names).
  std::unique_ptr<PgServer> standby();
  ~PgServer();

  int port() const { return port_; }
  // "host=127.0.0.1 port=P dbname=tocsin user=..."
  std::string conninfo() const;
  // Both servers in one string, the writable one chosen by libpq.
  static std::string failoverConninfo(const PgServer& a, const PgServer& b);
  // psql -At -c SQL against this server.
  std::string query(const std::string& sql) const;

  void kill();     // SIGKILL the postmaster: the machine died
  void promote();  // pg_ctl promote; returns once it accepts writes

 private:
  PgServer() = default;
  void start();
  std::string run(const std::vector<std::string>& argv) const;  // as the server's user; throws on failure
  TempDir dir_;
  std::string data_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> postmaster_;
};

}  // namespace tocsin::testing
