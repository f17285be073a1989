// MatchSpec: building matchers from parsed fields, matching, canonical formatting.
// The text parser is in match_spec_parse.cpp.
#include "core/match_spec.hpp"

#include <algorithm>
#include <array>
#include <tuple>

namespace chanmirror::core {

namespace {

// conda/base/constants.py KNOWN_SUBDIRS (see shared/docs/formats.md §1).
constexpr std::array<std::string_view, 19> known_subdirs = {
    "noarch",        "emscripten-wasm32",
    "wasi-wasm32",   "freebsd-64",
    "linux-32",      "linux-64",
    "linux-aarch64", "linux-armv6l",
    "linux-armv7l",  "linux-ppc64",
    "linux-ppc64le", "linux-riscv64",
    "linux-s390x",   "osx-64",
    "osx-arm64",     "win-32",
    "win-64",        "win-arm64",
    "zos-z",
};

bool is_known_subdir(std::string_view s) {
    return std::find(known_subdirs.begin(), known_subdirs.end(), s) != known_subdirs.end();
}

bool is_build_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-.*+!").find(c) != std::string_view::npos;
}
bool is_channel_char(char c) {
    return is_build_char(c) || std::string_view(":/~%@").find(c) != std::string_view::npos;
}
// A subdir is a platform name ("linux-64", "noarch"), or a glob or regex of one. Written
// after a channel's "/", a ':' or '/' in it would read back as part of the channel.
bool is_subdir_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-.*^$").find(c) != std::string_view::npos;
}
bool is_regex(std::string_view s) {
    return s.size() >= 2 && s.front() == '^' && s.back() == '$';
}

// Rejects text that no record field could hold, so that to_string() always parses back.
auto check_characters(const std::optional<std::string>& build,
                      const std::optional<std::string>& channel,
                      const std::optional<std::string>& subdir) -> Result<void> {
    auto all = [](const std::optional<std::string>& text, bool (*ok)(char)) {
        return !text || is_regex(*text) || std::all_of(text->begin(), text->end(), ok);
    };
    if (!all(build, is_build_char)) {
        return fail(ErrorKind::invalid_input, "invalid character in build string '" + *build + "'");
    }
    if (!all(channel, is_channel_char) ||
        (subdir && !std::all_of(subdir->begin(), subdir->end(), is_subdir_char))) {
        return fail(ErrorKind::invalid_input, "invalid character in channel or subdir");
    }
    // The channel is already the name after a URL's host ("https://host/a" -> "a"); a second
    // "scheme://" in it would be stripped again on every reading of the canonical text.
    if (channel && channel->find("://") != std::string::npos) {
        return fail(ErrorKind::invalid_input, "invalid channel '" + *channel + "'");
    }
    return {};
}

// track_features / features text: names separated by commas or spaces, as a sorted set.
std::vector<std::string> feature_set(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= text.size()) {
        const std::size_t j = std::min(text.find_first_of(", ", i), text.size());
        if (j > i) {
            out.emplace_back(text.substr(i, j - i));
        }
        i = j + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool is_feature_separator(char c) {
    return c == ',' || c == ' ';
}

// Calls f(token) for every non-empty token of a space/comma separated list until f is false.
template <typename F>
bool all_tokens(std::string_view text, F f) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_feature_separator(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && !is_feature_separator(text[j])) {
            ++j;
        }
        if (!f(text.substr(i, j - i))) {
            return false;
        }
        i = j;
    }
    return true;
}

// conda's FeatureMatch: the record's feature set equals the spec's.
bool same_feature_set(const std::vector<std::string>& set, std::string_view text) {
    const bool all_known = all_tokens(text, [&](std::string_view token) {
        return std::binary_search(set.begin(), set.end(), token);
    });
    return all_known && std::all_of(set.begin(), set.end(), [&](const std::string& feature) {
               return !all_tokens(text, [&](std::string_view t) { return t != feature; });
           });
}

bool has_any_of(std::string_view text, std::string_view chars) {
    return text.find_first_of(chars) != std::string_view::npos;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : std::string(sep)) + item;
    }
    return out;
}

std::string key_value(std::string_view key, std::string_view value) {
    const bool quote = has_any_of(value, ", =");
    return std::string(key) + (quote ? "='" : "=") + std::string(value) + (quote ? "'" : "");
}

}  // namespace

