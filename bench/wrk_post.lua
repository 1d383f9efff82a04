-- wrk script: POST a fixed chat-completions body and print a JSON summary.
-- Configured by environment (set by bench/run.py):
--   BENCH_BODY       request body (JSON text)
--   BENCH_LECTR_KEY  optional X-Lectr-Key header value
-- Output: one line "BENCH_JSON {...}" (latencies in microseconds).
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.body = os.getenv("BENCH_BODY") or '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
-- Every official SDK sends its own User-Agent (and Lectr forwards it); a request without one costs
-- aiohttp's client a slower header path, which no SDK call takes.
wrk.headers["User-Agent"] = "OpenAI/Python 1.99.0"
local key = os.getenv("BENCH_LECTR_KEY")
if key ~= nil and key ~= "" then
  wrk.headers["X-Lectr-Key"] = key
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
