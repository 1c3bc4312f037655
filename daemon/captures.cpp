#include "daemon/captures.h"

namespace hs::daemon {

Status Captures::start() {
  wanted_ = true;
  Status sys = syscalls_.start();
  Status net = network_.start();
  Status l7 = l7_.start();
  if (running()) return {};
  return !sys.ok() ? sys : !net.ok() ? net : l7;
}

Status Captures::stop() {
  wanted_ = false;
  Status sys = syscalls_.stop();
  Status net = network_.stop();
  Status l7 = l7_.stop();
  return !sys.ok() ? sys : !net.ok() ? net : l7;
}

}  // namespace hs::daemon
