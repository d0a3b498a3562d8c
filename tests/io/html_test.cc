#include "io/html.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/files.h"
#include "io/input.h"
#include "text/utf8.h"

namespace propscan::io {
namespace {

// A news page as sites write them: navigation, a cookie banner, share
// buttons, scripts, styles, a sidebar and a footer around the article.
const char* kPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Council &amp; the harbour | The Daily Example</title>
  <meta property="og:title" content="Council and the harbour">
  <meta property="og:site_name" content="The Daily Example">
  <style>body { font-family: serif; } .x::after { content: "STYLE TEXT"; }</style>
  <script>var tracking = "SCRIPT TEXT"; document.write("<p>written</p>");</script>
</head>
<body>
  <div class="cookie-banner">We use cookies. <button>Accept</button></div>
  <header class="site-header"><a href="/">The Daily Example</a>
    <nav><ul><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav>
  </header>
  <div id="main-menu"><a href="/a">Home</a> | <a href="/b">World</a></div>
  <main>
    <article>
      <header><h1>Council sells the <em>harbour</em></h1><p class="byline">By Ana Lee, <time datetime="2024-03-05T10:00:00+01:00">5 March</time></p></header>
      <div class="share-buttons"><a href="#">Share on X</a> <a href="#">Email</a></div>
      <p>The council voted on Tuesday to sell the harbour, a decision critics called
         &ldquo;a betrayal&rdquo; of the town&#8217;s  fishermen.</p>
      <figure><img src="harbour.jpg" alt="The harbour"><figcaption>The harbour at dawn.</figcaption></figure>
      <p>The mayor said the sale was <strong>the only way</strong> to balance<br>the budget &mdash; &quot;there is no alternative.&quot;</p>
      <script>ads.push({slot: "in-article"});</script>
      <ul class="related-links"><li><a href="/1">Harbour history</a></li></ul>
      <ul><li><a href="/2">Another story</a></li><li><a href="/3">And another</a></li></ul>
      <ul><li>Residents may object until 1 May.</li><li>A vote follows in June.</li></ul>
      <pre>line one
  line two</pre>
    </article>
    <aside><h2>Most read</h2><p>Something else entirely.</p></aside>
  </main>
  <footer><p>&copy; The Daily Example. All rights reserved.</p></footer>
</body>
</html>)";

// Found by the html fuzzer: a numeric character reference far above
// U+10FFFF came out of gumbo as bytes that are not UTF-8.
TEST(HtmlExtract, AHugeCharacterReferenceStillGivesUtf8) {
  const auto page = io::extract_html_article(
      "<html><head><title>Caf&#x0F6006999999999999999999999999999999;</title></head><body><p>Line "
      "two &#x0F60069999999999999999999999999999999999999999RRRR end.</p></body></html>");
  EXPECT_TRUE(text::is_valid_utf8(page.text)) << page.text;
  EXPECT_TRUE(text::is_valid_utf8(page.title)) << page.title;
  EXPECT_NE(page.text.find("end."), std::string::npos) << page.text;
}

TEST(HtmlExtract, KeepsTheArticleAndDropsTheBoilerplate) {
  const auto a = extract_html_article(kPage);
  EXPECT_EQ(a.title, "Council sells the harbour");
  EXPECT_EQ(a.source, "The Daily Example");
  EXPECT_EQ(a.date, "2024-03-05T10:00:00+01:00");
  EXPECT_EQ(a.text,
            "Council sells the harbour\n\n"
            "By Ana Lee, 5 March\n\n"
            "The council voted on Tuesday to sell the harbour, a decision critics called \xE2\x80\x9C"
            "a betrayal\xE2\x80\x9D of the town\xE2\x80\x99s fishermen.\n\n"
            "The mayor said the sale was the only way to balance\nthe budget \xE2\x80\x94 \"there is no alternative.\"\n\n"
            "Residents may object until 1 May.\n\n"
            "A vote follows in June.\n\n"
            "line one\n  line two");
  for (const char* gone : {"SCRIPT", "STYLE", "cookies", "Politics", "Home", "Share", "dawn", "Most read",
                           "rights reserved", "Another story", "Harbour history", "Accept"}) {
    EXPECT_EQ(a.text.find(gone), std::string::npos) << gone;
  }
}

TEST(HtmlExtract, WithoutAnArticleElementUsesMainThenBody) {
  auto a = extract_html_article(
      "<html><head><title>Plain page</title></head><body><nav>Menu</nav>"
      "<main><p>Only <a href='x'>this</a> counts.</p></main><p>Not this.</p></body></html>");
  EXPECT_EQ(a.title, "Plain page");
  EXPECT_EQ(a.text, "Only this counts.");
  EXPECT_EQ(a.source, "");
  EXPECT_EQ(a.date, "");
  a = extract_html_article("<p>Fragment with <b>bold</b> and <i>italic</i> words &lt;kept&gt;.</p><p>Second.</p>");
  EXPECT_EQ(a.title, "");
  EXPECT_EQ(a.text, "Fragment with bold and italic words <kept>.\n\nSecond.");
  // With several articles (a list of teasers and the story), the longest.
  a = extract_html_article(
      "<body><article><p>Short teaser.</p></article><article><h1>Story</h1><p>The long story itself, with far more "
      "words in it than the teaser has.</p></article></body>");
  EXPECT_EQ(a.title, "Story");
  EXPECT_EQ(a.text, "Story\n\nThe long story itself, with far more words in it than the teaser has.");
}

TEST(HtmlExtract, HiddenAndLandmarkElementsAreDropped) {
  const auto a = extract_html_article(
      "<body><div role='navigation'>Nav</div><div hidden>Hidden</div><div aria-hidden='true'>Aria</div>"
      "<div role='banner'>Banner</div><div class='sidebar'>Side</div><div class='newsletter-signup'>Join</div>"
      "<p>Kept text.</p><noscript>Enable JS</noscript><template><p>Tmpl</p></template>"
      "<form><label>Name</label><input value='v'></form><iframe src='x'></iframe></body>");
  EXPECT_EQ(a.text, "Kept text.");
}

TEST(HtmlExtract, OffsetsReferToTheExtractedText) {
  // Read as an input file, the extracted text is the document: an entity is
  // one code point, markup none.
  const std::string path = test::temp_path(".html");
  test::spit(path, "<html><head><title>T</title></head><body><article><p>Caf&eacute; <b>owners</b> are "
                   "&quot;crooks&quot;.</p></article></body></html>");
  const auto items = read_all(path);
  std::filesystem::remove(path);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok()) << items[0].error;
  EXPECT_EQ(items[0].doc.title, "T");
  EXPECT_EQ(items[0].doc.text, U"Caf\u00e9 owners are \"crooks\".");
  EXPECT_EQ(items[0].doc.text.substr(17, 6), U"crooks");
}

TEST(HtmlExtract, BadPagesAreClearErrors) {
  const std::string path = test::temp_path(".htm");
  test::spit(path, "<html><body><nav>Only a menu</nav><script>x()</script></body></html>");
  auto items = read_all(path);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].error, path + ": empty article (no text)");
  test::spit(path, "<p>Caf\xE9</p>");  // Latin-1, not UTF-8
  items = read_all(path);
  EXPECT_NE(items[0].error.find(path + ": invalid UTF-8 at byte"), std::string::npos) << items[0].error;
  EXPECT_NE(items[0].error.find("(HTML is read as UTF-8)"), std::string::npos) << items[0].error;
  std::filesystem::remove(path);
  EXPECT_TRUE(is_html_path("a/B.HTML"));
  EXPECT_TRUE(is_html_path("x.htm"));
  EXPECT_FALSE(is_html_path("x.txt"));
  EXPECT_FALSE(is_html_path("html"));
}

}  // namespace
}  // namespace propscan::io
