// Analyses one article with the propscan library and prints each passage
// found, then the whole analysis as JSON.
//
//   analyze-article ARTICLE.txt [MODEL]
//
// Without MODEL, the installed model (or $PROPSCAN_MODEL) is used.
#include <fstream>
#include <iostream>
#include <sstream>

#include <propscan/analyzer.h>
#include <propscan/error.h>
#include <propscan/version.h>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: analyze-article ARTICLE.txt [MODEL]\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) throw propscan::Error(std::string(argv[1]) + ": cannot open");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const auto doc = propscan::Document::from_utf8(argv[1], bytes.str());

    // Built once, then safe to share between threads.
    const propscan::Analyzer analyzer(argc == 3 ? argv[2] : propscan::default_model_path());
    const auto analysis = analyzer.analyze(doc);

    std::cout << "propscan " << propscan::kVersion << ": " << analysis.spans.size() << " passages\n";
    for (const auto& span : analysis.spans) {
      std::cout << span.start << "-" << span.end << " " << propscan::technique_label(*span.technique) << " "
                << span.score << "\n";
    }
    std::cout << propscan::to_json(analysis, doc) << "\n";
  } catch (const propscan::Error& e) {
    std::cerr << "analyze-article: " << e.what() << "\n";
    return 1;
  }
}
