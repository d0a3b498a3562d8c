#include "queue/queue.h"

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::queue {
namespace {

using nlohmann::json;

constexpr std::int64_t kNanos = 1000000000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What the library says about a failed call: its status, the server's
// error code and the library's last error text.
std::string describe(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail && *detail && text.find(detail) == std::string::npos) text += std::string(" (") + detail + ")";
  if (jerr) text += " [JetStream error " + std::to_string(static_cast<int>(jerr)) + "]";
  return text;
}

void ensure_stream(jsCtx* js, const std::string& url, const char* name, const char* subject, bool work_queue) {
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js, name, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    return;
  }
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
    throw Error(url + ": cannot read stream " + name + ": " + describe(s, jerr) +
                " (is JetStream enabled? start nats-server with -js)");
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name;
  const char* subjects[] = {subject};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Retention = work_queue ? js_WorkQueuePolicy : js_LimitsPolicy;
  cfg.Storage = js_FileStorage;
  cfg.Duplicates = 120 * kNanos;
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
  } else if (jerr != JSStreamNameExistErr) {  // another process created it meanwhile
    throw Error(url + ": cannot create stream " + name + ": " + describe(s, jerr));
  }
}

std::string header_safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

}  // namespace

void check_url(const std::string& url) {
  static const std::regex one(R"(nats://[A-Za-z0-9._\-\[\]:]+:[0-9]{1,5})");
  std::size_t start = 0;
  for (;;) {
    const auto comma = url.find(',', start);
    const std::string part = url.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!std::regex_match(part, one)) {
      throw Error(url + ": not a queue URL (nats://HOST:PORT, or several separated by commas)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

std::string encode_item(const io::InputItem& item) {
  json j;
  j["input"] = item.name;
  if (!item.ok()) {
    j["error"] = item.error;
    return j.dump();
  }
  j["id"] = item.doc.id;
  j["title"] = item.doc.title;
  j["source"] = item.doc.source;
  j["date"] = item.doc.date;
  j["url"] = item.doc.url;
  j["topics"] = item.topics;
  j["text"] = text::encode_utf8(item.doc.text);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

io::InputItem decode_item(const std::string& name, const std::string& payload, const io::InputLimits& limits) {
  io::InputItem item;
  item.name = name;
  json j;
  try {
    j = json::parse(payload);
    if (!j.is_object()) throw Error("not an object");
    if (j.contains("input") && j["input"].is_string()) item.name = j["input"].get<std::string>();
    if (j.contains("error")) {
      item.error = j["error"].is_string() ? j["error"].get<std::string>() : item.name + ": failed";
      return item;
    }
    const std::string text = j.at("text").get<std::string>();
    if (text.size() > limits.max_article_bytes) {
      item.error = item.name + ": the article is " + std::to_string(text.size()) + " bytes, over the limit of " +
                   std::to_string(limits.max_article_bytes);
      return item;
    }
    const auto str = [&](const char* key) {
      return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    item.doc = Document::from_utf8(str("id"), text);
    item.doc.title = str("title");
    item.doc.source = str("source");
    item.doc.date = str("date");
    item.doc.url = str("url");
    if (j.contains("topics") && j["topics"].is_array()) {
      for (const auto& t : j["topics"]) {
        if (t.is_string()) item.topics.push_back(t.get<std::string>());
      }
    }
  } catch (const Error& e) {
    item.error = item.name + ": " + e.what();
  } catch (const json::exception& e) {
    item.error = item.name + ": not a propscan article message (" + std::string(e.what()) + ")";
  }
  return item;
}

// ---- Connection ----------------------------------------------------------------

struct Connection::Impl {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  kvStore* kv = nullptr;
  std::atomic<std::int64_t> lost_at_ms{0};  // 0 while connected
  std::atomic<int> disconnections{0};

  static void on_disconnect(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    ++self->disconnections;
    std::int64_t expected = 0;
    self->lost_at_ms.compare_exchange_strong(expected, now_ms());
  }
  static void on_reconnect(natsConnection*, void* closure) { static_cast<Impl*>(closure)->lost_at_ms = 0; }
  // The workers' heartbeats bucket, opened (created when missing) once.
  kvStore* heartbeats(const std::string& url);
};

Connection::Connection(const std::string& url) : url_(url), impl_(std::make_unique<Impl>()) {
  check_url(url);
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 3000);
  // Reconnect for ever; the worker decides when the server has been away too long.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, &Impl::on_disconnect, impl_.get());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, &Impl::on_reconnect, impl_.get());
  if (s == NATS_OK) s = natsConnection_Connect(&impl_->nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) throw Error(url + ": cannot connect to the queue server: " + describe(s));
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 5000;
  s = natsConnection_JetStream(&impl_->js, impl_->nc, &jo);
  if (s != NATS_OK) {
    natsConnection_Destroy(impl_->nc);
    throw Error(url + ": no JetStream context: " + describe(s));
  }
  try {
    ensure_stream(impl_->js, url, kStream, kSubject, true);
    ensure_stream(impl_->js, url, kDeadStream, kDeadSubject, false);
  } catch (...) {
    jsCtx_Destroy(impl_->js);
    natsConnection_Destroy(impl_->nc);
    throw;
  }
}

Connection::~Connection() {
  if (impl_->kv) kvStore_Destroy(impl_->kv);
  jsCtx_Destroy(impl_->js);
  natsConnection_FlushTimeout(impl_->nc, 2000);
  natsConnection_Destroy(impl_->nc);
}

std::int64_t Connection::max_payload() const { return natsConnection_GetMaxPayload(impl_->nc); }

double Connection::disconnected_seconds() const {
  const std::int64_t lost = impl_->lost_at_ms;
  if (lost == 0 && natsConnection_Status(impl_->nc) == NATS_CONN_STATUS_CONNECTED) return 0.0;
  return lost ? static_cast<double>(now_ms() - lost) / 1000.0 : 0.0;
}

int Connection::disconnections() const { return impl_->disconnections; }

QueueCounts Connection::counts() {
  QueueCounts c;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, impl_->js, kStream, nullptr, &jerr);
  if (s != NATS_OK) throw Error(url_ + ": cannot read stream " + kStream + ": " + describe(s, jerr));
  c.stored = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  s = js_GetStreamInfo(&si, impl_->js, kDeadStream, nullptr, &jerr);
  if (s != NATS_OK) throw Error(url_ + ": cannot read stream " + kDeadStream + ": " + describe(s, jerr));
  c.dead = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  jsConsumerInfo* ci = nullptr;
  jerr = static_cast<jsErrCode>(0);
  s = js_GetConsumerInfo(&ci, impl_->js, kStream, kConsumer, nullptr, &jerr);
  if (s == NATS_OK) {
    c.has_consumer = true;
    c.pending = ci->NumPending;
    c.in_flight = ci->NumAckPending;
    c.redelivered = ci->NumRedelivered;
    jsConsumerInfo_Destroy(ci);
  } else if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) {
    c.pending = c.stored;  // no worker yet: every message waits
  } else {
    throw Error(url_ + ": cannot read consumer " + kConsumer + ": " + describe(s, jerr));
  }
  return c;
}

kvStore* Connection::Impl::heartbeats(const std::string& url) {
  if (kv) return kv;
  natsStatus s = js_KeyValue(&kv, js, kHeartbeats);
  if (s == NATS_NOT_FOUND) {
    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = kHeartbeats;
    cfg.History = 1;
    s = js_CreateKeyValue(&kv, js, &cfg);
  }
  if (s != NATS_OK) throw Error(url + ": cannot open the key-value bucket " + kHeartbeats + ": " + describe(s));
  return kv;
}

void Connection::beat(const Heartbeat& h) {
  // A missed beat (server away) is only a gap in the status.
  kvStore* kv = nullptr;
  try {
    kv = impl_->heartbeats(url_);
  } catch (const Error&) {
    return;
  }
  const std::string value = json{{"worker", h.worker},
                                 {"at", h.at},
                                 {"done", h.done},
                                 {"failed", h.failed},
                                 {"last_minute", h.last_minute},
                                 {"started", h.started}}
                                .dump();
  std::uint64_t rev = 0;
  kvStore_PutString(&rev, kv, h.worker.c_str(), value.c_str());
}

std::vector<Heartbeat> Connection::heartbeats() {
  std::vector<Heartbeat> out;
  kvStore* kv = impl_->heartbeats(url_);
  kvKeysList keys{};
  const natsStatus s = kvStore_Keys(&keys, kv, nullptr);
  if (s == NATS_NOT_FOUND) return out;
  if (s != NATS_OK) throw Error(url_ + ": cannot list the workers' heartbeats: " + describe(s));
  for (int i = 0; i < keys.Count; ++i) {
    kvEntry* e = nullptr;
    if (kvStore_Get(&e, kv, keys.Keys[i]) != NATS_OK) continue;
    try {
      const json j = json::parse(kvEntry_ValueString(e));
      Heartbeat h;
      h.worker = j.value("worker", std::string(keys.Keys[i]));
      h.at = j.value("at", std::int64_t{0});
      h.done = j.value("done", std::int64_t{0});
      h.failed = j.value("failed", std::int64_t{0});
      h.last_minute = j.value("last_minute", std::int64_t{0});
      h.started = j.value("started", h.at - 60);
      out.push_back(h);
    } catch (const json::exception&) {
      // Not a heartbeat of ours: left out.
    }
    kvEntry_Destroy(e);
  }
  kvKeysList_Destroy(&keys);
  return out;
}

// ---- Publisher -----------------------------------------------------------------

struct Connection::Publisher::State {
  jsCtx* js = nullptr;
  std::mutex mutex;
  std::vector<std::string> errors;

  std::int64_t acked = 0, duplicates = 0;

  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<State*>(closure);
    std::lock_guard lock(self->mutex);
    if (pa) {
      ++self->acked;
      self->duplicates += pa->Duplicate;
    } else if (pae) {
      const char* name = nullptr;
      if (natsMsgHeader_Get(msg, "Propscan-Input", &name) != NATS_OK) name = "a message";
      self->errors.push_back(std::string(name) + ": not stored by the queue server: " +
                             (pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err)));
    }
    natsMsg_Destroy(msg);
  }
};

