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
    if (upper == c) return true;
  }
  return false;
}

// Commands whose arguments may hold passwords: the text shows only "AUTH ?".
bool is_secret(std::string_view fingerprint) {
  return fingerprint == "AUTH" || fingerprint == "HELLO" || fingerprint == "MIGRATE" ||
         fingerprint.starts_with("ACL ") || fingerprint == "CONFIG SET";
}

// After these the connection answers with pushes, not one reply per command.
bool enters_pubsub(std::string_view upper) {
  return upper == "SUBSCRIBE" || upper == "PSUBSCRIBE" || upper == "SSUBSCRIBE" || upper == "UNSUBSCRIBE" ||
         upper == "PUNSUBSCRIBE" || upper == "SUNSUBSCRIBE" || upper == "MONITOR";
}

// What names a command (cheap): the text is written only for the commands kept.
Operation head_of(const RespCommand& cmd) {
  Operation op;
  op.protocol = Protocol::redis;
  std::string_view name = cmd.args[0];
  op.method = token_like(name) ? to_upper(name) : std::string("?");
  std::string_view sub = cmd.kept > 1 && is_container(op.method) ? cmd.args[1] : std::string_view();
  op.fingerprint = redis_fingerprint(op.method, sub);
  op.truncated = cmd.cut;
  return op;
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

// A command read from the request, before its reply is paired and its text written.
struct Pending {
  Operation op;
  RespCommand cmd;  // views into the exchange's request
};

bool same_outcome(const Operation& a, const Operation& b) {
  return a.fingerprint == b.fingerprint && a.method == b.method && a.error == b.error &&
         a.truncated == b.truncated && a.error_text == b.error_text;
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
      fold_into(pending, out);
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
      RespStatus s = resp_read_command(data, pos, cmd);
      if (s == RespStatus::malformed) break;
      if (cmd.kept > 0) {
        cmds.push_back(Pending{head_of(cmd), cmd});
        if (enters_pubsub(cmds.back().op.method) && pair_limit > cmds.size()) pair_limit = cmds.size();
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
      Operation& op = cmds[i++].op;
      op.error = reply.error;
      if (reply.error) append_clean(op.error_text, reply.message, kMaxErrorText, Controls::to_space);
    }
  }

  // Runs of the same command with the same outcome become one operation with a
  // count (a pipeline of 16 SETs is one); only the first of a run gets its text.
  static void fold_into(std::vector<Pending>& cmds, std::vector<Operation>& out) {
    Operation* last = nullptr;
    for (Pending& p : cmds) {
      if (last && same_outcome(*last, p.op)) {
        ++last->count;
        continue;
      }
      write_text(p.op, p.cmd);
      out.push_back(std::move(p.op));
      last = &out.back();
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
