#include "tests/support/pg_cluster.h"

#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace tocsin::testing {
namespace {

// The user the server runs as: ourselves, or `postgres` when we are root.
std::string serverUser() {
  if (::geteuid() != 0) {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : "postgres";
  }
  return "postgres";
}

std::vector<std::string> asServerUser(std::vector<std::string> argv) {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> wrapped = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

void giveToServerUser(const std::string& path) {
  if (::geteuid() != 0) return;
  const passwd* pw = ::getpwnam("postgres");
  if (!pw) throw std::runtime_error("no postgres user: install Debian's postgresql package");
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("cannot chown " + path);
}

}  // namespace

std::string PgServer::binDir() {
  std::string best;
  if (DIR* d = ::opendir("/usr/lib/postgresql")) {
    while (const dirent* e = ::readdir(d)) {
      const std::string bin = std::string("/usr/lib/postgresql/") + e->d_name + "/bin";
      if (e->d_name[0] != '.' && ::access((bin + "/initdb").c_str(), X_OK) == 0) best = std::max(best, bin);
    }
    ::closedir(d);
  }
  return best;
}

std::string PgServer::run(const std::vector<std::string>& argv) const {
  const std::string out = dir_.file("cmd.out");
  // The client tools look for a certificate of their own under $HOME, which may be root's, closed
  // to the server's user: they have none.
  ChildProcess p(asServerUser(argv), {dir_.path(), {"PGSSLCERT=" + dir_.file("none.crt"), "PGSSLKEY=" + dir_.file("none.key")},
                                      false, out, out});
  const auto status = p.wait(std::chrono::seconds(120));
  const std::string text = readFile(out);
  if (status.value_or(-1) != 0) throw std::runtime_error(argv.front() + " failed: " + text);
  return text;
}

void PgServer::start() {
  port_ = freeTcpPort();
  postmaster_ = std::make_unique<ChildProcess>(
      asServerUser({binDir() + "/postgres", "-D", data_, "-p", std::to_string(port_), "-k", dir_.path(), "-c",
                    "listen_addresses=127.0.0.1"}),
      ChildProcess::Options{dir_.path(), {}, false, dir_.file("server.log"), dir_.file("server.log")});
  for (int i = 0; i < 300; ++i) {
    if (::access((dir_.path() + "/.s.PGSQL." + std::to_string(port_)).c_str(), F_OK) == 0 &&
        waitForTcpPort(port_, std::chrono::milliseconds(100))) {
      // Accepting connections (a standby answers read-only).
      try {
        run({binDir() + "/pg_isready", "-h", "127.0.0.1", "-p", std::to_string(port_), "-t", "1"});
        return;
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("PostgreSQL did not start; see " + dir_.file("server.log"));
}

void PgServer::makeCertificates() {
  const std::string out = dir_.file("openssl.out");
  auto openssl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, {dir_.path(), {}, false, out, out});
    if (p.wait(std::chrono::seconds(60)).value_or(-1) != 0) throw std::runtime_error("openssl failed: " + readFile(out));
  };
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  for (const char* ca : {"ca", "other-ca"}) {
    std::vector<std::string> args = {"req", "-x509"};
    args.insert(args.end(), ec.begin(), ec.end());
    args.insert(args.end(), {"-keyout", dir_.file(std::string(ca) + ".key"), "-out", dir_.file(std::string(ca) + ".crt"),
                             "-days", "2", "-subj", std::string("/CN=Tocsin test ") + ca});
    openssl(args);
  }
  std::vector<std::string> request = {"req"};
  request.insert(request.end(), ec.begin(), ec.end());
  request.insert(request.end(), {"-keyout", data_ + "/server.key", "-out", dir_.file("server.csr"), "-subj", "/CN=127.0.0.1"});
  openssl(request);
  std::ofstream(dir_.file("san.cnf")) << "subjectAltName = IP:127.0.0.1\n";
  openssl({"x509", "-req", "-in", dir_.file("server.csr"), "-CA", dir_.file("ca.crt"), "-CAkey", dir_.file("ca.key"),
           "-set_serial", "1", "-days", "2", "-extfile", dir_.file("san.cnf"), "-out", data_ + "/server.crt"});
  // The server reads its key only when nobody else may.
  for (const char* f : {"/server.key", "/server.crt"}) giveToServerUser(data_ + f);
  if (::chmod((data_ + "/server.key").c_str(), 0600) != 0) throw std::runtime_error("cannot chmod the server's key");
}

std::unique_ptr<PgServer> PgServer::primary(bool tlsOnly) {
  std::unique_ptr<PgServer> s(new PgServer());
  giveToServerUser(s->dir_.path());
  s->data_ = s->dir_.file("data");
  s->run({binDir() + "/initdb", "-D", s->data_, "-U", serverUser(), "--auth=trust", "--no-sync", "-E", "UTF8",
          "--locale=C"});
  std::ofstream conf(s->data_ + "/postgresql.conf", std::ios::app);
  conf << "wal_level = replica\nmax_wal_senders = 4\nsynchronous_commit = on\nfsync = on\nhot_standby = on\n";
  if (tlsOnly) {
    s->makeCertificates();
    conf << "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_min_protocol_version = 'TLSv1.3'\n";
  }
  conf.close();
  // The first line that matches decides: with `tlsOnly`, a TCP connection without TLS is refused
  // before initdb's lines let anything in.
  const std::string hbaFile = s->data_ + "/pg_hba.conf";
  const std::string initial = readFile(hbaFile);
  std::ofstream hba(hbaFile, std::ios::trunc);
  if (tlsOnly) hba << "hostnossl all all 0.0.0.0/0 reject\n";
  hba << initial << "host replication all 127.0.0.1/32 trust\n";
  hba.close();
  s->start();
  s->run({binDir() + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(s->port_), "-U", serverUser(), "tocsin"});
  return s;
}

std::unique_ptr<PgServer> PgServer::standby() {
  std::unique_ptr<PgServer> s(new PgServer());
  giveToServerUser(s->dir_.path());
  s->data_ = s->dir_.file("data");
  run({binDir() + "/pg_basebackup", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U", serverUser(), "-D", s->data_,
       "-R", "-X", "stream", "--checkpoint=fast", "--no-sync", "-d", "application_name=standby"});
  s->start();
  // From now on, a commit on the primary waits until this standby has it.
  query("ALTER SYSTEM SET synchronous_standby_names = 'standby'");
  query("SELECT pg_reload_conf()");
  for (int i = 0; i < 100; ++i) {
    if (query("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'") == "sync") return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("the standby did not become synchronous");
}

PgServer::~PgServer() {
  if (postmaster_) postmaster_->stop(std::chrono::seconds(10));
}

std::string PgServer::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=tocsin user=" + serverUser() + " connect_timeout=2";
}

std::string PgServer::failoverConninfo(const PgServer& a, const PgServer& b) {
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(a.port_) + "," + std::to_string(b.port_) +
         " dbname=tocsin user=" + serverUser() + " connect_timeout=2 target_session_attrs=read-write";
}

std::string PgServer::query(const std::string& sql) const {
  std::string out = run({binDir() + "/psql", "-X", "-At", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                         serverUser(), "-d", "tocsin", "-c", sql});
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void PgServer::kill() {
  if (!postmaster_) return;
  // The postmaster and every backend (its process group): the machine died.
  ::kill(-postmaster_->pid(), SIGKILL);
  postmaster_->wait(std::chrono::seconds(10));
  postmaster_.reset();
}

void PgServer::promote() {
  run({binDir() + "/pg_ctl", "promote", "-D", data_, "-w", "-t", "30"});
}

}  // namespace tocsin::testing