Connection::Publisher::Publisher(Connection& c, int window) : c_(c), state_(std::make_unique<State>()) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 10000;
  jo.PublishAsync.MaxPending = std::max(1, window);
  jo.PublishAsync.AckHandler = &State::on_ack;
  jo.PublishAsync.AckHandlerClosure = state_.get();
  const natsStatus s = natsConnection_JetStream(&state_->js, c.impl_->nc, &jo);
  if (s != NATS_OK) throw Error(c.url() + ": no JetStream context: " + describe(s));
}

Connection::Publisher::~Publisher() { jsCtx_Destroy(state_->js); }

void Connection::Publisher::publish(const std::string& name, const std::string& payload, const std::string& id) {
  const std::string header_name = header_safe(name);
  // The message's size on the wire: its payload and its headers.
  const auto size = static_cast<std::int64_t>(payload.size() + header_name.size() + id.size() + 64);
  if (size > c_.max_payload()) {
    throw Error(name + ": " + std::to_string(payload.size()) + " bytes as a message, over the queue server's " +
                "max_payload of " + std::to_string(c_.max_payload()) +
                " bytes (raise max_payload in its config: docs/scale-out.md)");
  }
  const auto deadline = now_ms() + 60000;
  for (;;) {
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, kSubject, nullptr, payload.data(), static_cast<int>(payload.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Propscan-Input", header_name.c_str());
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    if (s == NATS_OK) s = js_PublishMsgAsync(state_->js, &msg, &po);  // takes the message on success
    natsMsg_Destroy(msg);
    if (s == NATS_OK) return;
    // A full window (or a server away for a moment): wait and try again.
    if (now_ms() > deadline) throw Error(name + ": cannot publish to " + c_.url() + ": " + describe(s));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::int64_t Connection::Publisher::acked() const {
  std::lock_guard lock(state_->mutex);
  return state_->acked;
}

std::int64_t Connection::Publisher::duplicates() const {
  std::lock_guard lock(state_->mutex);
  return state_->duplicates;
}

std::vector<std::string> Connection::Publisher::finish(int timeout_seconds) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = static_cast<std::int64_t>(timeout_seconds) * 1000;
  const natsStatus s = js_PublishAsyncComplete(state_->js, &po);
  std::vector<std::string> errors;
  {
    std::lock_guard lock(state_->mutex);
    errors = state_->errors;
  }
  if (s != NATS_OK) {
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, state_->js) == NATS_OK) {
      for (int i = 0; i < pending.Count; ++i) {
        const char* name = nullptr;
        if (natsMsgHeader_Get(pending.Msgs[i], "Propscan-Input", &name) != NATS_OK) name = "a message";
        errors.push_back(std::string(name) + ": no acknowledgement from " + c_.url() + " within " +
                         std::to_string(timeout_seconds) + " s");
      }
      natsMsgList_Destroy(&pending);
    } else {
      errors.push_back(c_.url() + ": waiting for the acknowledgements failed: " + describe(s));
    }
  }
  return errors;
}

