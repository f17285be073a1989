#include "core/version.hpp"
#include "core/strings.hpp"

#include <algorithm>
#include <limits>
#include <span>

namespace chanmirror::core {

namespace {

using Atom = Version::Atom;
using Kind = Version::Atom::Kind;
using Atoms = std::span<const Atom>;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_separator(char c) {
    return c == '.' || c == '_';
}

// Runs are maximal stretches of digits, of '*', or of other characters.
int run_class(char c) {
    return is_digit(c) ? 0 : (c == '*' ? 1 : 2);
}

// An upper bound on the atoms of a normalized version, to allocate once.
std::size_t estimate_atoms(std::string_view n) {
    std::size_t count = 2;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const bool boundary = i == 0 || is_separator(n[i - 1]) || n[i - 1] == '!' ||
                              n[i - 1] == '+' || run_class(n[i - 1]) != run_class(n[i]);
        count += boundary ? 2 : 0;
    }
    return count;
}

bool has_only_version_chars(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || c == '*' || c == '.' || c == '+' ||
               c == '!' || c == '_';
    });
}

// ---- comparison -------------------------------------------------------------------------

// One side of a comparison: some atoms and the normalized text they point into.
struct Side {
    Atoms atoms;
    std::string_view norm;
};

bool is_string(const Atom& a) {
    return a.kind == Kind::text || a.kind == Kind::dev;
}

std::string_view text_of(const Atom& a, std::string_view norm) {
    // conda upper-cases "dev" so that it sorts before every other (lower-case) string.
    return a.kind == Kind::dev ? std::string_view("DEV") : norm.substr(a.offset, a.length);
}

int compare_numbers(const Atom& a, std::string_view na, const Atom& b, std::string_view nb) {
    if (a.kind == Kind::post || b.kind == Kind::post) {
        return int(a.kind == Kind::post) - int(b.kind == Kind::post);  // post is +infinity
    }
    if (a.length != b.length) {  // no leading zeros, so longer means larger
        return a.length < b.length ? -1 : 1;
    }
    if (a.length <= Atom::max_inline_digits) {
        return a.offset == b.offset ? 0 : (a.offset < b.offset ? -1 : 1);
    }
    for (std::size_t i = 0; i < a.length; ++i) {
        const char x = na[a.offset + i];
        const char y = nb[b.offset + i];
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}

int compare_atoms(const Atom& a, std::string_view na, const Atom& b, std::string_view nb) {
    const bool sa = is_string(a);
    const bool sb = is_string(b);
    if (sa && sb) {
        return text_of(a, na).compare(text_of(b, nb));
    }
    if (sa != sb) {
        return sa ? -1 : 1;  // strings sort before numbers
    }
    return compare_numbers(a, na, b, nb);
}

// Splits off the next segment.
Atoms next_segment(Atoms& part) {
    if (part.empty()) {
        return {};
    }
    const Atoms segment = part.first(part.front().segment_size);
    part = part.subspan(segment.size());
    return segment;
}

std::size_t count_segments(Atoms part) {
    return std::size_t(
        std::count_if(part.begin(), part.end(), [](const Atom& a) { return a.segment_size != 0; }));
}

// The first n segments of a part.
Atoms first_segments(Atoms part, std::size_t n) {
    Atoms rest = part;
    for (std::size_t i = 0; i < n && !rest.empty(); ++i) {
        next_segment(rest);
    }
    return part.first(part.size() - rest.size());
}

Atoms segment_at(Atoms part, std::size_t index) {
    for (std::size_t i = 0; i < index; ++i) {
        next_segment(part);
    }
    return next_segment(part);
}

// Segments compare run by run; a missing run counts as the number 0.
int compare_segment(Side a, Side b) {
    static constexpr Atom zero{};
    const std::size_t n = std::max(a.atoms.size(), b.atoms.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Atom& x = i < a.atoms.size() ? a.atoms[i] : zero;
        const Atom& y = i < b.atoms.size() ? b.atoms[i] : zero;
        if (int c = compare_atoms(x, a.norm, y, b.norm); c != 0) {
            return c;
        }
    }
    return 0;
}

// Parts compare segment by segment; a missing segment is an empty one.
int compare_part(Side a, Side b) {
    static constexpr Atom zero{};
    const std::size_t na = a.atoms.size();
    const std::size_t nb = b.atoms.size();
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < na || j < nb) {
        const std::size_t la = i < na ? a.atoms[i].segment_size : 0;
        const std::size_t lb = j < nb ? b.atoms[j].segment_size : 0;
        for (std::size_t k = 0, n = std::max(la, lb); k < n; ++k) {
            const Atom& x = k < la ? a.atoms[i + k] : zero;
            const Atom& y = k < lb ? b.atoms[j + k] : zero;
            if (int c = compare_atoms(x, a.norm, y, b.norm); c != 0) {
                return c;
            }
        }
        i += la;
        j += lb;
    }
    return 0;
}

