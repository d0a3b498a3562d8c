#include "cli/common.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "writers/writers.h"

namespace propscan::cli {
namespace {

int g_exit = 0;

std::string f3(double x) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(3) << x;
  return s.str();
}

}  // namespace

int exit_code() { return g_exit; }

void set_exit_code(int code) { g_exit = code; }

void fail(const std::string& message) {
  std::cerr << "propscan: " << message << '\n';
  g_exit = 1;
}

void report_problems(const std::vector<std::string>& problems, const std::string& input) {
  if (problems.empty()) return;
  for (const auto& p : problems) std::cerr << "propscan: " << p << '\n';
  fail(input + ": " + std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") +
       " (listed above); the rest is used, and the exit status will be 1");
}

std::function<void()> guarded(std::function<void()> body) {
  return [body = std::move(body)] {
    try {
      body();
    } catch (const Error& e) {
      fail(e.what());
    } catch (const std::bad_alloc&) {
      fail("out of memory");
    } catch (const std::exception& e) {
      // Not propscan's own error (a thread that cannot start, say): still
      // one line and exit status 1, never an abort that loses the output.
      fail(std::string("unexpected error: ") + e.what());
    }
  };
}

std::string resolve_model(const std::string& given) {
  std::string path = find_model(given);
  if (path.empty()) {
    throw Error("no model given and none found (PROPSCAN_MODEL, the install's share/propscan/, models/); use --model");
  }
  return path;
}

void progress_line(const std::string& msg) { std::cerr << "propscan: " << msg << std::endl; }

unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void print_report(const metrics::EvalReport& r, bool curve) {
  auto& o = std::cout;
  o << "articles: " << r.articles << "   threshold: " << f3(r.threshold) << "\n\n";
  o << "task  precision  recall  F1\n";
  o << "SI    " << f3(r.si.precision) << "      " << f3(r.si.recall) << "   " << f3(r.si.f1) << "\n";
  o << "TC    " << f3(r.tc.micro_f1) << "      " << f3(r.tc.micro_f1) << "   " << f3(r.tc.micro_f1)
    << "   (micro-F1, " << r.tc.correct << " of " << r.tc.gold_rows << " spans)\n";
  o << "FLC   " << f3(r.flc.precision) << "      " << f3(r.flc.recall) << "   " << f3(r.flc.f1) << "\n\n";
  o << std::left << std::setw(38) << "technique" << std::right << std::setw(6) << "gold" << std::setw(9)
    << "TC P" << std::setw(7) << "TC R" << std::setw(7) << "TC F1" << std::setw(8) << "FLC F1" << "\n";
  for (Technique t : all_techniques()) {
    const auto& tc = r.tc.per_technique[technique_index(t)];
    const auto& flc = r.flc_per_technique[technique_index(t)];
    o << std::left << std::setw(38) << technique_label(t) << std::right << std::setw(6) << tc.gold
      << std::setw(9) << f3(tc.precision) << std::setw(7) << f3(tc.recall) << std::setw(7) << f3(tc.f1)
      << std::setw(8) << f3(flc.f1) << "\n";
  }
  if (curve) {
    o << "\nprecision/recall by threshold\n";
    o << "threshold  SI P   SI R   SI F1  FLC P  FLC R  FLC F1  spans\n";
    for (const auto& p : r.curve) {
      o << f3(p.threshold) << "      " << f3(p.si.precision) << "  " << f3(p.si.recall) << "  " << f3(p.si.f1)
        << "  " << f3(p.flc.precision) << "  " << f3(p.flc.recall) << "  " << f3(p.flc.f1) << "   "
        << p.si.num_predicted << "\n";
    }
  }
}

void analysis_options(CLI::App* cmd, std::string& model, double& threshold, unsigned& threads) {
  cmd->add_option("-m,--model", model, kModelHelp);
  cmd->add_option("-t,--threshold", threshold, "Detection threshold in [0,1] (default: the model's)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("-j,--threads", threads, "Analysis threads (default: all cores)");
}

void write_predictions(const metrics::EvalReport& report, const std::string& path) {
  std::ofstream out(path);
  for (const auto& s : report.predictions) writers::write_flc_row(out, s.article_id, s);
  if (!out.flush()) throw Error(path + ": cannot write the predictions");
}

}  // namespace propscan::cli