auto channel_name(std::string_view channel) -> std::string_view {
    while (!channel.empty() && channel.back() == '/') {
        channel.remove_suffix(1);
    }
    const std::size_t scheme = channel.find("://");
    if (scheme == std::string_view::npos) {
        return channel;
    }
    const std::size_t path = channel.find('/', scheme + 3);
    if (path == std::string_view::npos) {
        return channel;
    }
    std::string_view name = channel.substr(path + 1);
    if (name.starts_with("t/")) {  // anaconda.org token: /t/<token>/<channel>
        const std::size_t after_token = name.find('/', 2);
        name = after_token == std::string_view::npos ? std::string_view()
                                                     : name.substr(after_token + 1);
    }
    return name;
}

auto channel_and_subdir(std::string_view text)
    -> std::pair<std::string_view, std::optional<std::string_view>> {
    const std::string_view name = channel_name(text);
    const std::size_t slash = name.rfind('/');
    if (slash != std::string_view::npos && is_known_subdir(name.substr(slash + 1))) {
        return {name.substr(0, slash), name.substr(slash + 1)};
    }
    return {name, std::nullopt};
}

auto MatchSpec::from_fields(const Fields& fields, std::string_view input) -> Result<MatchSpec> {
    MatchSpec m;
    if (auto ok = m.build_fields(fields); !ok) {
        return fail(ErrorKind::invalid_input,
                    "invalid match spec '" + std::string(input) + "': " + ok.error().message);
    }
    return m;
}

auto MatchSpec::build_fields(const Fields& f) -> Result<void> {
    if (auto ok = check_characters(f.build, f.channel, f.subdir); !ok) {
        return ok;
    }
    auto name = StringMatcher::parse(f.name, StringMatcher::Case::lower_pattern);
    if (!name) {
        return tl::unexpected(name.error());
    }
    name_ = std::move(*name);
    if (auto ok = build_version(f); !ok) {
        return ok;
    }
    if (auto ok = build_strings(f); !ok) {
        return ok;
    }
    channel_ = f.channel && *f.channel != "*" ? *f.channel : std::string();
    subdir_ = f.subdir;
    fn_ = f.fn;
    url_ = f.url;
    md5_ = f.md5;
    sha256_ = f.sha256;
    if (f.track_features) {
        track_features_ = feature_set(*f.track_features);
    }
    if (f.features) {
        features_ = feature_set(*f.features);
    }
    return {};
}

auto MatchSpec::build_version(const Fields& f) -> Result<void> {
    if (f.version) {
        auto version = VersionSpec::parse(*f.version);
        if (!version) {
            return tl::unexpected(version.error());
        }
        version_ = std::move(*version);
    }
    if (f.build_number) {
        auto number = BuildNumberSpec::parse(*f.build_number);
        if (!number) {
            return tl::unexpected(number.error());
        }
        build_number_ = std::move(*number);
    }
    return {};
}

auto MatchSpec::build_strings(const Fields& f) -> Result<void> {
    using Case = StringMatcher::Case;
    const std::tuple<const std::optional<std::string>&, std::optional<StringMatcher>&, Case>
        targets[] = {{f.build, build_, Case::sensitive},
                     {f.license, license_, Case::insensitive},
                     {f.license_family, license_family_, Case::insensitive}};
    for (const auto& [text, target, mode] : targets) {
        if (!text) {
            continue;
        }
        auto matcher = StringMatcher::parse(*text, mode);
        if (!matcher) {
            return tl::unexpected(matcher.error());
        }
        target = std::move(*matcher);
    }
    return {};
}

bool MatchSpec::channel_matches(std::string_view record_channel) const {
    const std::string_view name = channel_name(record_channel);
    return channel_.find('*') != std::string::npos ? glob_match(channel_, name) : channel_ == name;
}

bool MatchSpec::matches(const RecordFields& r) const {
    if (!name_.matches(r.name)) {
        return false;
    }
    if (version_ && !version_->matches_all() &&
        (r.version == nullptr || !version_->matches(*r.version))) {
        return false;
    }
    if (build_ && !build_->matches(r.build)) {
        return false;
    }
    if (build_number_ && !build_number_->matches(r.build_number)) {
        return false;
    }
    return matches_extra(r);
}

