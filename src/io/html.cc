#include "io/html.h"

#include "text/utf8.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <vector>

namespace propscan::io {
namespace {

bool dropped_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
    case GUMBO_TAG_FORM: case GUMBO_TAG_BUTTON: case GUMBO_TAG_INPUT: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_CANVAS: case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO: case GUMBO_TAG_MENU: case GUMBO_TAG_FIGURE:
      return true;
    default:
      return false;
  }
}

bool block_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_LI: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
    case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_TABLE: case GUMBO_TAG_TR:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HR: case GUMBO_TAG_BODY: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_HGROUP:
      return true;
    default:
      return false;
  }
}

const char* attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

// The lowercase words of a class or id attribute ("site-nav main_menu" ->
// site, nav, main, menu).
std::vector<std::string> words_of(const char* value) {
  std::vector<std::string> out;
  std::string w;
  for (const char* p = value; ; ++p) {
    if (*p && std::isalnum(static_cast<unsigned char>(*p))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
      continue;
    }
    if (!w.empty()) out.push_back(w);
    w.clear();
    if (!*p) break;
  }
  return out;
}

bool boilerplate_word(const std::string& w) {
  static constexpr std::array<const char*, 30> kWords{
      "nav",     "navbar",     "navigation", "menu",    "breadcrumb", "breadcrumbs", "footer",   "sidebar",
      "share",   "sharing",    "social",     "cookie",  "cookies",    "consent",     "related",  "comments",
      "comment", "advert",     "advertisement", "ads",  "ad",         "promo",       "newsletter", "subscribe",
      "popup",   "modal",      "banner",     "masthead", "skip",      "toolbar"};
  return std::any_of(kWords.begin(), kWords.end(), [&](const char* k) { return w == k; });
}

bool boilerplate_element(const GumboNode* node) {
  if (attribute(node, "hidden")) return true;
  if (const char* v = attribute(node, "aria-hidden"); v && std::strcmp(v, "true") == 0) return true;
  if (const char* role = attribute(node, "role")) {
    for (const char* r : {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"}) {
      if (std::strcmp(role, r) == 0) return true;
    }
  }
  for (const char* name : {"class", "id"}) {
    if (const char* v = attribute(node, name)) {
      for (const auto& w : words_of(v)) {
        if (boilerplate_word(w)) return true;
      }
    }
  }
  return false;
}

// Non-space bytes of text under `node`, and how many of them are inside links.
void text_size(const GumboNode* node, bool in_link, std::size_t& total, std::size_t& linked) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA) {
    for (const char* p = node->v.text.text; *p; ++p) {
      if (std::isspace(static_cast<unsigned char>(*p))) continue;
      ++total;
      if (in_link) ++linked;
    }
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  if (dropped_tag(node->v.element.tag)) return;
  const bool link = in_link || node->v.element.tag == GUMBO_TAG_A;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    text_size(static_cast<const GumboNode*>(children.data[i]), link, total, linked);
  }
}

// A list whose every word is a link: a menu or a list of related stories.
bool link_list(const GumboNode* node) {
  const GumboTag tag = node->v.element.tag;
  if (tag != GUMBO_TAG_UL && tag != GUMBO_TAG_OL) return false;
  std::size_t total = 0, linked = 0;
  text_size(node, false, total, linked);
  return total > 0 && linked == total;
}

// Paragraphs with white space collapsed.
class TextBuilder {
 public:
  void text(const char* s, bool pre) {
    for (const char* p = s; *p; ++p) {
      const char c = *p;
      if (pre) {
        paragraph_ += c == '\r' ? '\n' : c;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        space_ = true;
        continue;
      }
      if (space_ && !paragraph_.empty() && paragraph_.back() != '\n') paragraph_ += ' ';
      space_ = false;
      paragraph_ += c;
    }
  }
  void separator() { space_ = true; }
  void line_break() {
    if (!paragraph_.empty()) paragraph_ += '\n';
    space_ = false;
  }
  void end_paragraph() {
    while (!paragraph_.empty() && (paragraph_.back() == '\n' || paragraph_.back() == ' ')) paragraph_.pop_back();
    if (!paragraph_.empty()) paragraphs_.push_back(std::move(paragraph_));
    paragraph_.clear();
    space_ = false;
  }
  std::string result() {
    end_paragraph();
    std::string out;
    for (const auto& p : paragraphs_) out += (out.empty() ? "" : "\n\n") + p;
    return out;
  }

 private:
  std::vector<std::string> paragraphs_;
  std::string paragraph_;
  bool space_ = false;
};

void walk(const GumboNode* node, TextBuilder& out, bool pre, bool in_article) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA || node->type == GUMBO_NODE_WHITESPACE) {
    out.text(node->v.text.text, pre);
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return;
  const GumboTag tag = node->v.element.tag;
  if (dropped_tag(tag) || boilerplate_element(node) || link_list(node)) return;
  if (tag == GUMBO_TAG_HEADER && !in_article) return;
  if (tag == GUMBO_TAG_BR) {
    out.line_break();
    return;
  }
  const bool block = block_tag(tag);
  if (block) out.end_paragraph();
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out.separator();
  const bool child_pre = pre || tag == GUMBO_TAG_PRE;
  const bool child_article = in_article || tag == GUMBO_TAG_ARTICLE;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    walk(static_cast<const GumboNode*>(children.data[i]), out, child_pre, child_article);
  }
  if (block) out.end_paragraph();
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) out.separator();
}