// conda's startswith on one part: all but the last segment of `prefix` equal, then all but
// the last run of that segment equal, then the last run equal (a string run: a prefix of ours).
bool part_starts_with(Side self, Side prefix) {
    const std::size_t nt = count_segments(prefix.atoms);
    if (nt == 0) {
        return true;
    }
    if (compare_part({first_segments(self.atoms, nt - 1), self.norm},
                     {first_segments(prefix.atoms, nt - 1), prefix.norm}) != 0) {
        return false;
    }
    const Atoms v1 = segment_at(self.atoms, nt - 1);
    const Atoms v2 = segment_at(prefix.atoms, nt - 1);
    const std::size_t last = v2.size() - 1;
    if (compare_segment({v1.first(std::min(last, v1.size())), self.norm},
                        {v2.first(last), prefix.norm}) != 0) {
        return false;
    }
    static constexpr Atom zero{};
    const Atom& c1 = last < v1.size() ? v1[last] : zero;
    const Atom& c2 = v2[last];
    if (is_string(c2)) {
        return is_string(c1) && text_of(c1, self.norm).starts_with(text_of(c2, prefix.norm));
    }
    return compare_atoms(c1, self.norm, c2, prefix.norm) == 0;
}

}  // namespace

// ---- parsing ----------------------------------------------------------------------------

class Version::Builder {
  public:
    static auto build(std::string_view input) -> Result<Version> {
        Builder b(input);
        if (auto ok = b.run(); !ok) {
            return tl::unexpected(ok.error());
        }
        return std::move(b.v_);
    }

  private:
    explicit Builder(std::string_view input) : input_(input) {}

    tl::unexpected<Error> error(std::string_view why) const {
        return fail(ErrorKind::invalid_input,
                    "invalid version '" + std::string(input_) + "': " + std::string(why));
    }

