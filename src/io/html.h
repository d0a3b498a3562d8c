// The article in an HTML page: its title and its text, without scripts,
// styles, navigation and other boilerplate. The extracted text is what is
// analysed and stored, and what span offsets refer to.
#pragma once

#include <string>
#include <string_view>

namespace propscan::io {

struct HtmlArticle {
  std::string title;  // UTF-8; empty when the page names none
  std::string text;   // UTF-8; paragraphs separated by a blank line
  // From the page's metadata, when it has them (empty otherwise):
  // <meta property="og:site_name">, and <meta property="article:published_time">
  // or the datetime of the article's first <time>. The date is as written.
  std::string source;
  std::string date;
};

// Parses `html` (UTF-8) with gumbo and keeps the article's content:
//  - the content root is the page's <article> holding the most text, else
//    <main> (or role="main"), else <body>;
//  - dropped: script, style, noscript, template, forms and their controls,
//    embedded media, figures, nav, aside, footer, header (outside an
//    <article>), hidden elements, landmark roles other than main, elements
//    whose class or id names boilerplate (menu, sidebar, share, cookie,
//    related, comments, advert, newsletter, ...), and lists made only of links;
//  - block elements (p, div, h1-h6, li, blockquote, tr, ...) become
//    paragraphs; <br> a line break; white space is collapsed except in <pre>;
//    character references are decoded.
// The title is the root's first <h1>, else og:title, else <title>.
HtmlArticle extract_html_article(std::string_view html);

// True for a file name ending in .html or .htm (any case).
bool is_html_path(const std::string& path);

}  // namespace propscan::io
