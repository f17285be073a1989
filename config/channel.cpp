#include "config/channel.hpp"

#include <algorithm>

namespace chanmirror::config {
namespace {

bool has_scheme(std::string_view s) {
    return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("file://");
}

std::string trim_slashes(std::string_view s) {
    while (!s.empty() && s.back() == '/')
        s.remove_suffix(1);
    return std::string(s);
}

// Position of the path in a URL (after scheme://authority), or npos for file:// roots.
std::size_t path_start(std::string_view url) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return 0;
    auto slash = url.find('/', scheme_end + 3);
    return slash == std::string_view::npos ? url.size() : slash;
}

// "/t/<token>/rest" -> "/rest" (conda's split_anaconda_token).
std::string strip_token(std::string_view path) {
    std::string out(path);
    auto pos = out.find("/t/");
    if (pos == std::string::npos)
        return out;
    auto end = out.find('/', pos + 3);
    out.erase(pos, end == std::string::npos ? out.size() - pos : end - pos);
    return out;
}

// Mirror folder for a URL: its path without token, leading slash or "..".
core::Result<std::string> local_path_for(std::string_view url) {
    auto path = strip_token(url.substr(path_start(url)));
    std::string out;
    std::size_t i = 0;
    while (i <= path.size()) {
        auto next = path.find('/', i);
        if (next == std::string::npos)
            next = path.size();
        auto part = path.substr(i, next - i);
        if (part == "..")
            return core::fail(core::ErrorKind::invalid_input,
                              "channel URL " + redact(url) + " contains ..");
        if (!part.empty() && part != ".")
            out += (out.empty() ? "" : "/") + part;
        i = next + 1;
    }
    if (out.empty()) {
        return core::fail(core::ErrorKind::invalid_input,
                          "channel URL " + redact(url) + " has no path to name its mirror folder");
    }
    return out;
}

core::Result<Channel> from_url(std::string_view url) {
    auto local = local_path_for(url);
    if (!local)
        return tl::unexpected(local.error());
    return Channel{trim_slashes(url), *local};
}

}  // namespace

std::string_view defaults_terms_notice() {
    return "note: 'defaults' is Anaconda's repository; its terms of service restrict mirroring "
           "(https://www.anaconda.com/legal) - make sure your use is licensed";
}

core::Result<ChannelResolution> resolve_channel(std::string_view spec,
                                                std::string_view channel_alias,
                                                const std::vector<std::string>& default_channels) {
    ChannelResolution out;
    if (spec.empty())
        return core::fail(core::ErrorKind::invalid_input, "empty channel name");
    if (spec == "defaults") {
        out.used_defaults = true;
        for (const auto& url : default_channels) {
            auto sub = resolve_channel(url, channel_alias, {});
            if (!sub)
                return tl::unexpected(sub.error().with_context("default_channels"));
            out.channels.insert(out.channels.end(), sub->channels.begin(), sub->channels.end());
        }
        return out;
    }
    if (has_scheme(spec)) {
        auto ch = from_url(spec);
        if (!ch)
            return tl::unexpected(ch.error());
        out.channels.push_back(std::move(*ch));
        return out;
    }
    if (spec.find("://") != std::string_view::npos) {
        return core::fail(
            core::ErrorKind::unsupported,
            "channel " + redact(spec) + ": only http, https and file URLs are supported");
    }
    auto name = trim_slashes(spec);
    while (!name.empty() && name.front() == '/')
        name.erase(0, 1);
    auto ch = from_url(join_url(channel_alias, name));
    if (!ch)
        return tl::unexpected(ch.error());
    // The mirror folder of a named channel is its name, whatever the alias's own path is.
    ch->local_path = name;
    if (auto checked = local_path_for("x://h/" + name); !checked)
        return tl::unexpected(checked.error());
    out.channels.push_back(std::move(*ch));
    return out;
}

std::string redact(std::string_view url) {
    std::string out(url);
    auto scheme_end = out.find("://");
    if (scheme_end != std::string::npos) {
        auto auth_start = scheme_end + 3;
        auto auth_end = std::min(out.find('/', auth_start), out.size());
        auto at = out.rfind('@', auth_end);
        if (at != std::string::npos && at >= auth_start)
            out.replace(auth_start, at - auth_start, "***");
    }
    auto pos = out.find("/t/");
    if (pos != std::string::npos) {
        auto end = out.find('/', pos + 3);
        if (end == std::string::npos)
            end = out.size();
        out.replace(pos + 3, end - pos - 3, "***");
    }
    return out;
}

std::string join_url(std::string_view base, std::string_view rel) {
    std::string out = trim_slashes(base);
    while (!rel.empty() && rel.front() == '/')
        rel.remove_prefix(1);
    out += '/';
    out += rel;
    return out;
}

}  // namespace chanmirror::config
