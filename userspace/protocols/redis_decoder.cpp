#include "protocols/redis_decoder.h"

#include <array>

#include "protocols/resp.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxName = 64;
constexpr std::size_t kMaxErrorText = 256;

// Commands whose first argument is a sub-command that names the operation.
constexpr std::array<std::string_view, 16> kContainers = {
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY",
    "MEMORY", "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO"};

bool token_like(std::string_view s) {
  if (s.empty() || s.size() > kMaxName) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.' && c != '|' && c != ':') return false;
  }
  return true;
}

bool is_container(std::string_view upper) {
  for (std::string_view c : kContainers) {
    if (c.size() == upper.size() && c[0] == upper[0] && upper == c) return true;
  }
  return false;
}

// Commands whose arguments may hold passwords: the text shows only "AUTH ?".
bool is_secret(std::string_view fingerprint) {
  return fingerprint == "AUTH" || fingerprint == "HELLO" || fingerprint == "MIGRATE" ||
         fingerprint.starts_with("ACL ") || fingerprint == "CONFIG SET";
}

// After these the connection answers with pushes, not one reply per command.
bool enters_pubsub(std::string_view name) {
  if (name.size() < 7 || name.size() > 12) return false;
  for (std::string_view p : {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
                             "MONITOR"}) {
    if (iequals(name, p)) return true;
  }
  return false;
}

// The name and sub-command of a command, as sent: enough to fold a run of them.
struct CommandHead {
  std::string_view name;
  std::string_view sub;  // the first argument of a container command ("CONFIG GET"), else empty
};

// Whether a command names its operation with its first argument ("CONFIG GET").
bool is_container_name(std::string_view name) {
  if (name.size() > kMaxName) return false;
  char upper[kMaxName];
  for (std::size_t i = 0; i < name.size(); ++i) upper[i] = ascii_upper(name[i]);
  return is_container(std::string_view(upper, name.size()));
}

void write_text(Operation& op, const RespCommand& cmd) {
  bool named_sub = op.fingerprint.size() > op.method.size();
  op.text = op.fingerprint;
  std::size_t shown = named_sub ? 2 : 1;
  if (is_secret(op.fingerprint)) {
    if (cmd.count > shown) op.text += " ?";
    return;
  }
  bool fits = true;
  for (std::size_t i = shown; i < cmd.kept && fits; ++i) {
    op.text += ' ';
    std::string arg;
    if (!append_clean(arg, cmd.args[i], kMaxRedisArgText, Controls::to_dot)) arg += "...";
    fits = append_clean(op.text, arg, kMaxRedisText, Controls::to_dot);
  }
  if (fits && cmd.count > cmd.kept) op.text += " ...";
  if (!fits || op.text.size() > kMaxRedisText) truncate_with_ellipsis(op.text, kMaxRedisText);
}

// A command read from the request, before its reply is paired: views into the
// exchange, so a pipeline of thousands costs no allocation.
struct Pending {
  CommandHead head;
  bool container = false;  // the name is one of kContainers
  std::size_t begin = 0;  // where the command starts in the request (its text is read again from here)
  bool cut = false;
  bool error = false;
  std::string_view error_text;
};

// Command names are a few bytes: a plain loop beats a library call.
bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

bool same_outcome(const Pending& a, const Pending& b) {
  return a.error == b.error && a.cut == b.cut && same_name(a.head.name, b.head.name) &&
         same_name(a.head.sub, b.head.sub) && (!a.error || a.error_text == b.error_text);
}

class RedisDecoder final : public ConnectionDecoder {
 public:
  void decode(const Exchange& ex, std::vector<Operation>& out) override {
    // Scratch shared by the connections a thread decodes; cleared on every use.
    thread_local std::vector<Pending> pending;
    try {
      pending.clear();
      std::size_t pair_limit = read_commands(ex.request, pending);
      pair_replies(ex.response, pending, pair_limit);
      fold_into(ex, pending, out);
    } catch (...) {
      // Only allocation can throw here; dropping one exchange is the right answer.
    }
  }

 private:
  // Commands in the request; returns how many of them have replies to pair.
  static std::size_t read_commands(std::string_view data, std::vector<Pending>& cmds) {
    std::size_t pos = 0;
    std::size_t pair_limit = static_cast<std::size_t>(-1);
    RespCommand cmd;
    // Each turn consumes at least one byte or ends the loop.
    while (pos < data.size() && cmds.size() < kMaxRedisOps) {
      std::size_t begin = pos;
      RespStatus s = resp_read_command(data, pos, cmd);
      if (s == RespStatus::malformed) break;
      if (cmd.kept > 0) {
        // Filled in place: a temporary here costs more than the parsing (stalled stores).
        Pending& p = cmds.emplace_back();
        p.head.name = cmd.args[0];
        // A pipeline repeats its command: the previous one's answer holds.
        const Pending* prev = cmds.size() > 1 ? &cmds[cmds.size() - 2] : nullptr;
        p.container = prev && same_name(prev->head.name, p.head.name) ? prev->container : is_container_name(p.head.name);
        if (p.container && cmd.kept > 1) p.head.sub = cmd.args[1];
        p.begin = begin;
        p.cut = cmd.cut;
        if (pair_limit > cmds.size() && enters_pubsub(p.head.name)) pair_limit = cmds.size();
      }
      if (s == RespStatus::incomplete) break;
    }
    return pair_limit;
  }

  static void pair_replies(std::string_view data, std::vector<Pending>& cmds, std::size_t limit) {
    std::size_t pos = 0;
    std::size_t i = 0;
    RespReply reply;
    // Bounded by the commands and by the data: every reply consumes at least 3 bytes.
    while (i < cmds.size() && i < limit) {
      if (resp_read_reply(data, pos, reply) != RespStatus::ok) return;
      if (reply.push) continue;  // out-of-band (RESP3 pushes, client tracking)
      Pending& p = cmds[i++];
      p.error = reply.error;
      p.error_text = reply.message;
    }
  }

  // Runs of the same command with the same outcome become one operation with a
  // count (a pipeline of 16 SETs is one); only the first of a run is named and
  // gets its text.
  static void fold_into(const Exchange& ex, const std::vector<Pending>& cmds, std::vector<Operation>& out) {
    const Pending* head = nullptr;
    for (const Pending& p : cmds) {
      if (head && same_outcome(*head, p)) {
        ++out.back().count;
        continue;
      }
      head = &p;
      Operation& op = out.emplace_back();
      op.protocol = Protocol::redis;
      op.method = token_like(p.head.name) ? to_upper(p.head.name) : std::string("?");
      op.fingerprint = op.method;
      if (!p.head.sub.empty() && token_like(p.head.sub)) {
        op.fingerprint += ' ';
        op.fingerprint += to_upper(p.head.sub);
      }
      op.truncated = p.cut;
      op.error = p.error;
      if (p.error) append_clean(op.error_text, p.error_text, kMaxErrorText, Controls::to_space);
      if (ex.keep_text) {
        RespCommand cmd;
        std::size_t at = p.begin;
        resp_read_command(ex.request, at, cmd);  // read before, so the same outcome again
        write_text(op, cmd);
      }
    }
  }
};

}  // namespace

std::string redis_fingerprint(std::string_view name, std::string_view sub) {
  std::string fp = token_like(name) ? to_upper(name) : std::string("?");
  if (!sub.empty() && token_like(sub) && is_container(fp)) {
    fp += ' ';
    fp += to_upper(sub);
  }
  return fp;
}

std::unique_ptr<ConnectionDecoder> make_redis_decoder() { return std::make_unique<RedisDecoder>(); }

}  // namespace hs::protocols
