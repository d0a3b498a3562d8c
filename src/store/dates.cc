#include "store/dates.h"

#include <array>
#include <cctype>
#include <cstdio>

namespace propscan::store {
namespace {

struct Civil {
  int year = 0, month = 0, day = 0;
  int hour = 0, minute = 0, second = 0;
  bool has_time = false;
  int offset_minutes = 0;  // east of UTC
};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
// Hinnant's well-known civil-date algorithms, written from their description).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(long z, int& y, int& m, int& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

// 0 = Monday.
int weekday(long days) { return static_cast<int>(((days % 7) + 7 + 3) % 7); }

std::string iso_week(int y, int m, int d) {
  const long days = days_from_civil(y, m, d);
  // The ISO year is the year of this week's Thursday.
  const long thursday = days - weekday(days) + 3;
  int ty, tm, td;
  civil_from_days(thursday, ty, tm, td);
  const long week = (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-W%02ld", ty, week);
  return buf;
}

// A small cursor over the input.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void spaces() {
    while (peek() == ' ') ++i_;
  }
  // Exactly `n` digits.
  bool digits(int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
      out = out * 10 + (s_[i_++] - '0');
    }
    return true;
  }
  // One to `max` digits.
  bool some_digits(int max, int& out) {
    out = 0;
    int n = 0;
    while (n < max && std::isdigit(static_cast<unsigned char>(peek()))) {
      out = out * 10 + (s_[i_++] - '0');
      ++n;
    }
    return n > 0;
  }
  std::string word() {
    std::string w;
    while (std::isalpha(static_cast<unsigned char>(peek()))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(s_[i_++])));
    }
    return w;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

int month_of(const std::string& w) {
  static constexpr std::array<const char*, 12> kNames{"january", "february", "march",     "april",   "may",      "june",
                                                      "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; ++m) {
    const std::string name = kNames[static_cast<std::size_t>(m)];
    if (w == name || (w.size() == 3 && name.compare(0, 3, w) == 0) || (w == "sept" && m == 8)) return m + 1;
  }
  return 0;
}

// [T or space]HH:MM[:SS[.fraction]][Z | ±HH:MM | ±HHMM | " GMT" | " UTC"], the
// time part after a date.
bool parse_time(Cursor& c, Civil& t, bool rfc) {
  if (!c.digits(2, t.hour) || !c.eat(':') || !c.digits(2, t.minute)) return false;
  if (c.eat(':')) {
    if (!c.digits(2, t.second)) return false;
    if (c.eat('.') || c.eat(',')) {
      int fraction;
      if (!c.some_digits(9, fraction)) return false;
    }
  }
  t.has_time = true;
  if (rfc) c.spaces();
  if (c.eat('Z')) return true;
  if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.eat('-') ? -1 : (c.eat('+'), 1);
    int hh, mm = 0;
    if (!c.digits(2, hh)) return false;
    if (c.eat(':')) {
      if (!c.digits(2, mm)) return false;
    } else if (!c.done()) {
      if (!c.digits(2, mm)) return false;
    }
    if (hh > 23 || mm > 59) return false;
    t.offset_minutes = sign * (hh * 60 + mm);
    return true;
  }
  if (rfc) {
    const std::string zone = c.word();
    return zone.empty() || zone == "gmt" || zone == "utc" || zone == "ut";
  }
  return true;
}

bool parse_iso(std::string_view s, Civil& t) {
  Cursor c(s);
  if (!c.digits(4, t.year)) return false;
  const char sep = c.peek();
  if (sep != '-' && sep != '/') return false;
  c.eat(sep);
  if (!c.digits(2, t.month) || !c.eat(sep) || !c.digits(2, t.day)) return false;
  if (c.done()) return true;
  if (sep != '-' || !(c.eat('T') || c.eat(' '))) return false;
  return parse_time(c, t, false) && c.done();
}

// "1 March 2024", "March 1, 2024", "Fri, 01 Mar 2024 09:30:00 +0000".
bool parse_words(std::string_view s, Civil& t) {
  Cursor c(s);
  std::string w = c.word();
  if (!w.empty() && month_of(w) == 0) {
    // A weekday name first (RFC 2822): skip it and its comma.
    static constexpr std::array<const char*, 7> kDays{"monday", "tuesday", "wednesday", "thursday",
                                                      "friday", "saturday", "sunday"};
    bool day_name = false;
    for (const char* d : kDays) {
      const std::string name = d;
      day_name = day_name || w == name || (w.size() == 3 && name.compare(0, 3, w) == 0);
    }
    if (!day_name) return false;
    c.eat(',');
    c.spaces();
    w = c.word();
  }
  if (!w.empty()) {
    // Month first: "March 1, 2024".
    t.month = month_of(w);
    if (!t.month) return false;
    c.eat('.');
    c.spaces();
    if (!c.some_digits(2, t.day)) return false;
    c.eat(',');
    c.spaces();
    if (!c.digits(4, t.year)) return false;
  } else {
    // Day first: "1 March 2024", "01 Mar 2024 09:30:00 +0000".
    if (!c.some_digits(2, t.day)) return false;
    c.spaces();
    t.month = month_of(c.word());
    if (!t.month) return false;
    c.eat('.');
    c.spaces();
    if (!c.digits(4, t.year)) return false;
  }
  if (c.done()) return true;
  c.spaces();
  return parse_time(c, t, true) && c.done();
}

bool valid(const Civil& t) {
  return t.year >= 1 && t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
         t.hour <= 23 && t.minute <= 59 && t.second <= 60;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::optional<NormalisedDate> normalise_date(std::string_view text) {
  const std::string s = trim(text);
  if (s.empty() || s.size() > 64) return std::nullopt;
  Civil t;
  if (!parse_iso(s, t)) {
    t = Civil{};
    if (!parse_words(s, t)) return std::nullopt;
  }
  if (!valid(t)) return std::nullopt;
  int y = t.year, m = t.month, d = t.day;
  char buf[96];
  if (t.has_time) {
    // To UTC: minutes since the epoch minus the offset.
    long minutes = days_from_civil(y, m, d) * 1440L + t.hour * 60L + t.minute - t.offset_minutes;
    const long days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
    minutes -= days * 1440;
    civil_from_days(days, y, m, d);
    if (y < 1 || y > 9999) return std::nullopt;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02ld:%02ld:%02dZ", y, m, d, minutes / 60, minutes % 60,
                  t.second > 59 ? 59 : t.second);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  }
  NormalisedDate out;
  out.iso = buf;
  out.day = out.iso.substr(0, 10);
  out.month = out.iso.substr(0, 7);
  out.week = iso_week(y, m, d);
  return out;
}

std::string date_error(std::string_view text) {
  std::string shown = trim(text).substr(0, 40);
  for (char& ch : shown) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7F) ch = '?';
  }
  return "date '" + shown +
         "' is not a date propscan reads (ISO 8601 such as 2024-03-01 or 2024-03-01T09:30:00Z, "
         "2024/03/01, 1 March 2024, March 1, 2024, or RFC 2822)";
}

}  // namespace propscan::store
