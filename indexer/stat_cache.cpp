#include "indexer/stat_cache.hpp"

#include <sqlite3.h>

namespace chanmirror::indexer {
namespace {

namespace fs = std::filesystem;

// Bump when extraction changes what is stored, so old caches are rebuilt.
constexpr int schema_version = 3;

struct StatementFree {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFree>;

std::string column_text(sqlite3_stmt* s, int i) {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
                : std::string();
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

}  // namespace

struct StatCache::Db {
    sqlite3* handle = nullptr;
    fs::path path;
    ~Db() {
        if (handle)
            sqlite3_close(handle);
    }
    core::Error error(const std::string& what) const {
        return core::Error{core::ErrorKind::io, "index cache " + path.string() + ": " + what +
                                                    ": " + sqlite3_errmsg(handle)};
    }
    core::Result<void> exec(const char* sql) {
        if (sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
            return tl::unexpected(error(sql));
        }
        return {};
    }
    core::Result<Statement> prepare(const char* sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(handle, sql, -1, &s, nullptr) != SQLITE_OK) {
            return tl::unexpected(error("prepare"));
        }
        return Statement(s);
    }
    int user_version() {
        auto s = prepare("PRAGMA user_version");
        if (!s || sqlite3_step(s->get()) != SQLITE_ROW)
            return -1;
        return sqlite3_column_int(s->get(), 0);
    }
};

StatCache::StatCache(std::unique_ptr<Db> db) : db_(std::move(db)) {}
StatCache::StatCache(StatCache&&) noexcept = default;
StatCache& StatCache::operator=(StatCache&&) noexcept = default;
StatCache::~StatCache() = default;

core::Result<StatCache> StatCache::open(const fs::path& subdir_dir) {
    auto opened = open_database(subdir_dir);
    if (opened)
        return opened;
    // A damaged cache (crash, disk full) is rebuilt rather than failing the index.
    std::error_code ec;
    fs::remove(subdir_dir / ".cache" / "chanmirror-index.sqlite", ec);
    return open_database(subdir_dir);
}

core::Result<StatCache> StatCache::open_database(const fs::path& subdir_dir) {
    auto dir = subdir_dir / ".cache";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return core::fail(core::ErrorKind::io,
                          "cannot create " + dir.string() + ": " + ec.message());
    auto db = std::make_unique<Db>();
    db->path = dir / "chanmirror-index.sqlite";
    if (sqlite3_open(db->path.c_str(), &db->handle) != SQLITE_OK) {
        return tl::unexpected(db->error("open"));
    }
    sqlite3_busy_timeout(db->handle, 10000);
    // The cache only saves work: losing its last transaction on power loss is harmless.
    db->exec("PRAGMA synchronous = OFF");
    if (db->user_version() != schema_version) {
        if (auto r = db->exec("DROP TABLE IF EXISTS packages"); !r)
            return tl::unexpected(r.error());
    }
    auto created = db->exec(
        "CREATE TABLE IF NOT EXISTS packages (filename TEXT PRIMARY KEY, size INTEGER NOT NULL,"
        " mtime_ns INTEGER NOT NULL, record TEXT NOT NULL, run_exports TEXT NOT NULL,"
        " extras TEXT NOT NULL, error TEXT NOT NULL, warnings TEXT NOT NULL,"
        " recipe_deferred INTEGER NOT NULL)");
    if (!created)
        return tl::unexpected(created.error());
    auto meta =
        db->exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    if (!meta)
        return tl::unexpected(meta.error());
    std::string pragma = "PRAGMA user_version = " + std::to_string(schema_version);
    if (auto r = db->exec(pragma.c_str()); !r)
        return tl::unexpected(r.error());
    return StatCache(std::move(db));
}

core::Result<std::map<std::string, CachedPackage>> StatCache::load() {
    auto s = db_->prepare(
        "SELECT filename, size, mtime_ns, record, run_exports, extras, error, warnings,"
        " recipe_deferred FROM packages");
    if (!s)
        return tl::unexpected(s.error());
    std::map<std::string, CachedPackage> out;
    int rc;
    while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) {
        CachedPackage p;
        p.size = static_cast<std::uint64_t>(sqlite3_column_int64(s->get(), 1));
        p.mtime_ns = sqlite3_column_int64(s->get(), 2);
        p.record = column_text(s->get(), 3);
        p.run_exports = column_text(s->get(), 4);
        p.extras = column_text(s->get(), 5);
        p.error = column_text(s->get(), 6);
        p.warnings = column_text(s->get(), 7);
        p.recipe_deferred = sqlite3_column_int(s->get(), 8) != 0;
        out.emplace(column_text(s->get(), 0), std::move(p));
    }
    if (rc != SQLITE_DONE)
        return tl::unexpected(db_->error("read"));
    return out;
}

core::Result<void> StatCache::store(const std::map<std::string, CachedPackage>& updated,
                                    const std::vector<std::string>& removed) {
    if (updated.empty() && removed.empty())
        return {};
    if (auto r = db_->exec("BEGIN IMMEDIATE"); !r)
        return r;
    // The error is taken before the rollback: SQLite may have rolled back already (a full
    // disk does), and the ROLLBACK's own message would hide why.
    auto fail = [&](core::Error error) -> core::Result<void> {
        db_->exec("ROLLBACK");
        return tl::unexpected(std::move(error));
    };
    auto insert =
        db_->prepare("INSERT OR REPLACE INTO packages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    auto erase = db_->prepare("DELETE FROM packages WHERE filename = ?");
    if (!insert || !erase)
        return fail(!insert ? insert.error() : erase.error());
    for (const auto& [name, p] : updated) {
        auto* s = insert->get();
        sqlite3_reset(s);
        bind_text(s, 1, name);
        sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(p.size));
        sqlite3_bind_int64(s, 3, p.mtime_ns);
        bind_text(s, 4, p.record);
        bind_text(s, 5, p.run_exports);
        bind_text(s, 6, p.extras);
        bind_text(s, 7, p.error);
        bind_text(s, 8, p.warnings);
        sqlite3_bind_int(s, 9, p.recipe_deferred ? 1 : 0);
        if (sqlite3_step(s) != SQLITE_DONE)
            return fail(db_->error("write " + name));
    }
    for (const auto& name : removed) {
        auto* s = erase->get();
        sqlite3_reset(s);
        bind_text(s, 1, name);
        if (sqlite3_step(s) != SQLITE_DONE)
            return fail(db_->error("delete " + name));
    }
    if (auto r = db_->exec("COMMIT"); !r)
        return fail(r.error());
    return {};
}

core::Result<std::string> StatCache::get_meta(const std::string& key) {
    auto s = db_->prepare("SELECT value FROM meta WHERE key = ?");
    if (!s)
        return tl::unexpected(s.error());
    bind_text(s->get(), 1, key);
    int rc = sqlite3_step(s->get());
    if (rc == SQLITE_ROW)
        return column_text(s->get(), 0);
    if (rc == SQLITE_DONE)
        return std::string();
    return tl::unexpected(db_->error("read meta " + key));
}

core::Result<void> StatCache::set_meta(const std::string& key, const std::string& value) {
    auto s = db_->prepare("INSERT OR REPLACE INTO meta VALUES (?, ?)");
    if (!s)
        return tl::unexpected(s.error());
    bind_text(s->get(), 1, key);
    bind_text(s->get(), 2, value);
    if (sqlite3_step(s->get()) != SQLITE_DONE)
        return tl::unexpected(db_->error("write meta " + key));
    return {};
}

}  // namespace chanmirror::indexer