// Every element below `node` with `tag` (or, with GUMBO_TAG_UNKNOWN, with
// role="main"), in document order.
void find_all(const GumboNode* node, GumboTag tag, std::vector<const GumboNode*>& found) {
  if (node->type != GUMBO_NODE_ELEMENT) return;
  if (tag == GUMBO_TAG_UNKNOWN) {
    const char* role = attribute(node, "role");
    if (role && std::strcmp(role, "main") == 0) found.push_back(node);
  } else if (node->v.element.tag == tag) {
    found.push_back(node);
  }
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) find_all(static_cast<const GumboNode*>(children.data[i]), tag, found);
}

const GumboNode* content_root(const GumboNode* root) {
  std::vector<const GumboNode*> found;
  find_all(root, GUMBO_TAG_ARTICLE, found);
  if (!found.empty()) {
    // A page that lists teasers has many: the article is the longest.
    const GumboNode* best = nullptr;
    std::size_t best_size = 0;
    for (const GumboNode* n : found) {
      std::size_t total = 0, linked = 0;
      text_size(n, false, total, linked);
      if (!best || total - linked > best_size) best = n, best_size = total - linked;
    }
    return best;
  }
  for (GumboTag tag : {GUMBO_TAG_MAIN, GUMBO_TAG_UNKNOWN, GUMBO_TAG_BODY}) {
    find_all(root, tag, found);
    if (!found.empty()) return found.front();
  }
  return root;
}

std::string plain_text(const GumboNode* node) {
  TextBuilder b;
  walk(node, b, false, true);
  std::string s = b.result();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string page_title(const GumboNode* root, const GumboNode* content) {
  std::vector<const GumboNode*> found;
  find_all(content, GUMBO_TAG_H1, found);
  for (const GumboNode* h1 : found) {
    std::string t = plain_text(h1);
    if (!t.empty()) return t;
  }
  found.clear();
  find_all(root, GUMBO_TAG_META, found);
  for (const GumboNode* meta : found) {
    const char* property = attribute(meta, "property");
    const char* value = attribute(meta, "content");
    if (property && value && std::strcmp(property, "og:title") == 0) {
      TextBuilder b;
      b.text(value, false);
      std::string t = b.result();
      if (!t.empty()) return t;
    }
  }
  found.clear();
  find_all(root, GUMBO_TAG_TITLE, found);
  for (const GumboNode* title : found) {
    TextBuilder b;
    const GumboVector& children = title->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_TEXT) b.text(child->v.text.text, false);
    }
    std::string t = b.result();
    if (!t.empty()) return t;
  }
  return {};
}

std::string meta_content(const GumboNode* root, const char* property) {
  std::vector<const GumboNode*> found;
  find_all(root, GUMBO_TAG_META, found);
  for (const GumboNode* meta : found) {
    const char* p = attribute(meta, "property");
    if (!p) p = attribute(meta, "name");
    const char* value = attribute(meta, "content");
    if (p && value && std::strcmp(p, property) == 0) {
      TextBuilder b;
      b.text(value, false);
      std::string t = b.result();
      if (!t.empty()) return t;
    }
  }
  return {};
}

}  // namespace

namespace {

// Gumbo can hand back bytes that are not UTF-8 (a numeric character
// reference far above U+10FFFF, found by the fuzzer): each byte that starts
// no valid sequence becomes U+FFFD, so that what comes out is text.
std::string as_utf8(std::string s) {
  if (text::is_valid_utf8(s)) return s;
  std::string out;
  out.reserve(s.size());
  const std::string_view v(s);
  for (std::size_t i = 0; i < v.size();) {
    std::size_t len = 0;
    for (std::size_t n = 1; n <= 4 && i + n <= v.size(); ++n) {
      if (text::is_valid_utf8(v.substr(i, n))) {
        len = n;
        break;
      }
    }
    if (len == 0) {
      text::append_utf8(out, U'\uFFFD');
      ++i;
    } else {
      out.append(v.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace

HtmlArticle extract_html_article(std::string_view html) {
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  HtmlArticle article;
  const GumboNode* content = content_root(output->root);
  TextBuilder b;
  walk(content, b, false, content->v.element.tag == GUMBO_TAG_ARTICLE);
  article.text = b.result();
  article.title = page_title(output->root, content);
  article.source = meta_content(output->root, "og:site_name");
  article.date = meta_content(output->root, "article:published_time");
  if (article.date.empty()) {
    std::vector<const GumboNode*> times;
    find_all(content, GUMBO_TAG_TIME, times);
    for (const GumboNode* t : times) {
      if (const char* dt = attribute(t, "datetime"); dt && *dt) {
        article.date = dt;
        break;
      }
    }
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  for (std::string* field : {&article.text, &article.title, &article.source, &article.date}) {
    *field = as_utf8(std::move(*field));
  }
  return article;
}

bool is_html_path(const std::string& path) {
  std::string lower;
  for (char c : path.substr(path.size() >= 5 ? path.size() - 5 : 0)) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower.ends_with(".html") || lower.ends_with(".htm");
}

}  // namespace propscan::io
