// The capture control the API sees: starts and stops every probe together.
#pragma once

#include "daemon/net_capture.h"
#include "daemon/syscall_capture.h"
#include "web/routes/app_context.h"

namespace hs::daemon {

class Captures final : public web::CaptureControl {
 public:
  Captures(SyscallCapture& syscalls, NetCapture& network) : syscalls_(syscalls), network_(network) {}

  // Starts every enabled probe; fails only when none could start (the health of
  // each probe tells which one is missing).
  Status start() override;
  Status stop() override;
  bool running() const override { return syscalls_.running() || network_.running(); }
  // Whether the user wants capture on (false after POST monitoring/stop).
  bool wanted() const { return wanted_; }

 private:
  SyscallCapture& syscalls_;
  NetCapture& network_;
  bool wanted_ = true;
};

}  // namespace hs::daemon
