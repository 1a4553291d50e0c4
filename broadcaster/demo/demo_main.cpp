// tocsin-demo: see broadcaster/demo/demo.h.
#include <filesystem>
#include <iostream>

#include "broadcaster/demo/demo.h"
#include "common/base/clock.h"

int main(int argc, char** argv) {
  std::string dir = "var/demo";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else {
      std::cerr << "usage: tocsin-demo [--dir DIR]   (default var/demo)\n";
      return 2;
    }
  }
  using namespace tocsin;
  SystemClock wall;
  std::cout << "Tocsin demo: the Town of Saint-Tocsin and the Boulangerie Martin kiosk\n"
            << "store: " << dir << "/tocsin.db (SQLite, WAL), keys in " << dir << "/keys\n\n";
  auto d = demo::openFreshStore(dir, wall.now());
  if (!d.ok()) {
    std::cerr << "tocsin-demo: " << d.status().message() << "\n";
    return 1;
  }
  std::cout << "[1] Building the town's contact book and a month of consent history\n";
  if (Status st = demo::seedPopulation(*d, std::cout); !st.ok()) {
    std::cerr << "tocsin-demo: " << st.message() << "\n";
    return 1;
  }
  std::cout << "\n[2] What the store can prove\n";
  if (Status st = demo::showConsentRecords(*d, std::cout); !st.ok()) {
    std::cerr << "tocsin-demo: " << st.message() << "\n";
    return 1;
  }
  std::cout << "\n[3] Broadcasting: a promotion running, then a flood warning pre-empts it\n";
  const std::string binDir = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  if (Status st = demo::runBroadcast(dir, binDir, std::cout); !st.ok()) {
    std::cerr << "tocsin-demo: " << st.message() << "\n";
    return 1;
  }
  std::cout << "\nExplore it yourself:\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db store info\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db audit list --limit 20\n"
            << "  build/bin/tocsinctl --config " << dir << "/broadcaster.json status\n"
            << "  build/bin/tocsinctl --config " << dir << "/broadcaster.json alert cap " << dir << "/flood-warning.cap.xml\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db consent verify " << dir << "/consent-export.csv\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db audit verify     # the chain and every consent row\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db store report     # records of processing\n"
            << "  build/bin/tocsinctl --db " << dir << "/tocsin.db store backup --out " << dir
            << "/backup.db   # keys sealed with a passphrase\n"
            << "  scripts/console-demo   # the operator console in your browser, on this town's appliance\n"
            << "  scripts/kiosk-demo     # the sign-up kiosk in a window, paired with this town's appliance\n"
            << "  scripts/package        # Debian packages to install Tocsin on a server (README: Installing on a server)\n";
  return 0;
}
