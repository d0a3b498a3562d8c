// The corpus store on PostgreSQL (docs/store.md, docs/scale-out.md): the
// same Store interface, schema and results as SQLite, for many machines
// sharing one corpus. It lives in its own library (propscan_store_postgres)
// so that only the programs that use it link libpq.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace propscan::store {

// Whether `location` is a PostgreSQL connection URL (postgresql://...,
// postgres://...) rather than an SQLite file.
bool is_postgres_url(const std::string& location);

// `url` without its password, for messages.
std::string redact_url(const std::string& url);

// Connects to the database at `url` and migrates it to the current schema.
// Throws propscan::Error naming the URL (without its password) when it
// cannot connect, the database holds other tables, or its schema is newer.
std::unique_ptr<Store> open_postgres_store(const std::string& url);

// The store at a location: a postgresql:// URL, or else an SQLite file.
std::unique_ptr<Store> open_store_at(const std::string& location);

// Whether a store exists at `location` (an SQLite file that is there; a
// PostgreSQL URL is taken to exist: connecting says otherwise).
bool store_exists(const std::string& location);

// The store at `location`, which must exist: else a propscan::Error naming
// it (without its password) says to create it with propscan ingest.
std::unique_ptr<Store> open_existing_store(const std::string& location);

// An FTS5 query (what `propscan search` reads: words, "phrases", AND, OR,
// NOT, prefix*, title:word, parentheses) as the text of a PostgreSQL
// tsquery; throws propscan::Error on a query FTS5 would refuse. For tests.
std::string fts_to_tsquery(const std::string& query);

}  // namespace propscan::store