bool MatchSpec::matches_extra(const RecordFields& r) const {
    auto same = [](const std::optional<std::string>& want, std::string_view have) {
        return !want || *want == have;
    };
    auto like = [](const std::optional<StringMatcher>& want, std::string_view have) {
        return !want || want->matches(have);
    };
    auto features = [](const std::optional<std::vector<std::string>>& want, std::string_view have) {
        return !want || same_feature_set(*want, have);
    };
    return (channel_.empty() || channel_matches(r.channel)) && same(subdir_, r.subdir) &&
           same(md5_, r.md5) && same(sha256_, r.sha256) && same(fn_, r.fn) && same(url_, r.url) &&
           like(license_, r.license) && like(license_family_, r.license_family) &&
           features(track_features_, r.track_features) && features(features_, r.features);
}

// conda's MatchSpec.__str__.
auto MatchSpec::to_string() const -> std::string {
    std::string out;
    std::vector<std::string> brackets;
    const bool exact_channel = !channel_.empty() && channel_.find('*') == std::string::npos;
    if (exact_channel) {
        out = channel_;
    } else if (!channel_.empty()) {
        brackets.push_back("channel=" + channel_);
    }
    if (subdir_) {
        // "channel/subdir::" reads back only for a subdir the parser knows; conda writes any
        // there, and then reads an unknown one back as part of the channel.
        if (exact_channel && is_known_subdir(*subdir_)) {
            out += "/" + *subdir_;
        } else {
            brackets.push_back("subdir=" + *subdir_);
        }
    }
    out += (out.empty() ? "" : "::") + name_.to_string();
    format_version_and_build(out, brackets);
    format_extra(brackets);
    if (!brackets.empty()) {
        out += "[" + join(brackets, ",") + "]";
    }
    return out;
}

void MatchSpec::format_version_and_build(std::string& out,
                                         std::vector<std::string>& brackets) const {
    const bool has_build = build_ && !build_->matches_all();
    bool exact_version = false;
    if (version_ && !version_->matches_all()) {
        const std::string& v = version_->to_string();
        if (has_any_of(v, "><$^|,")) {
            brackets.push_back("version='" + v + "'");
        } else if (v.starts_with("!=") || v.starts_with("~=")) {
            if (has_build) {
                brackets.push_back("version='" + v + "'");
            } else {
                out += v;
            }
        } else if (v.ends_with(".*")) {
            out += "=" + v.substr(0, v.size() - 2);
        } else if (v.ends_with("*")) {
            out += "=" + v.substr(0, v.size() - 1);
        } else {
            out += v.starts_with("==") ? v : "==" + v;
            exact_version = true;
        }
    }
    if (has_build) {
        const std::string& b = build_->to_string();
        if (has_any_of(b, "><$^|,")) {
            brackets.push_back("build='" + b + "'");
        } else if (b.find('*') == std::string::npos && exact_version) {
            out += "=" + b;
        } else {
            brackets.push_back("build=" + b);
        }
    }
}

void MatchSpec::format_extra(std::vector<std::string>& brackets) const {
    if (build_number_ && !build_number_->matches_all()) {
        brackets.push_back(key_value("build_number", build_number_->to_string()));
    }
    for (auto [key, set] :
         {std::pair{"track_features", &track_features_}, std::pair{"features", &features_}}) {
        if (*set) {
            brackets.push_back(key_value(key, join(**set, " ")));
        }
    }
    if (url_ && channel_.empty()) {
        brackets.push_back(key_value("url", *url_));
    }
    for (auto [key, value] : {std::pair{"md5", &md5_}, std::pair{"sha256", &sha256_}}) {
        if (*value) {
            brackets.push_back(key_value(key, **value));
        }
    }
    for (auto [key, matcher] :
         {std::pair{"license", &license_}, std::pair{"license_family", &license_family_}}) {
        if (*matcher) {
            brackets.push_back(key_value(key, (*matcher)->to_string()));
        }
    }
    if (fn_ && !url_) {
        brackets.push_back(key_value("fn", *fn_));
    }
}

}  // namespace chanmirror::core