// ---- Subscription --------------------------------------------------------------

Connection::Subscription::Subscription(Connection& c, const ConsumerSettings& settings)
    : c_(c), settings_(settings) {
  jsCtx* js = c.impl_->js;
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = kConsumer;
  cc.AckPolicy = js_AckExplicit;
  cc.DeliverPolicy = js_DeliverAll;
  cc.FilterSubject = kSubject;
  cc.AckWait = static_cast<std::int64_t>(settings.ack_wait_seconds) * kNanos;
  // The server stops after MaxDeliver deliveries; the last one is the
  // worker's cue to move the message to the dead letters.
  cc.MaxDeliver = settings.max_deliver + 1;
  cc.MaxAckPending = 10000;
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js, kStream, kConsumer, nullptr, &jerr);
  if (s == NATS_OK) {
    const bool same = ci->Config->AckWait == cc.AckWait && ci->Config->MaxDeliver == cc.MaxDeliver;
    jsConsumerInfo_Destroy(ci);
    ci = nullptr;
    if (!same) s = js_UpdateConsumer(&ci, js, kStream, &cc, nullptr, &jerr);
  } else {
    jerr = static_cast<jsErrCode>(0);
    s = js_AddConsumer(&ci, js, kStream, &cc, nullptr, &jerr);
  }
  if (ci) jsConsumerInfo_Destroy(ci);
  if (s != NATS_OK) throw Error(c.url() + ": cannot set up the consumer " + kConsumer + ": " + describe(s, jerr));
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = kStream;
  so.Consumer = kConsumer;
  natsSubscription* sub = nullptr;
  jerr = static_cast<jsErrCode>(0);
  s = js_PullSubscribe(&sub, js, kSubject, kConsumer, nullptr, &so, &jerr);
  if (s != NATS_OK) throw Error(c.url() + ": cannot subscribe to " + kSubject + ": " + describe(s, jerr));
  sub_ = sub;
}