    auto normalize() -> Result<void> {
        const std::string_view text = trim(input_);
        if (text.empty()) {
            return error("empty version string");
        }
        if (text.size() > std::numeric_limits<std::uint16_t>::max()) {
            return error("too long");
        }
        std::string& n = v_.norm_;
        n = std::string(text);
        std::transform(n.begin(), n.end(), n.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
        // conda: dashes are allowed as long as there are no underscores as well.
        if (!has_only_version_chars(n) && n.find('-') != std::string::npos &&
            n.find('_') == std::string::npos) {
            std::replace(n.begin(), n.end(), '-', '_');
        }
        if (!has_only_version_chars(n)) {
            return error("invalid character(s)");
        }
        if (n != text) {  // usually equal: keep one copy
            v_.text_ = std::string(text);
        }
        return {};
    }

    auto run() -> Result<void> {
        if (auto ok = normalize(); !ok) {
            return ok;
        }
        const std::string_view n = v_.norm_;
        std::size_t main_begin = 0;
        v_.atoms_.reserve(estimate_atoms(n));
        if (auto ok = parse_epoch(main_begin); !ok) {
            return ok;
        }
        const std::size_t plus = n.find('+', main_begin);
        if (plus != std::string_view::npos && n.find('+', plus + 1) != std::string_view::npos) {
            return error("duplicated local version separator '+'");
        }
        const std::size_t main_end = plus == std::string_view::npos ? n.size() : plus;
        if (main_end == main_begin) {
            return error("missing version before local version separator '+'");
        }
        if (auto ok = parse_main(main_begin, main_end); !ok) {
            return ok;
        }
        v_.local_begin_ = std::uint32_t(v_.atoms_.size());
        if (plus != std::string_view::npos) {
            return parse_components(plus + 1, n.size(), false);
        }
        return {};
    }

    auto parse_epoch(std::size_t& main_begin) -> Result<void> {
        const std::string_view n = v_.norm_;
        const std::size_t bang = n.find('!');
        if (bang == std::string_view::npos) {
            v_.atoms_.push_back(Atom{0, 0, Kind::number, 1});
            return {};
        }
        if (n.find('!', bang + 1) != std::string_view::npos) {
            return error("duplicated epoch separator '!'");
        }
        if (bang == 0 || !std::all_of(n.begin(), n.begin() + long(bang), is_digit)) {
            return error("epoch must be an integer");
        }
        push_run(0, bang);
        v_.atoms_.back().segment_size = 1;
        main_begin = bang + 1;
        return {};
    }

    // conda keeps a single trailing underscore as part of the last segment (openssl-style
    // "1.0.1_" sorts before "1.0.1a").
    auto parse_main(std::size_t begin, std::size_t end) -> Result<void> {
        const bool trailing_underscore = v_.norm_[end - 1] == '_';
        return parse_components(begin, trailing_underscore ? end - 1 : end, trailing_underscore);
    }

    auto parse_components(std::size_t begin, std::size_t end, bool extend_last) -> Result<void> {
        const std::string_view n = v_.norm_;
        std::size_t start = begin;
        for (std::size_t i = begin; i <= end; ++i) {
            if (i < end && !is_separator(n[i])) {
                continue;
            }
            const std::size_t stop = (i == end && extend_last) ? end + 1 : i;
            if (stop == start) {
                return error("empty version component");
            }
            if (!push_component(start, stop)) {
                return error("too many parts in one version component");
            }
            start = i + 1;
        }
        return {};
    }

    // Splits a component into runs of digits, of '*' and of other characters.
    bool push_component(std::size_t begin, std::size_t end) {
        const std::string_view n = v_.norm_;
        const std::size_t first = v_.atoms_.size();
        if (!is_digit(n[begin])) {
            v_.atoms_.push_back(Atom{0, 0, Kind::number, 0});  // keep numbers in phase
        }
        std::size_t i = begin;
        while (i < end) {
            std::size_t j = i + 1;
            while (j < end && run_class(n[j]) == run_class(n[i])) {
                ++j;
            }
            push_run(i, j);
            i = j;
        }
        const std::size_t size = v_.atoms_.size() - first;
        v_.atoms_[first].segment_size = std::uint8_t(size);
        return size <= std::numeric_limits<std::uint8_t>::max();
    }

    void push_run(std::size_t begin, std::size_t end) {
        const std::string_view run = std::string_view(v_.norm_).substr(begin, end - begin);
        Atom atom{std::uint32_t(begin), std::uint16_t(run.size()), Kind::text, 0};
        if (is_digit(run.front())) {
            const std::size_t zeros = std::min(run.find_first_not_of('0'), run.size());
            const std::string_view digits = run.substr(zeros);
            atom =
                Atom{std::uint32_t(begin + zeros), std::uint16_t(digits.size()), Kind::number, 0};
            if (digits.size() <= Atom::max_inline_digits) {
                atom.offset = 0;
                for (char c : digits) {
                    atom.offset = atom.offset * 10 + std::uint32_t(c - '0');
                }
            }
        } else if (run == "dev") {
            atom.kind = Kind::dev;
        } else if (run == "post") {
            atom.kind = Kind::post;
        }
        v_.atoms_.push_back(atom);
    }

    std::string_view input_;
    Version v_;
};

auto Version::parse(std::string_view text) -> Result<Version> {
    return Builder::build(text);
}

auto Version::compare(const Version& other) const -> std::weak_ordering {
    const Atoms a(atoms_);
    const Atoms b(other.atoms_);
    int c =
        compare_part({a.first(local_begin_), norm_}, {b.first(other.local_begin_), other.norm_});
    if (c == 0) {
        c = compare_part({a.subspan(local_begin_), norm_},
                         {b.subspan(other.local_begin_), other.norm_});
    }
    return c < 0 ? std::weak_ordering::less
                 : (c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent);
}

bool Version::starts_with(const Version& prefix) const {
    const Atoms a(atoms_);
    const Atoms b(prefix.atoms_);
    const Side main_a{a.first(local_begin_), norm_};
    const Side main_b{b.first(prefix.local_begin_), prefix.norm_};
    if (prefix.local_begin_ == b.size()) {
        return part_starts_with(main_a, main_b);
    }
    // A prefix with a local part needs equal main parts, then matches on the local parts.
    return compare_part(main_a, main_b) == 0 &&
           part_starts_with({a.subspan(local_begin_), norm_},
                            {b.subspan(prefix.local_begin_), prefix.norm_});
}

auto Version::compatible_prefix() const -> Result<Version> {
    // conda: ".".join(str(v).split(".")[:-1])
    const std::size_t dot = norm_.rfind('.');
    if (dot == std::string::npos) {
        return fail(ErrorKind::invalid_input,
                    "invalid version '" + to_string() + "': '~=' needs at least two components");
    }
    return parse(std::string_view(norm_).substr(0, dot));
}

bool Version::compatible_with(const Version& base) const {
    auto prefix = base.compatible_prefix();
    return prefix && *this >= base && starts_with(*prefix);
}

}  // namespace chanmirror::core
