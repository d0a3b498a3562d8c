-- wrk script for `make bench-web`: POSTs one article to /api/analyze and
-- prints the figures the README quotes. The article is the file named by
-- PROPSCAN_BENCH_ARTICLE, sent as {"text": ...}.
local path = os.getenv("PROPSCAN_BENCH_ARTICLE")
local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
local text = file:read("*a")
file:close()

local function json_string(s)
  s = s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    return string.format("\\u%04x", c:byte())
  end)
  return '"' .. s .. '"'
end

wrk.method = "POST"
wrk.body = '{"text": ' .. json_string(text) .. '}'
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("bench-web: requests/s %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("bench-web: latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("bench-web: requests %d, errors %d (connect %d, read %d, write %d, timeout %d, non-2xx %d)\n",
    summary.requests, errors, e.connect, e.read, e.write, e.timeout, e.status))
end
