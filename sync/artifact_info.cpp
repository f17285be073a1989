#include "sync/artifact_info.hpp"

#include <simdjson.h>

namespace chanmirror::sync {
namespace {

// ASCII only, no locale: this runs for every record of a 500,000-record repodata.
char hex_lower(char c) {
    if (c >= '0' && c <= '9')
        return c;
    if (c >= 'a' && c <= 'f')
        return c;
    if (c >= 'A' && c <= 'F')
        return static_cast<char>(c - 'A' + 'a');
    return '\0';
}

// Lower-case hex of exactly `length` digits, or "" when `s` is not that.
std::string normalized_hex(std::string_view s, std::size_t length) {
    if (s.size() != length)
        return {};
    std::string out(length, '\0');
    for (std::size_t i = 0; i < length; ++i) {
        out[i] = hex_lower(s[i]);
        if (out[i] == '\0')
            return {};
    }
    return out;
}

}  // namespace

struct ArtifactInfoReader::Impl {
    simdjson::ondemand::parser parser;
    std::string buffer;
};

ArtifactInfoReader::ArtifactInfoReader() : impl_(std::make_unique<Impl>()) {}
ArtifactInfoReader::~ArtifactInfoReader() = default;

core::Result<ArtifactInfo> ArtifactInfoReader::read(std::string_view record_json,
                                                    std::string_view what) {
    auto bad = [&](std::string_view why) {
        return core::fail(core::ErrorKind::invalid_input,
                          std::string(what) + ": record " + std::string(why));
    };
    auto& buf = impl_->buffer;
    buf.assign(record_json);
    buf.resize(record_json.size() + simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document doc;
    if (impl_->parser.iterate(buf.data(), record_json.size(), buf.size()).get(doc))
        return bad("is not JSON");
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj))
        return bad("is not an object");
    ArtifactInfo info;
    bool has_size = false;
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key))
            return bad("has a bad key");
        if (key == "size") {
            if (field.value().get_uint64().get(info.size))
                return bad("has a bad size");
            has_size = true;
        } else if (key == "sha256" || key == "md5") {
            std::string_view v;
            if (field.value().get_string().get(v))
                continue;  // null: treated as absent
            auto hex = normalized_hex(v, key == "md5" ? 32 : 64);
            if (hex.empty())
                return bad("has a bad " + std::string(key));
            (key == "md5" ? info.md5 : info.sha256) = std::move(hex);
        }
    }
    if (!has_size)
        return bad("has no size");
    if (info.sha256.empty() && info.md5.empty())
        return bad("has neither sha256 nor md5");
    return info;
}

}  // namespace chanmirror::sync
