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
  // A new primary with a database "tocsin"; replication allowed from loopback. With `tlsOnly`, the
  // server has a certificate for 127.0.0.1 from a CA made here (caFile()), and refuses any
  // connection that is not TLS.
  static std::unique_ptr<PgServer> primary(bool tlsOnly = false);
  // A synchronous standby of this server, streaming from it (pg_basebackup -R): from then on, a
  // commit on this server waits until the standby has it (synchronous_standby_names).
  std::unique_ptr<PgServer> standby();
  ~PgServer();

  int port() const { return port_; }
  // "host=127.0.0.1 port=P dbname=tocsin user=..."
  std::string conninfo() const;
  // The CA that signed a TLS-only server's certificate; and another CA, which signed nothing of
  // it (what a client trusting the wrong authority, or an impostor's server, would have).
  std::string caFile() const { return dir_.file("ca.crt"); }
  std::string otherCaFile() const { return dir_.file("other-ca.crt"); }
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
  void makeCertificates();  // the CAs and the server's key and certificate, in the data folder
  TempDir dir_;
  std::string data_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> postmaster_;
};

}  // namespace tocsin::testing
