#include "protocols/exchange.h"

#include "protocols/http_decoder.h"
#include "protocols/mysql_decoder.h"
#include "protocols/postgres_decoder.h"
#include "protocols/redis_decoder.h"

namespace hs::protocols {

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::http: return "http";
    case Protocol::postgresql: return "postgresql";
    case Protocol::redis: return "redis";
    case Protocol::mysql: return "mysql";
    case Protocol::unknown: break;
  }
  return "unknown";
}

std::unique_ptr<ConnectionDecoder> make_decoder(Protocol p) {
  switch (p) {
    case Protocol::http: return make_http_decoder();
    case Protocol::postgresql: return make_postgres_decoder();
    case Protocol::redis: return make_redis_decoder();
    case Protocol::mysql: return make_mysql_decoder();
    case Protocol::unknown: break;
  }
  return nullptr;
}

}  // namespace hs::protocols
