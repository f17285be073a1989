// select_files, second half: pruning (issue 5 step 4) and the result (step 5).
#include <algorithm>
#include <unordered_set>

#include "core/selection_engine.hpp"

namespace chanmirror::core::detail {

bool Selector::satisfied(SpecCache::Id id, std::uint32_t platform,
                         std::unordered_map<std::uint64_t, bool>& memo) {
    const std::uint64_t key = memo_key(id, platform);
    if (const auto it = memo.find(key); it != memo.end()) {
        return it->second;
    }
    const MatchSpec& spec = *specs_.entry(id).spec;
    bool found = false;
    for_each_named(spec, inputs_of(platform), [&](std::uint32_t gid) {
        found = found || (selected_[gid] && spec.matches(fields(gid)));
    });
    memo.emplace(key, found);
    return found;
}

auto Selector::first_unsatisfied(std::uint32_t gid, std::unordered_map<std::uint64_t, bool>& memo)
    -> const SpecCache::Entry* {
    const auto [input, id] = locate(gid);
    for (std::size_t k = 0; k < indices_[input].depends(id).size(); ++k) {
        const SpecCache::Id spec = dependency(input, id, k);
        const auto& entry = specs_.entry(spec);
        if (!entry.is_virtual && entry.spec && !satisfied(spec, input_platform_[input], memo)) {
            return &entry;
        }
    }
    return nullptr;
}

// Drops are decided on the selection as it stood at the start of each round, then applied;
// rounds repeat until none drops. This reaches the largest closed subset in any order.
void Selector::prune() {
    std::unordered_map<std::uint64_t, bool> memo;
    std::vector<std::uint8_t> affected;  // per spec: may have lost its match; empty: all
    for (;;) {
        memo.clear();
        std::vector<std::pair<std::uint32_t, const SpecCache::Entry*>> drops;
        for (std::uint32_t gid = 0; gid < selected_.size(); ++gid) {
            if (selected_[gid] && (affected.empty() || depends_on_any(gid, affected))) {
                if (const auto* entry = first_unsatisfied(gid, memo)) {
                    drops.emplace_back(gid, entry);
                }
            }
        }
        if (drops.empty()) {
            return;
        }
        std::unordered_set<std::string_view> names;
        for (const auto& [gid, entry] : drops) {
            selected_[gid] = 0;
            const auto [input, id] = locate(gid);
            names.insert(indices_[input].record(id).name);
            result_.dropped.push_back(DroppedRecord{{inputs_[input].channel, inputs_[input].subdir},
                                                    std::string(indices_[input].filename(id)),
                                                    std::string(entry->text)});
        }
        // Only records depending on a name that lost records can become unsatisfied.
        affected.assign(specs_.size(), 0);
        for (SpecCache::Id spec = 0; spec < specs_.size(); ++spec) {
            const auto& e = specs_.entry(spec);
            affected[spec] =
                e.spec && (!e.spec->has_exact_name() || names.contains(e.spec->name()));
        }
    }
}

bool Selector::depends_on_any(std::uint32_t gid, const std::vector<std::uint8_t>& affected) {
    const auto [input, id] = locate(gid);
    for (std::size_t k = 0; k < indices_[input].depends(id).size(); ++k) {
        const SpecCache::Id spec = dependency(input, id, k);
        if (spec < affected.size() && affected[spec]) {
            return true;
        }
    }
    return false;
}

auto Selector::finish() -> SelectionResult {
    auto where = [&](std::uint32_t gid) {
        const auto [input, id] = locate(gid);
        return std::make_pair(SubdirKey{inputs_[input].channel, inputs_[input].subdir},
                              std::string(indices_[input].filename(id)));
    };
    for (std::uint32_t i = 0; i < inputs_.size(); ++i) {
        // Ids run through packages, then packages.conda, each sorted: merge, then append.
        std::vector<std::string_view> names[2];
        for (std::uint32_t id = 0; id < indices_[i].size(); ++id) {
            if (selected_[offsets_[i] + id]) {
                const std::string_view name = indices_[i].filename(id);
                names[name.ends_with(".conda") ? 1 : 0].push_back(name);
            }
        }
        std::vector<std::string_view> sorted(names[0].size() + names[1].size());
        std::merge(names[0].begin(), names[0].end(), names[1].begin(), names[1].end(),
                   sorted.begin());
        auto& files = result_.files[{inputs_[i].channel, inputs_[i].subdir}];
        for (const std::string_view name : sorted) {
            files.emplace_hint(files.end(), name);
        }
        for (const std::string& problem : indices_[i].problems()) {
            result_.unreadable.push_back(inputs_[i].channel + "/" + inputs_[i].subdir + "/" +
                                         problem);
        }
    }
    for (const auto& [key, m] : missing_) {
        auto [location, filename] = where(m.first_gid);
        result_.missing.push_back(MissingDependency{std::string(specs_.entry(key.first).text),
                                                    platforms_[key.second], std::move(location),
                                                    std::move(filename), m.dependents});
    }
    for (const auto& [spec, gid] : invalid_) {
        const auto& entry = specs_.entry(spec);
        const auto [location, filename] = where(gid);
        result_.invalid_depends.push_back(entry.spec.error().message + " (needed by " +
                                          location.first + "/" + location.second + "/" + filename +
                                          ")");
    }
    return std::move(result_);
}

}  // namespace chanmirror::core::detail