Connection::Subscription::~Subscription() {
  // The durable consumer stays on the server for the other workers.
  natsSubscription_Destroy(static_cast<natsSubscription*>(sub_));
}

std::vector<Delivery> Connection::Subscription::fetch(int batch, int timeout_ms) {
  std::vector<Delivery> fetched;
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      natsSubscription_Fetch(&list, static_cast<natsSubscription*>(sub_), batch, timeout_ms, &jerr);
  if (s != NATS_OK) {
    // Nothing came, or the server is away: the caller tries again.
    natsMsgList_Destroy(&list);
    if (s != NATS_TIMEOUT) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return fetched;
  }
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* m = list.Msgs[i];
    list.Msgs[i] = nullptr;
    Delivery d;
    d.msg = m;
    d.payload.assign(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
      d.sequence = meta->Sequence.Stream;
      d.delivered = meta->NumDelivered;
      jsMsgMetaData_Destroy(meta);
    }
    fetched.push_back(std::move(d));
  }
  natsMsgList_Destroy(&list);
  return fetched;
}

void Connection::Subscription::in_progress(const std::vector<Delivery>& ds) {
  for (const auto& d : ds) natsMsg_InProgress(static_cast<natsMsg*>(d.msg), nullptr);
}

void Connection::Subscription::dead_letter(const Delivery& d) {
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&pa, c_.impl_->js, kDeadSubject, d.payload.data(),
                                  static_cast<int>(d.payload.size()), nullptr, &jerr);
  jsPubAck_Destroy(pa);
  if (s != NATS_OK) {
    throw Error(c_.url() + ": cannot move message " + std::to_string(d.sequence) + " to " + kDeadSubject + ": " +
                describe(s, jerr));
  }
}

int Connection::Subscription::ack(std::vector<Delivery>& ds) {
  int failed = 0;
  for (auto& d : ds) failed += natsMsg_Ack(static_cast<natsMsg*>(d.msg), nullptr) != NATS_OK;
  drop(ds);
  return failed;
}

void Connection::Subscription::drop(std::vector<Delivery>& ds) {
  for (auto& d : ds) natsMsg_Destroy(static_cast<natsMsg*>(d.msg));
  ds.clear();
}

}  // namespace propscan::queue
